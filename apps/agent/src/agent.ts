import type { Logger } from '@attestor/ports';

import type { LocalApiServer } from './api-server.js';
import type { AgentConfigLoader, LoadedConfig } from './config-loader.js';

/** Builds the API server once the configuration (which names its socket) is known. */
export type ApiServerFactory = (loaded: LoadedConfig) => LocalApiServer;

/**
 * The agent daemon: loads its configuration, serves the local API, and stops cleanly.
 */
export class Agent {
  #server: LocalApiServer | undefined;
  #current: LoadedConfig | undefined;

  constructor(
    private readonly configLoader: AgentConfigLoader,
    private readonly createApiServer: ApiServerFactory,
    private readonly logger: Logger,
  ) {}

  get configuration(): LoadedConfig | undefined {
    return this.#current;
  }

  /** Starts the agent; returns false (having logged why) when it cannot run. */
  async start(): Promise<boolean> {
    const loaded = await this.configLoader.load();
    if (loaded === undefined) {
      this.logger.error('no valid configuration; not starting');
      return false;
    }
    this.#current = loaded;
    const { docker } = loaded.config;
    this.logger.info('agent starting', {
      config: loaded.origin.kind === 'file' ? loaded.origin.path : 'embedded default',
      dockerEnabled: docker.enabled,
      dockerSocket: docker.dockerSocketPath,
      podmanSocket: docker.podmanSocketPath,
      podmanSocketTemplate: docker.podmanSocketPathTemplate,
      rootlessPodmanDiscovery: docker.rootlessPodmanDiscovery,
      includeEnvVars: docker.includeEnvVars,
      sigstoreEnabled: docker.sigstore?.enabled ?? false,
    });
    const server = this.createApiServer(loaded);
    server
      .route('GET', '/healthz', () => Promise.resolve({ status: 200, body: { status: 'ok' } }))
      .route('GET', '/readyz', () =>
        Promise.resolve(
          this.#current === undefined
            ? { status: 503, body: { status: 'not ready' } }
            : { status: 200, body: { status: 'ready', config: this.#current.origin } },
        ),
      );
    await server.start();
    this.#server = server;
    this.logger.info('agent started');
    return true;
  }

  async stop(): Promise<void> {
    this.logger.info('agent stopping');
    await this.#server?.stop();
    this.#server = undefined;
    this.logger.info('agent stopped');
  }
}
