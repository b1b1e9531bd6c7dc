import { chmod, lstat, mkdir, unlink } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { connect } from 'node:net';
import { dirname } from 'node:path';

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
    await this.#removeStaleSocket();
    const server = createServer((request, response) => {
      void this.#routes.serve(request, response);
    });
    server.headersTimeout = 5_000;
    server.requestTimeout = 30_000;
    // The socket file is created by listen() with the process umask. A umask of 0177 while it
    // is created makes it owner-only from its first instant; chmod then applies the
    // configured mode. No other file is created while the umask is narrowed.
    const previousUmask = process.umask(0o177);
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(this.socketPath, () => {
          server.off('error', reject);
          resolve();
        });
      });
    } finally {
      process.umask(previousUmask);
    }
    await chmod(this.socketPath, this.socketMode);
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

  /**
   * Removes a socket file that nothing serves any more. Anything else at the path (a regular
   * file, a directory, a symlink) is refused: it is not ours to delete.
   */
  async #removeStaleSocket(): Promise<void> {
    let isSocket: boolean;
    try {
      isSocket = (await lstat(this.socketPath)).isSocket();
    } catch (error) {
      if (error instanceof Error && 'code' in error && error.code === 'ENOENT') return;
      throw error;
    }
    if (!isSocket) {
      throw new Error(
        `apiSocketPath ${this.socketPath} exists and is not a socket; remove it or choose another path`,
      );
    }
    const alive = await new Promise<boolean>((resolve) => {
      const socket = connect(this.socketPath);
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => {
        resolve(false);
      });
    });
    if (alive)
      throw new Error(
        `another process is serving ${this.socketPath}; is an agent already running?`,
      );
    await unlink(this.socketPath).catch((error: unknown) => {
      if (!(error instanceof Error && 'code' in error && error.code === 'ENOENT')) throw error;
    });
  }
}
