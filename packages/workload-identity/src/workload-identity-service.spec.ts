import { AttributeSet } from '@attestor/attributes';
import type { IdentityConfig, WorkloadIdentityConfig } from '@attestor/config';
import {
  type SvidAuthority,
  type SvidSubject,
  type WorkloadCaller,
  WorkloadIdentityError,
  type X509Svid,
} from '@attestor/ports';
import { RecordingLogger, rejection } from '@attestor/testing';
import { type Attestation, AttestationError, IdentityPolicy } from '@attestor/workload-attestor';
import { describe, expect, it } from 'vitest';

import { type Attestor, WorkloadIdentityService } from './workload-identity-service.js';

const CALLER: WorkloadCaller = { pid: 4242, uid: 1000, gid: 1000, stillConnected: () => true };

function settings(identities: readonly Partial<IdentityConfig>[], ttl = 3_600_000) {
  const config: WorkloadIdentityConfig = {
    trustDomain: 'example.org',
    workloadApiSocketPath: '/run/attestor/workload/api.sock',
    stateDirectory: '/var/lib/attestor',
    x509SvidTtlMs: ttl,
    jwtSvidTtlMs: 300_000,
    identities: identities.map((identity, index) => ({
      name: `identity-${String(index)}`,
      match: [],
      admitsRootless: false,
      pathTemplate: '/w',
      x509Subject: {},
      jwtClaims: {},
      ...identity,
    })),
  };
  return { policy: new IdentityPolicy(config), x509SvidTtlMs: ttl, jwtSvidTtlMs: 300_000 };
}

const ATTRIBUTES = AttributeSet.builder()
  .string('docker.container.label["com.example.app"]', 'payments')
  .string('docker.runtime', 'docker')
  .done();

function attested(pid: number): Attestation {
  return {
    kind: 'attested',
    pid,
    containerId: 'c'.repeat(64),
    runtime: { kind: 'docker', socketPath: '/var/run/docker.sock' },
    pidNamespace: 'container',
    attributes: ATTRIBUTES,
  };
}

/** An authority that records what it was asked to sign. */
class RecordingAuthority implements SvidAuthority {
  readonly trustDomain = 'example.org';
  readonly issued: { spiffeId: string; subject: SvidSubject; ttlMs: number; hint: string }[] = [];
  readonly signed: { spiffeId: string; audience: readonly string[]; claims: object }[] = [];

  issueX509Svid(spiffeId: string, subject: SvidSubject, ttlMs: number, hint: string) {
    this.issued.push({ spiffeId, subject, ttlMs, hint });
    const svid: X509Svid = {
      spiffeId,
      certificates: [Uint8Array.of(1)],
      privateKey: Uint8Array.of(2),
      hint,
      notAfter: new Date(Date.now() + ttlMs),
    };
    return Promise.resolve(svid);
  }

  signJwtSvid(spiffeId: string, audience: readonly string[], claims: object) {
    this.signed.push({ spiffeId, audience, claims });
    return Promise.resolve({ token: `jwt:${spiffeId}`, expiresAt: new Date() });
  }

  bundle() {
    return { trustDomain: 'example.org', x509Authorities: [], jwtKeys: { keys: [] } };
  }

  validateJwtSvid(token: string) {
    if (token === 'good')
      return Promise.resolve({ spiffeId: 'spiffe://example.org/a', claims: {} });
    // A library may reject with something that is not an Error.
    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
    if (token === 'odd') return Promise.reject('not a token');
    return Promise.reject(new Error('"exp" claim timestamp check failed'));
  }
}

function service(attestor: Attestor, identities: readonly Partial<IdentityConfig>[]) {
  const authority = new RecordingAuthority();
  const logger = new RecordingLogger();
  return {
    authority,
    logger,
    service: new WorkloadIdentityService(attestor, authority, settings(identities), logger),
  };
}

const attestsCaller: Attestor = { attest: (pid) => Promise.resolve(attested(pid)) };
const signal = new AbortController().signal;

describe(WorkloadIdentityService, () => {
  it("attests the kernel's caller and has every identity it matches signed", async () => {
    const seen: number[] = [];
    const { service: subject, authority } = service(
      {
        attest: (pid) => {
          seen.push(pid);
          return Promise.resolve(attested(pid));
        },
      },
      [
        {
          name: 'payments',
          pathTemplate: '/workloads/{{docker.container.label["com.example.app"]}}',
          x509Subject: { commonName: '{{docker.container.label["com.example.app"]}}' },
        },
        { name: 'all', pathTemplate: '/all' },
      ],
    );
    const svids = await subject.x509Svids(CALLER, signal);
    expect(seen).toStrictEqual([4242]);
    expect(svids.map(({ spiffeId, hint }) => [spiffeId, hint])).toStrictEqual([
      ['spiffe://example.org/workloads/payments', 'payments'],
      ['spiffe://example.org/all', 'all'],
    ]);
    expect(authority.issued[0]).toStrictEqual({
      spiffeId: 'spiffe://example.org/workloads/payments',
      subject: { commonName: 'payments' },
      ttlMs: 3_600_000,
      hint: 'payments',
    });
  });

  it('logs each issuance: to whom and which identities, never an attribute value', async () => {
    const { service: subject, logger } = service(attestsCaller, [
      { name: 'all', pathTemplate: '/all' },
    ]);
    await subject.x509Svids(CALLER, signal);
    await subject.jwtSvids(CALLER, ['https://api.example'], undefined, signal);
    const issued = logger.records.filter((record) => record.message === 'identity issued');
    expect(issued.map((record) => [record.level, record.fields['svid']])).toStrictEqual([
      ['info', 'x509'],
      ['info', 'jwt'],
    ]);
    expect(issued[0]?.fields).toMatchObject({
      pid: 4242,
      runtime: 'docker',
      identities: ['all'],
      spiffeIds: ['spiffe://example.org/all'],
    });
    expect(JSON.stringify(issued)).not.toContain('payments');
  });

  it.each([
    ['untrusted_cgroup', 'permission_denied'],
    ['process_changed', 'permission_denied'],
    ['runtime_unavailable', 'unavailable'],
    ['deadline_exceeded', 'unavailable'],
  ] as const)('answers an attestation failure %s as %s', async (code, expected) => {
    const { service: subject } = service(
      { attest: () => Promise.reject(new AttestationError(code, 'refused')) },
      [{}],
    );
    expect((await rejection(WorkloadIdentityError, subject.x509Svids(CALLER, signal))).code).toBe(
      expected,
    );
  });

  it('denies a process outside any container, and one that matches nothing', async () => {
    const host = service(
      {
        attest: (pid) =>
          Promise.resolve({ kind: 'not_in_container', pid, attributes: AttributeSet.empty }),
      },
      [{}],
    ).service;
    expect(await rejection(WorkloadIdentityError, host.x509Svids(CALLER, signal))).toMatchObject({
      code: 'permission_denied',
      message: 'process 4242 is not in a container',
    });
    const unmatched = service(attestsCaller, [
      { match: [{ attribute: 'docker.runtime', pattern: 'podman' }] },
    ]).service;
    expect((await rejection(WorkloadIdentityError, unmatched.x509Svids(CALLER, signal))).code).toBe(
      'permission_denied',
    );
  });

  it('denies, naming the attribute, when the only identity lacks one; logs it', async () => {
    const { service: subject, logger } = service(attestsCaller, [
      { name: 'signed', pathTemplate: '/s/{{docker.image.signature.subject}}' },
    ]);
    const error = await rejection(WorkloadIdentityError, subject.x509Svids(CALLER, signal));
    expect(error.code).toBe('permission_denied');
    expect(error.message).toContain('missing attribute docker.image.signature.subject');
    expect(logger.records).toContainEqual(
      expect.objectContaining({
        level: 'warn',
        fields: expect.objectContaining({
          identity: 'signed',
          pid: 4242,
          attribute: 'docker.image.signature.subject',
        }) as unknown,
      }),
    );
  });

  it('passes on a failure that is not an attestation refusal, and logs a bad path', async () => {
    const broken = service({ attest: () => Promise.reject(new Error('defect')) }, [{}]).service;
    await expect(broken.x509Svids(CALLER, signal)).rejects.toThrow('defect');
    const slashed = AttributeSet.builder()
      .string('docker.container.label["com.example.app"]', 'a/b')
      .done();
    const { service: subject, logger } = service(
      { attest: (pid) => Promise.resolve({ ...attested(pid), attributes: slashed }) },
      [{ name: 'app', pathTemplate: '/{{docker.container.label["com.example.app"]}}' }],
    );
    expect((await rejection(WorkloadIdentityError, subject.x509Svids(CALLER, signal))).code).toBe(
      'permission_denied',
    );
    expect(logger.records[0]?.fields).toMatchObject({
      identity: 'app',
      code: 'invalid_spiffe_id_path',
    });
    expect(logger.records[0]?.fields).not.toHaveProperty('attribute');
  });

  it('signs JWT-SVIDs with the identity claims, for one SPIFFE ID when asked', async () => {
    const { service: subject, authority } = service(attestsCaller, [
      {
        name: 'a',
        pathTemplate: '/a',
        jwtClaims: { app: '{{docker.container.label["com.example.app"]}}' },
      },
      { name: 'b', pathTemplate: '/b' },
    ]);
    const svids = await subject.jwtSvids(CALLER, ['aud'], 'spiffe://example.org/b', signal);
    expect(svids).toStrictEqual([
      { spiffeId: 'spiffe://example.org/b', hint: 'b', token: 'jwt:spiffe://example.org/b' },
    ]);
    await subject.jwtSvids(CALLER, ['aud'], undefined, signal);
    expect(authority.signed.map(({ spiffeId, claims }) => [spiffeId, claims])).toStrictEqual([
      ['spiffe://example.org/b', {}],
      ['spiffe://example.org/a', { app: 'payments' }],
      ['spiffe://example.org/b', {}],
    ]);
    // Someone else's SPIFFE ID gets nothing.
    expect(
      (
        await rejection(
          WorkloadIdentityError,
          subject.jwtSvids(CALLER, ['aud'], 'spiffe://example.org/admin', signal),
        )
      ).code,
    ).toBe('permission_denied');
  });

  it('answers a bad JWT-SVID invalid_token', async () => {
    const { service: subject } = service(attestsCaller, [{}]);
    expect(await subject.validateJwtSvid('good', 'aud')).toMatchObject({
      spiffeId: 'spiffe://example.org/a',
    });
    expect(
      await rejection(WorkloadIdentityError, subject.validateJwtSvid('bad', 'aud')),
    ).toMatchObject({
      code: 'invalid_token',
      message: 'the JWT-SVID is not valid: "exp" claim timestamp check failed',
    });
    expect(
      await rejection(WorkloadIdentityError, subject.validateJwtSvid('odd', 'aud')),
    ).toMatchObject({
      message: 'the JWT-SVID is not valid: not a token',
    });
  });

  it('tells open streams of a reload, and serves the new policy', async () => {
    const { service: subject } = service(attestsCaller, [{ pathTemplate: '/old' }]);
    let told = 0;
    const stop = subject.onChange(() => {
      told++;
    });
    subject.update(settings([{ pathTemplate: '/new' }]));
    expect(told).toBe(1);
    expect((await subject.x509Svids(CALLER, signal))[0]?.spiffeId).toBe('spiffe://example.org/new');
    stop();
    subject.changed();
    expect(told).toBe(1);
  });
});
