/**
 * SPIFFE SVID benchmark (part of `npm run bench`). In one run, each figure beside a floor
 * measured with node:crypto directly:
 * - X.509-SVID issuance for an attested workload (the attestation answered at once, as a
 *   cached one is): the use case and the local authority, against a P-256 key generation and
 *   one ECDSA signature;
 * - JWT-SVID minting, against one ES256 signature over the same header and claims.
 * The streams held open are measured on the release agent (svid-stream-bench.ts).
 */
import { generateKeyPairSync, sign, webcrypto } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { LocalAuthority } from '@attestor/adapter-local-authority';
import { JsonLinesLogger, SystemClock } from '@attestor/adapter-node-process';
import { AttributeSet } from '@attestor/attributes';
import type { WorkloadIdentityConfig } from '@attestor/config';
import type { WorkloadCaller } from '@attestor/ports';
import { type Attestation, IdentityPolicy } from '@attestor/workload-attestor';
import { WorkloadIdentityService } from '@attestor/workload-identity';

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

    return [
      'SVID issuance                                      ops/s   p50 ms   p99 ms',
      row('X.509-SVID, floor (P-256 keygen + 1 ECDSA sign)', x509Floor),
      row('X.509-SVID for an attested workload', x509, x509Floor),
      row('JWT-SVID, floor (1 ES256 sign)', jwtFloor),
      row('JWT-SVID for an attested workload', jwt, jwtFloor),
    ];
  } finally {
    rmSync(state, { recursive: true, force: true });
  }
}
