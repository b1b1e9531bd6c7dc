import { chmod, mkdir, unlink } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { connect } from 'node:net';
import { dirname } from 'node:path';

import type { Logger } from '@attestor/ports';

/** A JSON body, or raw text with its content type (for /metrics). */
export type RouteResult =
  | { readonly status: number; readonly body: unknown }
  | { readonly status: number; readonly text: string; readonly contentType: string };

/**
 * A route. `callerGone` aborts when the client closes the connection before the response is
 * sent: work done only for this caller can stop.
 */
export type RouteHandler = (
  request: IncomingMessage,
  url: URL,
  callerGone: AbortSignal,
) => Promise<RouteResult>;

/**
 * The agent's local HTTP API, on a unix socket only (never TCP): the socket's file mode is the
 * access control. A stale socket file left by a crashed agent is replaced; a live one means
 * another agent runs, and starting fails.
 */
export class LocalApiServer {
  readonly #routes = new Map<string, RouteHandler>();
  #server: Server | undefined;

  constructor(
    private readonly socketPath: string,
    private readonly socketMode: number,
    private readonly logger: Logger,
  ) {}

  route(method: string, path: string, handler: RouteHandler): this {
    this.#routes.set(`${method} ${path}`, handler);
    return this;
  }

  async start(): Promise<void> {
    await mkdir(dirname(this.socketPath), { recursive: true, mode: 0o755 });
    await this.#removeStaleSocket();
    const server = createServer((request, response) => {
      void this.#handle(request, response);
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
    this.logger.info('local API listening', {
      socket: this.socketPath,
      mode: `0${this.socketMode.toString(8)}`,
    });
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

  async #handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://agent');
    const method = request.method ?? 'GET';
    const handler = this.#routes.get(`${method} ${url.pathname}`);
    let result: RouteResult = {
      status: 404,
      body: { error: { code: 'not_found', message: `no route for ${method} ${url.pathname}` } },
    };
    if (handler !== undefined) {
      const gone = new AbortController();
      // The response closes before it finishes only when the connection went away first.
      response.once('close', () => {
        if (!response.writableFinished) gone.abort();
      });
      try {
        result = await handler(request, url, gone.signal);
      } catch (error) {
        this.logger.error('API handler failed', {
          path: url.pathname,
          reason: error instanceof Error ? error.message : String(error),
        });
        result = { status: 500, body: { error: { code: 'internal', message: 'internal error' } } };
      }
    }
    const [text, contentType] =
      'text' in result
        ? [result.text, result.contentType]
        : [`${JSON.stringify(result.body)}\n`, 'application/json'];
    response.writeHead(result.status, {
      'content-type': contentType,
      'content-length': Buffer.byteLength(text),
    });
    response.end(text);
  }

  async #removeStaleSocket(): Promise<void> {
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
