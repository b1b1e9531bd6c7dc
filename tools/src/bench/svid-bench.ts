/**
 * SPIFFE SVID benchmark (part of `npm run bench`). In one run, each figure beside a floor
 * measured with node:crypto directly:
 * - X.509-SVID issuance for an attested workload (the attestation answered at once, as a
 *   cached one is): the use case and the local authority, against a P-256 key generation and
 *   one ECDSA signature;
 * - JWT-SVID minting, against one ES256 signature over the same header and claims;
 * - 1,000 FetchX509SVID streams held open on 1,000 connections (clients in another process):
 *   the agent side's RSS;
 * - the time until all 1,000 streams have received a re-issued SVID after one change.
 */
import { spawn } from 'node:child_process';
import { generateKeyPairSync, sign, webcrypto } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

import { LocalAuthority } from '@attestor/adapter-local-authority';
import { JsonLinesLogger, SystemClock } from '@attestor/adapter-node-process';
import { AttributeSet } from '@attestor/attributes';
import type { WorkloadIdentityConfig } from '@attestor/config';
import type { WorkloadCaller } from '@attestor/ports';
import { WorkloadApiServer } from '@attestor/workload-api';
import { type Attestation, IdentityPolicy } from '@attestor/workload-attestor';
import { WorkloadIdentityService } from '@attestor/workload-identity';

const STREAMS = Number(process.env['ATTESTOR_BENCH_STREAMS'] ?? 1000);
const ROUNDS = 2_000;

interface Timing {
  readonly p50: number;
  readonly p99: number;
  readonly opsPerSecond: number;
}

async function time(count: number, operation: () => Promise<unknown>): Promise<Timing> {
  const samples: number[] = [];
  const started = performance.now();
  for (let index = 0; index < count; index++) {
    const begin = performance.now();
    await operation();
    samples.push(performance.now() - begin);
  }
  const elapsed = performance.now() - started;
  samples.sort((a, b) => a - b);
  return {
    p50: samples[Math.floor(count / 2)] ?? Number.NaN,
    p99: samples[Math.floor(count * 0.99)] ?? Number.NaN,
    opsPerSecond: (count / elapsed) * 1000,
  };
}

function row(name: string, result: Timing, floor?: Timing): string {
  return [
    name.padEnd(48),
    result.opsPerSecond.toFixed(0).padStart(9),
    result.p50.toFixed(3).padStart(9),
    result.p99.toFixed(3).padStart(9),
    floor === undefined ? '' : `  ${(result.p50 / floor.p50).toFixed(2)}x floor p50`,
  ].join('');
}

const CONFIG: WorkloadIdentityConfig = {
  trustDomain: 'example.org',
  workloadApiSocketPath: '/unused',
  stateDirectory: '/unused',
  x509SvidTtlMs: 3_600_000,
  jwtSvidTtlMs: 300_000,
  identities: [
    {
      name: 'payments',
      match: [{ attribute: 'docker.container.label["com.example.app"]', pattern: 'payments' }],
      admitsRootless: false,
      pathTemplate: '/workloads/{{docker.container.label["com.example.app"]}}',
      x509Subject: { organization: 'Example' },
      jwtClaims: { team: '{{docker.container.label["com.example.app"]}}' },
    },
  ],
};

const ATTESTATION: Attestation = {
  kind: 'attested',
  pid: 4242,
  containerId: 'c'.repeat(64),
  runtime: { kind: 'docker', socketPath: '/var/run/docker.sock' },
  pidNamespace: 'container',
  attributes: AttributeSet.builder()
    .string('docker.container.label["com.example.app"]', 'payments')
    .string('docker.runtime', 'docker')
    .done(),
};

const CALLER: WorkloadCaller = { pid: 4242, uid: 0, gid: 0, stillConnected: () => true };

function rssMiB(): number {
  return process.memoryUsage().rss / 1024 / 1024;
}

/** What V8 and Node account for: the live JS heap and the memory outside it (buffers included). */
function heapMiB(): number {
  const { heapUsed, external } = process.memoryUsage();
  return (heapUsed + external) / 1024 / 1024;
}

export async function svidBenchmark(): Promise<string[]> {
  const state = mkdtempSync(join(tmpdir(), 'attestor-bench-svid-'));
  try {
    const authority = await LocalAuthority.open(join(state, 'state'), 'example.org');
    const logger = new JsonLinesLogger(
      (line) => process.stderr.write(line),
      new SystemClock(),
      'error',
    );
    const service = new WorkloadIdentityService(
      { attest: () => Promise.resolve(ATTESTATION) },
      authority,
      { policy: new IdentityPolicy(CONFIG), x509SvidTtlMs: 3_600_000, jwtSvidTtlMs: 300_000 },
      logger,
    );
    const signal = new AbortController().signal;

    // The floors: what any issuer must do, with node:crypto and nothing else.
    const caKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    const tbs = Buffer.alloc(420, 7);
    const x509Floor = await time(ROUNDS, async () => {
      await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, [
        'sign',
        'verify',
      ]);
      sign('sha256', tbs, caKey);
    });
    const x509 = await time(ROUNDS, () => service.x509Svids(CALLER, signal));
    const signingInput = Buffer.from(
      `${Buffer.from(JSON.stringify({ alg: 'ES256', kid: 'k', typ: 'JWT' })).toString('base64url')}.${Buffer.from(
        JSON.stringify({
          sub: 'spiffe://example.org/workloads/payments',
          aud: 'a',
          exp: 1,
          iat: 1,
          team: 'payments',
        }),
      ).toString('base64url')}`,
    );
    const jwtFloor = await time(ROUNDS, () => {
      sign('sha256', signingInput, { key: caKey, dsaEncoding: 'ieee-p1363' });
      return Promise.resolve();
    });
    const jwt = await time(ROUNDS, () => service.jwtSvids(CALLER, ['a'], undefined, signal));

    const streams = await streamBenchmark(service, state);
    return [
      'SVID issuance                                      ops/s   p50 ms   p99 ms',
      row('X.509-SVID, floor (P-256 keygen + 1 ECDSA sign)', x509Floor),
      row('X.509-SVID for an attested workload', x509, x509Floor),
      row('JWT-SVID, floor (1 ES256 sign)', jwtFloor),
      row('JWT-SVID for an attested workload', jwt, jwtFloor),
      '',
      `${String(STREAMS)} FetchX509SVID streams held open: agent RSS ${streams.rssBefore.toFixed(0)} MiB before, ${streams.rssOpen.toFixed(0)} MiB with them open (+${(streams.rssOpen - streams.rssBefore).toFixed(0)} MiB; live heap and buffers +${streams.heapGrowth.toFixed(0)} MiB, ${((streams.heapGrowth * 1024) / STREAMS).toFixed(0)} KiB a stream)`,
      `all ${String(STREAMS)} streams re-issued after one change in ${streams.rotatedMs.toFixed(0)} ms`,
    ];
  } finally {
    rmSync(state, { recursive: true, force: true });
  }
}

async function streamBenchmark(
  service: WorkloadIdentityService,
  state: string,
): Promise<{ rssBefore: number; rssOpen: number; heapGrowth: number; rotatedMs: number }> {
  const socketPath = join(state, 'workload', 'api.sock');
  const server = new WorkloadApiServer(
    service,
    new JsonLinesLogger((line) => process.stderr.write(line), new SystemClock(), 'error'),
    { socketPath },
  );
  await server.start();
  try {
    (globalThis as { gc?: () => void }).gc?.();
    const rssBefore = rssMiB();
    const heapBefore = heapMiB();
    const clients = spawn(
      process.execPath,
      [join(import.meta.dirname, 'svid-stream-clients.js'), socketPath, String(STREAMS)],
      { stdio: ['pipe', 'pipe', 'inherit'] },
    );
    const lines = createInterface({ input: clients.stdout });
    const next = (prefix: string) =>
      new Promise<string>((resolve) => {
        const onLine = (line: string) => {
          if (!line.startsWith(prefix)) return;
          lines.off('line', onLine);
          resolve(line);
        };
        lines.on('line', onLine);
      });
    await next('ready');
    (globalThis as { gc?: () => void }).gc?.();
    const rssOpen = rssMiB();
    const heapOpen = heapMiB();
    const rotated = next('rotated');
    clients.stdin.write('go\n');
    service.changed();
    const rotatedMs = Number((await rotated).split(' ')[1]);
    clients.stdin.write('stop\n');
    await new Promise((resolve) => clients.once('exit', resolve));
    return { rssBefore, rssOpen, heapGrowth: heapOpen - heapBefore, rotatedMs };
  } finally {
    await server.stop();
  }
}
