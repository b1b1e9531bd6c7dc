import type { IncomingMessage, ServerResponse } from 'node:http';

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

/** Request targets longer than this are refused before they are parsed. */
const MAX_TARGET_LENGTH = 4096;

function errorResult(status: number, code: string, message: string): RouteResult {
  return { status, body: { error: { code, message } } };
}

/** Untrusted text for a log line or an error message: JSON-escaped and bounded. */
function quote(text: string): string {
  return JSON.stringify(text.length > 100 ? `${text.slice(0, 100)}...` : text);
}

/**
 * The routes of one HTTP listener, and the one place its requests are answered. Every local
 * user can reach the metrics listener, and whoever may open the API socket can send it
 * anything, so `serve` never throws and never rejects: a request it cannot understand is a
 * 400, a handler that fails is a 500, and either is logged.
 */
export class RouteTable {
  readonly #routes = new Map<string, RouteHandler>();

  constructor(private readonly logger: Logger) {}

  route(method: string, path: string, handler: RouteHandler): this {
    this.#routes.set(`${method} ${path}`, handler);
    return this;
  }

  /** Answers `request`. Resolves once the answer is written, or the connection is gone. */
  async serve(request: IncomingMessage, response: ServerResponse): Promise<void> {
    let result: RouteResult;
    try {
      result = await this.#result(request, response);
    } catch (error) {
      this.logger.error('API handler failed', {
        reason: error instanceof Error ? error.message : String(error),
      });
      result = errorResult(500, 'internal', 'internal error');
    }
    try {
      const [text, contentType] =
        'text' in result
          ? [result.text, result.contentType]
          : [`${JSON.stringify(result.body)}\n`, 'application/json'];
      response.writeHead(result.status, {
        'content-type': contentType,
        'content-length': Buffer.byteLength(text),
      });
      response.end(text);
    } catch (error) {
      // The connection went away, or the answer could not be encoded: nothing left to tell.
      this.logger.warn('API response not sent', {
        reason: error instanceof Error ? error.message : String(error),
      });
      response.destroy();
    }
  }

  async #result(request: IncomingMessage, response: ServerResponse): Promise<RouteResult> {
    const target = request.url ?? '';
    const method = request.method ?? '';
    const url = originFormUrl(target);
    if (url === undefined) {
      this.logger.warn('bad API request', { method: method.slice(0, 20), target: quote(target) });
      return errorResult(
        400,
        'bad_request',
        `the request target must be a path such as /healthz, got ${quote(target)}`,
      );
    }
    const handler = this.#routes.get(`${method} ${url.pathname}`);
    if (handler === undefined)
      return errorResult(404, 'not_found', `no route for ${quote(method)} ${quote(url.pathname)}`);
    const gone = new AbortController();
    // The response closes before it finishes only when the connection went away first.
    response.once('close', () => {
      if (!response.writableFinished) gone.abort();
    });
    return handler(request, url, gone.signal);
  }
}

/**
 * The URL of an origin-form request target (`/path?query`), or undefined for anything else:
 * absolute-form (`http://host/...`), authority or asterisk form, or a target that does not
 * parse. The target is appended to a fixed origin, never resolved against it, so `//x` stays
 * the path `//x` and cannot name a host.
 */
function originFormUrl(target: string): URL | undefined {
  if (!target.startsWith('/') || target.length > MAX_TARGET_LENGTH) return undefined;
  const text = `http://agent${target}`;
  return URL.canParse(text) ? new URL(text) : undefined;
}
