import { AttributeError, AttributeSet } from '@attestor/attributes';
import type { RuntimeEndpoint } from '@attestor/ports';
import { thrown } from '@attestor/testing';
import { describe, expect, it } from 'vitest';

import type { Attestation } from './workload-attestor.js';
import { IdentityError, spiffeIdOf } from './workload-identity.js';

const IDENTITY = {
  trustDomain: 'example.org',
  pathTemplate:
    '/workloads/{{docker.container.label["com.example.app"]}}/{{docker.image.signature.log_index}}',
  allowRootlessRuntimes: false,
};

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
          'process 42 was vouched for by the rootless Podman socket of uid 1001, which its user controls; the WorkloadIdentity section does not allow rootless runtimes (spec.allowRootlessRuntimes)',
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
        spiffeIdOf({ ...IDENTITY, allowRootlessRuntimes: true }, attested(attributes, ROOTLESS)),
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
