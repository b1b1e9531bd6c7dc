import { connect } from 'node:net';

/**
 * Requests no well-behaved client sends, as raw bytes: each once crashed an HTTP listener, or
 * is the kind of input that does. Every one must get a 4xx answer (or a closed connection),
 * and the listener must serve the next request.
 */
export const MALFORMED_HTTP_REQUESTS: readonly { readonly name: string; readonly bytes: string }[] =
  [
    {
      name: 'an absolute-form target that is not a URL',
      bytes: 'GET http://[ HTTP/1.1\r\nHost: x\r\n\r\n',
    },
    {
      name: 'an absolute-form target',
      bytes: 'GET http://agent/healthz HTTP/1.1\r\nHost: x\r\n\r\n',
    },
    { name: 'a target that starts with //', bytes: 'GET //[/healthz HTTP/1.1\r\nHost: x\r\n\r\n' },
    { name: 'the asterisk form', bytes: 'OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n' },
    { name: 'the authority form', bytes: 'CONNECT agent:80 HTTP/1.1\r\nHost: x\r\n\r\n' },
    { name: 'an unknown method', bytes: 'BREW /metrics HTTP/1.1\r\nHost: x\r\n\r\n' },
    { name: 'a bad percent escape', bytes: 'GET /v1/attest?pid=%zz HTTP/1.1\r\nHost: x\r\n\r\n' },
    { name: 'a NUL escape in the path', bytes: 'GET /%00/metrics HTTP/1.1\r\nHost: x\r\n\r\n' },
    { name: 'a raw control byte in the target', bytes: 'GET /\x7f HTTP/1.1\r\nHost: x\r\n\r\n' },
    { name: 'a raw non-ASCII target', bytes: 'GET /m\u00e9trics HTTP/1.1\r\nHost: x\r\n\r\n' },
    { name: 'a very long target', bytes: `GET /${'a'.repeat(10_000)} HTTP/1.1\r\nHost: x\r\n\r\n` },
    {
      name: 'a huge pid',
      bytes: `GET /v1/attest?pid=${'9'.repeat(5000)} HTTP/1.1\r\nHost: x\r\n\r\n`,
    },
    { name: 'an unknown HTTP version', bytes: 'GET /metrics HTTP/9.9\r\n\r\n' },
    { name: 'no HTTP version', bytes: 'GET /nowhere\r\n\r\n' },
    {
      name: 'an oversized header',
      bytes: `GET /metrics HTTP/1.1\r\nHost: x\r\nX: ${'a'.repeat(20_000)}\r\n\r\n`,
    },
    { name: 'a bad Host header', bytes: 'GET /nowhere HTTP/1.1\r\nHost: [\r\n\r\n' },
    {
      name: 'a negative Content-Length',
      bytes: 'GET / HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n',
    },
    {
      name: 'a broken chunked body',
      bytes: 'POST /v1/attest HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n\r\n',
    },
    {
      name: 'both Content-Length and chunked',
      bytes:
        'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
    },
    {
      name: 'a body on an unknown route',
      bytes: 'POST /v1/attest HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello',
    },
    {
      name: 'an upgrade request',
      bytes:
        'GET /nowhere HTTP/1.1\r\nHost: x\r\nConnection: upgrade\r\nUpgrade: websocket\r\n\r\n',
    },
    { name: 'a TLS ClientHello', bytes: '\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03' },
    { name: 'a bare line feed', bytes: '\n' },
    { name: 'no Host header', bytes: 'GET http://[ HTTP/1.1\r\n\r\n' },
  ];

/** Where a listener is: a unix socket path, or a TCP host and port. */
export type ListenerAddress =
  { readonly path: string } | { readonly host: string; readonly port: number };

/**
 * Sends raw bytes to a listener and returns what came back before it closed the connection
 * (or `timeoutMs` passed, or a first complete answer arrived).
 */
export function sendRawHttp(
  address: ListenerAddress,
  bytes: string,
  timeoutMs = 5_000,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = 'path' in address ? connect(address.path) : connect(address.port, address.host);
    let received = '';
    const done = (): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(received);
    };
    const timer = setTimeout(done, timeoutMs);
    socket.on('connect', () => socket.end(Buffer.from(bytes, 'latin1')));
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString('latin1');
      // One answer is enough: a head, and a body as long as its Content-Length says.
      const headEnd = received.indexOf('\r\n\r\n');
      const length = /\r\ncontent-length: (\d+)/i.exec(received)?.[1];
      if (headEnd >= 0 && length !== undefined && received.length >= headEnd + 4 + Number(length))
        done();
    });
    socket.on('end', done);
    socket.on('close', done);
    socket.on('error', (error: NodeJS.ErrnoException) => {
      // A listener that answers and closes at once may reset the connection.
      if (error.code === 'ECONNRESET' || error.code === 'EPIPE') done();
      else {
        clearTimeout(timer);
        reject(error);
      }
    });
  });
}

/** The status code of a raw HTTP answer, or undefined when nothing was answered. */
export function rawHttpStatus(answer: string): number | undefined {
  const match = /^HTTP\/1\.[01] (\d{3}) /.exec(answer);
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

/**
 * Sends each request of MALFORMED_HTTP_REQUESTS to a listener and returns the names of those
 * not refused: answered otherwise than with a 4xx, or not closed. `afterEach` runs after every
 * one (to check that the listener still serves, say).
 */
export async function unrefusedMalformedRequests(
  address: ListenerAddress,
  afterEach?: (name: string) => Promise<void>,
): Promise<string[]> {
  const unrefused: string[] = [];
  for (const { name, bytes } of MALFORMED_HTTP_REQUESTS) {
    const status = rawHttpStatus(await sendRawHttp(address, bytes));
    if (!(status === undefined || (status >= 400 && status < 500))) unrefused.push(name);
    await afterEach?.(name);
  }
  return unrefused;
}
