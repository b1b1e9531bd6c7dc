/**
 * The floors of svid-stream-bench.ts, bundled into one file and run on the release agent's Node
 * with the agent's flags, each server in a process of its own. `node floor.mjs MODE SOCKET N`:
 * - `http2`: a bare node:http2 server whose N streams each get 1,400 bytes and stay open
 *   (what any Node gRPC server pays before a line of its code runs); `http2-client` opens them;
 * - `grpc`: the gRPC library the agent serves the Workload API with (grpc-js, configured as
 *   the agent configures it, through the package's bridge from the generated messages), whose
 *   FetchX509SVID sends each stream one SVID-sized answer and holds it open; the clients are
 *   svid-stream-clients.ts.
 * A server prints `idle <RSS MiB>` once listening and `open <RSS MiB>` once N streams are open.
 */
import { readFileSync } from 'node:fs';
import {
  connect,
  createServer,
  type Http2ServerRequest,
  type Http2ServerResponse,
} from 'node:http2';
import { connect as dial } from 'node:net';

import { addService, SpiffeWorkloadAPI, WORKLOAD_API_SERVER_OPTIONS } from '@attestor/workload-api';
import { create } from '@bufbuild/protobuf';
import { Server, ServerCredentials } from '@grpc/grpc-js';

const [mode = '', socketPath = '', countText = '1000'] = process.argv.slice(2);
const count = Number(countText);

function rss(): string {
  const status = readFileSync('/proc/self/status', 'utf8');
  return (Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1]) / 1024).toFixed(1);
}

let open = 0;
function opened(): void {
  if (++open === count)
    setTimeout(() => {
      process.stdout.write(`open ${rss()}\n`);
    }, 1_000);
}

function untilAborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    signal.addEventListener(
      'abort',
      () => {
        resolve();
      },
      { once: true },
    );
  });
}

if (mode === 'http2-client') {
  for (let index = 0; index < count; index++) {
    const session = connect('http://localhost', { createConnection: () => dial(socketPath) });
    session.on('error', () => undefined);
    session
      .request({ ':method': 'POST', ':path': '/x', 'content-type': 'application/grpc' })
      .on('data', () => undefined)
      .on('error', () => undefined);
    await new Promise((resolve) => setImmediate(resolve));
  }
} else {
  // The sizes of an SVID answer: a leaf certificate, its PKCS#8 key, a one-CA bundle.
  const svid = {
    spiffeId: 'spiffe://example.org/workloads/payments',
    x509Svid: new Uint8Array(700).fill(1),
    x509SvidKey: new Uint8Array(138).fill(2),
    bundle: new Uint8Array(500).fill(3),
    hint: 'payments',
  };
  if (mode === 'http2') {
    const server = createServer(
      { maxSessionMemory: 1, settings: { maxConcurrentStreams: 16 } },
      (_request: Http2ServerRequest, response: Http2ServerResponse) => {
        response.writeHead(200, { 'content-type': 'application/grpc' });
        response.write(Buffer.alloc(1400, 1));
        opened();
      },
    );
    server.listen(socketPath, () => {
      process.stdout.write(`idle ${rss()}\n`);
    });
  } else {
    const answer = create(SpiffeWorkloadAPI.method.fetchX509SVID.output, { svids: [svid] });
    const server = new Server(WORKLOAD_API_SERVER_OPTIONS);
    addService(server, SpiffeWorkloadAPI, {
      async *fetchX509SVID(_request, context) {
        yield answer;
        opened();
        await untilAborted(context.signal);
      },
    });
    server.bindAsync(`unix:${socketPath}`, ServerCredentials.createInsecure(), (error) => {
      if (error !== null) throw error;
      process.stdout.write(`idle ${rss()}\n`);
    });
  }
}
