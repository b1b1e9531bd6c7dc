import type { ConfigFileResult } from '@attestor/adapter-yaml-config';
import { type AttestorConfig, type ConfigLoadResult, formatIssue } from '@attestor/config';
import type { Logger } from '@attestor/ports';

export type ConfigFileLoader = (path: string) => Promise<ConfigFileResult>;
export type ConfigTextLoader = (text: string) => ConfigLoadResult;

/** Where the running configuration came from, for logs and /readyz. */
type ConfigOrigin =
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
 * What the embedded default stands in for: the default path only. A path the operator named
 * (`--config`, `$ATTESTOR_CONFIG`) must exist.
 */
export type MissingFilePolicy = 'use-embedded-default' | 'refuse';

/**
 * Loads the agent's configuration. Every error is logged with its field path and line; an
 * invalid or unreadable file yields undefined (the caller keeps its last good configuration,
 * or refuses to start without one).
 *
 * A missing file: at start, the embedded default when the path is the default one, else a
 * start-up error; on a reload, undefined with a warning, so the configuration in force stays
 * (a file that disappears must not silently turn the embedded default back on).
 */
export class AgentConfigLoader {
  constructor(
    private readonly path: string,
    private readonly loadFile: ConfigFileLoader,
    private readonly loadText: ConfigTextLoader,
    private readonly embeddedConfig: string,
    private readonly logger: Logger,
    private readonly whenMissing: MissingFilePolicy = 'use-embedded-default',
  ) {}

  async load(purpose: 'start' | 'reload' = 'start'): Promise<LoadedConfig | undefined> {
    const loaded = await this.loadFile(this.path);
    switch (loaded.kind) {
      case 'missing': {
        if (purpose === 'reload') {
          this.logger.warn(
            'the configuration file has disappeared; keeping the configuration in force',
            { path: this.path },
          );
          return undefined;
        }
        if (this.whenMissing === 'refuse') {
          this.logger.error('the configuration file named does not exist', { path: this.path });
          return undefined;
        }
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
