import { mkdir } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { dirname } from 'node:path';

import { listenOnUnixSocket } from '@attestor/adapter-io';
import type { Logger } from '@attestor/ports';

import { type RouteHandler, RouteTable } from './route-table.js';

/** Mode bits that let users other than the owner connect (connecting needs write permission). */
const OTHERS_MAY_CONNECT = 0o022;

/**
 * The agent's local HTTP API, on a unix socket only (never TCP): the socket's file mode is the
 * access control. A stale socket file left by a crashed agent is replaced; a live one means
 * another agent runs, and starting fails; a path that is not a socket is never touched.
 */
export class LocalApiServer {
  readonly #routes: RouteTable;
  #server: Server | undefined;

  constructor(
    private readonly socketPath: string,
    private readonly socketMode: number,
    private readonly logger: Logger,
  ) {
    this.#routes = new RouteTable(logger);
  }

  route(method: string, path: string, handler: RouteHandler): this {
    this.#routes.route(method, path, handler);
    return this;
  }

  async start(): Promise<void> {
    await mkdir(dirname(this.socketPath), { recursive: true, mode: 0o755 });
    const server = createServer((request, response) => {
      void this.#routes.serve(request, response);
    });
    server.headersTimeout = 5_000;
    server.requestTimeout = 30_000;
    await listenOnUnixSocket(server, this.socketPath, this.socketMode, 'apiSocketPath');
    this.#server = server;
    const mode = `0${this.socketMode.toString(8)}`;
    this.logger.info('local API listening', { socket: this.socketPath, mode });
    if ((this.socketMode & OTHERS_MAY_CONNECT) !== 0) {
      this.logger.warn(
        'the local API socket lets other users connect: any of them can read the attributes of every process, allowed env values included',
        { socket: this.socketPath, mode },
      );
    }
  }

  async stop(): Promise<void> {
    const server = this.#server;
    if (server === undefined) return;
    this.#server = undefined;
    await new Promise<void>((resolve) => {
      server.close(() => {
        resolve();
      });
      server.closeAllConnections();
    });
  }
}
