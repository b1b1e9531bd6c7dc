/**
 * The client side of svid-stream-bench.ts, bundled into one file and run inside a Docker
 * container (so that the agent attests it as a workload): opens N FetchX509SVID streams on N
 * connections to the socket in argv and says `ready` once every stream has its first SVID.
 * Told `go` on stdin, it says `reissued <ms>` once every stream has received a second one (ms
 * since `go`), then `rotated <ms>` once every stream has received a third (ms from the first
 * third to the last).
 */
import { connect } from 'node:net';

import { SpiffeWorkloadAPI } from '@attestor/workload-api';
import { createClient } from '@connectrpc/connect';
import { createGrpcTransport } from '@connectrpc/connect-node';

const [socketPath = '', countText = '1000'] = process.argv.slice(2);
const count = Number(countText);
const received = new Uint32Array(count);
let firsts = 0;
let seconds = 0;
let thirds = 0;
let goAt = 0;
let firstThirdAt = 0;
const controller = new AbortController();

for (let index = 0; index < count; index++) {
  // One connection per stream, as separate workloads have.
  const client = createClient(
    SpiffeWorkloadAPI,
    createGrpcTransport({
      baseUrl: 'http://localhost',
      nodeOptions: { createConnection: () => connect(socketPath) },
    }),
  );
  void (async () => {
    const stream = client.fetchX509SVID(
      {},
      { headers: { 'workload.spiffe.io': 'true' }, signal: controller.signal },
    );
    for await (const response of stream) {
      if (response.svids.length === 0) continue;
      received[index] = (received[index] ?? 0) + 1;
      if (received[index] === 1 && ++firsts === count) process.stdout.write('ready\n');
      if (received[index] === 2 && ++seconds === count)
        process.stdout.write(`reissued ${(performance.now() - goAt).toFixed(1)}\n`);
      if (received[index] === 3) {
        if (thirds++ === 0) firstThirdAt = performance.now();
        if (thirds === count) {
          process.stdout.write(`rotated ${(performance.now() - firstThirdAt).toFixed(1)}\n`);
          controller.abort();
        }
      }
    }
  })().catch(() => undefined);
}

process.stdin.on('data', (data: Buffer) => {
  if (data.toString().includes('go')) goAt = performance.now();
  if (data.toString().includes('stop')) process.exit(0);
});
