import { AttributeError, AttributeSet } from '@attestor/attributes';
import type { IdentityConfig, WorkloadIdentityConfig } from '@attestor/config';
import type { RuntimeEndpoint } from '@attestor/ports';
import { thrown } from '@attestor/testing';
import { describe, expect, it } from 'vitest';

import type { Attestation } from './workload-attestor.js';
import { IdentityError, IdentityPolicy, spiffeIdOf } from './workload-identity.js';

/** A section of one identity, as the single-template form makes it. */
function section(identities: readonly Partial<IdentityConfig>[]): WorkloadIdentityConfig {
  return {
    trustDomain: 'example.org',
    workloadApiSocketPath: '/run/attestor/workload/api.sock',
    stateDirectory: '/var/lib/attestor',
    x509SvidTtlMs: 3_600_000,
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
}

const IDENTITY = section([
  {
    pathTemplate:
      '/workloads/{{docker.container.label["com.example.app"]}}/{{docker.image.signature.log_index}}',
  },
]);

const DOCKER: RuntimeEndpoint = { kind: 'docker', socketPath: '/var/run/docker.sock' };
const ROOTLESS: RuntimeEndpoint = {
  kind: 'podman-rootless',
  socketPath: '/run/user/1001/podman/podman.sock',
  ownerUid: 1001,
};

/** An attestation of pid 42 in a container, vouched for by `runtime`. */
function attested(attributes: AttributeSet, runtime: RuntimeEndpoint = DOCKER): Attestation {
  return {
    kind: 'attested',
    pid: 42,
    containerId: 'c'.repeat(64),
    runtime,
    pidNamespace: 'container',
    attributes,
  };
}

describe(spiffeIdOf, () => {
  it('renders the path template under the trust domain', () => {
    const attributes = AttributeSet.builder()
      .string('docker.container.label["com.example.app"]', 'payments')
      .uint64('docker.image.signature.log_index', 42n)
      .done();
    expect(spiffeIdOf(IDENTITY, attested(attributes))).toBe(
      'spiffe://example.org/workloads/payments/42',
    );
  });

  describe('having a workload a rootless socket vouched for', () => {
    const attributes = AttributeSet.builder()
      .string('docker.container.label["com.example.app"]', 'payments')
      .uint64('docker.image.signature.log_index', 42n)
      .done();

    it('refuses it by default, with rootless_runtime_refused', () => {
      let error: unknown;
      try {
        spiffeIdOf(IDENTITY, attested(attributes, ROOTLESS));
      } catch (caught) {
        error = caught;
      }
      expect(IdentityError.is(error)).toBe(true);
      expect(error).toMatchObject({
        code: 'rootless_runtime_refused',
        message:
          'process 42 was vouched for by the rootless Podman socket of uid 1001, which its user controls; no identity it matches admits rootless runtimes (an identity does by naming docker.runtime in its match)',
      });
    });

    it('says the uid is unknown when the runtime did not name it', () => {
      const withoutUid: RuntimeEndpoint = { kind: ROOTLESS.kind, socketPath: ROOTLESS.socketPath };
      expect(
        thrown(IdentityError, () => spiffeIdOf(IDENTITY, attested(attributes, withoutUid))),
      ).toMatchObject({
        code: 'rootless_runtime_refused',
        message: expect.stringContaining('rootless Podman socket of uid ?,') as unknown,
      });
    });

    it('issues it when the identity section allows rootless runtimes', () => {
      expect(
        spiffeIdOf(
          section([{ ...IDENTITY.identities[0], admitsRootless: true }]),
          attested(attributes, ROOTLESS),
        ),
      ).toBe('spiffe://example.org/workloads/payments/42');
    });
  });

  it('fails with missing_attribute, naming it, when a signature attribute is absent (fail-open verification)', () => {
    const attributes = AttributeSet.builder()
      .string('docker.container.label["com.example.app"]', 'payments')
      .done();
    let error: unknown;
    try {
      spiffeIdOf(IDENTITY, attested(attributes));
    } catch (caught) {
      error = caught;
    }
    expect(AttributeError.is(error)).toBe(true);
    expect(error).toMatchObject({
      code: 'missing_attribute',
      attribute: 'docker.image.signature.log_index',
    });
  });

  it('refuses a rendered path that is not a SPIFFE ID path', () => {
    const attributes = AttributeSet.builder()
      .string('docker.container.label["com.example.app"]', 'pay/../ments')
      .uint64('docker.image.signature.log_index', 1n)
      .done();
    let error: unknown;
    try {
      spiffeIdOf(IDENTITY, attested(attributes));
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toMatchObject({
      code: 'invalid_spiffe_id_path',
      message: expect.stringContaining(
        'would take the value of docker.container.label["com.example.app"]',
      ) as unknown,
    });
  });
});

describe(IdentityPolicy, () => {
  const payments = AttributeSet.builder()
    .string('docker.container.label["com.example.app"]', 'payments')
    .string('docker.container.label["com.example.team"]', 'billing')
    .string('docker.image.signature.issuer', 'https://token.actions.githubusercontent.com')
    .string('docker.runtime', 'docker')
    .uint64('docker.runtime.owner_uid', 1000n)
    .done();

  it('issues every identity whose match holds, in file order, rendering subject and claims', () => {
    const policy = new IdentityPolicy(
      section([
        {
          name: 'payments',
          match: [
            { attribute: 'docker.container.label["com.example.app"]', pattern: 'pay*' },
            {
              attribute: 'docker.image.signature.issuer',
              pattern: 'https://token.actions.githubusercontent.com',
            },
          ],
          pathTemplate: '/workloads/{{docker.container.label["com.example.app"]}}',
          x509Subject: {
            organization: 'Example',
            commonName: '{{docker.container.label["com.example.app"]}}',
          },
          jwtClaims: { team: '{{docker.container.label["com.example.team"]}}' },
        },
        { name: 'other', match: [{ attribute: 'docker.runtime', pattern: 'podman' }] },
        { name: 'everyone', pathTemplate: '/everyone' },
      ]),
    );
    expect(policy.select(attested(payments))).toStrictEqual({
      issued: [
        {
          name: 'payments',
          spiffeId: 'spiffe://example.org/workloads/payments',
          subject: { organization: 'Example', commonName: 'payments' },
          jwtClaims: { team: 'billing' },
        },
        { name: 'everyone', spiffeId: 'spiffe://example.org/everyone', subject: {}, jwtClaims: {} },
      ],
      unrenderable: [],
      rootlessRefused: false,
    });
  });

  it('does not match on an attribute the workload lacks, and matches uint64 as decimal text', () => {
    const policy = new IdentityPolicy(
      section([
        { name: 'env', match: [{ attribute: 'docker.container.env.STAGE', pattern: '*' }] },
        { name: 'uid', match: [{ attribute: 'docker.runtime.owner_uid', pattern: '1000' }] },
      ]),
    );
    expect(policy.select(attested(payments)).issued.map(({ name }) => name)).toStrictEqual(['uid']);
  });

  it('leaves out an identity that cannot render and still issues the others', () => {
    const policy = new IdentityPolicy(
      section([
        { name: 'signed', pathTemplate: '/s/{{docker.image.signature.log_index}}' },
        { name: 'plain', pathTemplate: '/p' },
      ]),
    );
    const selection = policy.select(attested(payments));
    expect(selection.issued.map(({ name }) => name)).toStrictEqual(['plain']);
    expect(selection.unrenderable).toMatchObject([
      {
        name: 'signed',
        error: { code: 'missing_attribute', attribute: 'docker.image.signature.log_index' },
      },
    ]);
  });

  it('never gives a rootless workload an identity written for rootful containers', () => {
    // The attack: a user runs their own Podman, whose socket answers with any label it likes.
    const claimed = AttributeSet.builder()
      .string('docker.container.label["com.example.app"]', 'payments')
      .string('docker.runtime', 'podman-rootless')
      .uint64('docker.runtime.owner_uid', 1001n)
      .done();
    const policy = new IdentityPolicy(
      section([
        {
          name: 'payments',
          match: [{ attribute: 'docker.container.label["com.example.app"]', pattern: 'payments' }],
        },
        {
          name: 'alice',
          match: [
            { attribute: 'docker.runtime', pattern: 'podman-rootless' },
            { attribute: 'docker.runtime.owner_uid', pattern: '1000' },
          ],
          admitsRootless: true,
        },
      ]),
    );
    const selection = policy.select(attested(claimed, ROOTLESS));
    expect(selection.issued).toStrictEqual([]);
    expect(selection.rootlessRefused).toBe(true);
    expect(thrown(IdentityError, () => policy.first(attested(claimed, ROOTLESS))).code).toBe(
      'rootless_runtime_refused',
    );
  });

  it('gives a process outside any container nothing, as no_matching_identity', () => {
    const policy = new IdentityPolicy(section([{ name: 'everyone' }]));
    const host: Attestation = { kind: 'not_in_container', pid: 7, attributes: AttributeSet.empty };
    expect(policy.select(host).issued).toStrictEqual([]);
    expect(thrown(IdentityError, () => policy.first(host))).toMatchObject({
      code: 'no_matching_identity',
      message: 'process 7 is not in a container',
    });
    expect(
      thrown(IdentityError, () =>
        new IdentityPolicy(
          section([{ match: [{ attribute: 'docker.runtime', pattern: 'podman' }] }]),
        ).first(attested(payments)),
      ).code,
    ).toBe('no_matching_identity');
  });
});
