import { request } from 'node:http';

/** An answer of `getOverUnixSocket`: the status, the text, and the JSON when it is JSON. */
export interface UnixHttpAnswer {
  readonly status: number;
  readonly body: unknown;
  readonly text: string;
}

/** `GET path` over the HTTP server on a unix socket, as `curl --unix-socket` does. */
export function getOverUnixSocket(socketPath: string, path: string): Promise<UnixHttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, path, method: 'GET' }, (response) => {
      let text = '';
      response.on('data', (chunk: Buffer) => (text += chunk.toString()));
      response.on('end', () => {
        const json = (response.headers['content-type'] ?? '').startsWith('application/json');
        resolve({
          status: response.statusCode ?? 0,
          body: json ? JSON.parse(text) : undefined,
          text,
        });
      });
    });
    req.on('error', reject);
    req.end();
  });
}
