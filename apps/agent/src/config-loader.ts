import type { ConfigFileResult } from '@attestor/adapter-yaml-config';
import { formatIssue, type AttestorConfig, type ConfigLoadResult } from '@attestor/config';
import type { Logger } from '@attestor/ports';

export type ConfigFileLoader = (path: string) => Promise<ConfigFileResult>;
export type ConfigTextLoader = (text: string) => ConfigLoadResult;

/** Where the running configuration came from, for logs and /readyz. */
export type ConfigOrigin =
  | {
      readonly kind: 'file';
      readonly path: string;
      /** SHA-256 (hex) of the text applied: an operator or a test can tell which revision is live. */
      readonly sha256: string;
    }
  | { readonly kind: 'embedded' };

export interface LoadedConfig {
  readonly config: AttestorConfig;
  readonly origin: ConfigOrigin;
}

/**
 * Loads the agent's configuration: the file when it exists, else the embedded default. Every
 * error is logged with its field path and line; an invalid or unreadable file yields undefined
 * (the caller keeps its last good configuration, or refuses to start without one).
 */
export class AgentConfigLoader {
  constructor(
    private readonly path: string,
    private readonly loadFile: ConfigFileLoader,
    private readonly loadText: ConfigTextLoader,
    private readonly embeddedConfig: string,
    private readonly logger: Logger,
  ) {}

  async load(): Promise<LoadedConfig | undefined> {
    const loaded = await this.loadFile(this.path);
    switch (loaded.kind) {
      case 'missing': {
        this.logger.info('no configuration file; using the embedded default', { path: this.path });
        const result = this.loadText(this.embeddedConfig);
        if (!result.ok)
          throw new Error(
            `the embedded default configuration is invalid: ${result.errors.map((e) => formatIssue(e)).join('; ')}`,
          );
        return { config: result.config, origin: { kind: 'embedded' } };
      }
      case 'unreadable':
        this.logger.error('cannot read the configuration file', {
          path: this.path,
          reason: loaded.reason,
        });
        return undefined;
      case 'loaded': {
        const { result } = loaded;
        for (const warning of result.warnings) {
          this.logger.warn('configuration warning', {
            path: this.path,
            issue: formatIssue(warning),
          });
        }
        if (!result.ok) {
          for (const error of result.errors) {
            this.logger.error('configuration error', {
              path: this.path,
              issue: formatIssue(error, this.path),
            });
          }
          return undefined;
        }
        return {
          config: result.config,
          origin: { kind: 'file', path: this.path, sha256: loaded.sha256 },
        };
      }
    }
  }
}
