import { createServer, type Server } from 'node:http';

import type { Logger } from '@attestor/ports';

import { type RouteResult, RouteTable } from './route-table.js';

/**
 * A plain-HTTP listener that serves GET /metrics, for Prometheus, which cannot scrape a unix
 * socket, and /healthz and /readyz, for probes that cannot reach one (Kubernetes'). Metrics
 * carry counts and durations only, never attributes; readiness here says ready or not and
 * counts rejected reloads, without the file path or the reasons the API socket gives root.
 */
export class MetricsHttpServer {
  #server: Server | undefined;

  constructor(
    private readonly address: { readonly host: string; readonly port: number },
    private readonly metricsText: () => Promise<{ contentType: string; text: string }>,
    private readonly readiness: () => RouteResult,
    private readonly logger: Logger,
  ) {}

  /** The port listened on (the one chosen by the system when the address asked for 0). */
  get port(): number {
    const address = this.#server?.address();
    return address !== null && typeof address === 'object' ? address.port : this.address.port;
  }

  async start(): Promise<void> {
    const routes = new RouteTable(this.logger)
      .route('GET', '/metrics', async () => ({ status: 200, ...(await this.metricsText()) }))
      .route('GET', '/healthz', () => Promise.resolve({ status: 200, body: { status: 'ok' } }))
      .route('GET', '/readyz', () => Promise.resolve(this.readiness()));
    const server = createServer((request, response) => {
      void routes.serve(request, response);
    });
    server.headersTimeout = 5_000;
    server.requestTimeout = 10_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.address.port, this.address.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.#server = server;
    this.logger.info('metrics listening', {
      address: `${this.address.host}:${String(this.address.port)}`,
    });
  }

  async stop(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    if (server === undefined) return;
    await new Promise<void>((resolve) => {
      server.close(() => {
        resolve();
      });
      server.closeAllConnections();
    });
  }
}
