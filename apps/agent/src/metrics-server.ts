import { createServer, type Server } from 'node:http';

import type { Logger } from '@attestor/ports';

/**
 * A plain-HTTP listener that serves GET /metrics and nothing else, for Prometheus, which
 * cannot scrape a unix socket. Metrics carry counts and durations only, never attributes.
 */
export class MetricsHttpServer {
  #server: Server | undefined;

  constructor(
    private readonly address: { readonly host: string; readonly port: number },
    private readonly metricsText: () => Promise<{ contentType: string; text: string }>,
    private readonly logger: Logger,
  ) {}

  async start(): Promise<void> {
    const server = createServer((request, response) => {
      const path = new URL(request.url ?? '/', 'http://metrics').pathname;
      if (request.method !== 'GET' || path !== '/metrics') {
        response.writeHead(404, { 'content-type': 'text/plain' });
        response.end('not found\n');
        return;
      }
      this.metricsText().then(
        ({ contentType, text }) => {
          response.writeHead(200, { 'content-type': contentType });
          response.end(text);
        },
        (error: unknown) => {
          this.logger.error('metrics rendering failed', {
            reason: error instanceof Error ? error.message : String(error),
          });
          response.writeHead(500);
          response.end();
        },
      );
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
