/**
 * The client side of the SVID benchmark's stream test, in a process of its own so that the
 * agent's memory is measured without it: opens N FetchX509SVID streams on N connections to
 * the socket in argv, says `ready` once every stream has its first SVID, then, told `go` on
 * stdin, says how many milliseconds it took until every stream had received a second one.
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
let goAt = 0;
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
      if (received[index] === 2 && ++seconds === count) {
        process.stdout.write(`rotated ${(performance.now() - goAt).toFixed(1)}\n`);
        controller.abort();
      }
    }
  })().catch(() => undefined);
}

process.stdin.on('data', (data: Buffer) => {
  if (data.toString().includes('go')) goAt = performance.now();
  if (data.toString().includes('stop')) process.exit(0);
});
