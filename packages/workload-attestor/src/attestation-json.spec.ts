import { AttributeSet } from '@attestor/attributes';
import { containerId } from '@attestor/testing';
import { describe, expect, it } from 'vitest';

import { attestationErrorToJson, attestationToJson, identityToJson } from './attestation-json.js';
import { AttestationError } from './errors.js';
import type { Attestation } from './workload-attestor.js';

const ID = containerId(0xabc);
const attributes = AttributeSet.builder()
  .string('docker.container.image', 'registry.example/app:1')
  .uint64('docker.image.signature.log_index', 18446744073709551615n)
  .done();

const rootless: Attestation = {
  kind: 'attested',
  pid: 4242,
  containerId: ID,
  runtime: {
    kind: 'podman-rootless',
    socketPath: '/run/user/1001/podman/podman.sock',
    ownerUid: 1001,
  },
  pidNamespace: 'container',
  attributes,
};

describe(attestationToJson, () => {
  it('gives an attested workload its container, runtime (with the owner uid) and attributes, uint64 as decimal text', () => {
    expect(attestationToJson(rootless)).toStrictEqual({
      pid: 4242,
      kind: 'attested',
      containerId: ID,
      runtime: {
        kind: 'podman-rootless',
        socket: '/run/user/1001/podman/podman.sock',
        ownerUid: 1001,
      },
      pidNamespace: 'container',
      attributes: {
        'docker.container.image': 'registry.example/app:1',
        'docker.image.signature.log_index': '18446744073709551615',
      },
    });
  });

  it('leaves the owner uid out for a rootful runtime', () => {
    const rootful: Attestation = {
      ...rootless,
      runtime: { kind: 'docker', socketPath: '/var/run/docker.sock' },
      pidNamespace: 'host',
    };
    expect(attestationToJson(rootful)).toMatchObject({
      runtime: { kind: 'docker', socket: '/var/run/docker.sock' },
      pidNamespace: 'host',
    });
    expect(attestationToJson(rootful).runtime).not.toHaveProperty('ownerUid');
  });

  it('gives a process in no container only its pid, kind and attributes', () => {
    const host: Attestation = {
      kind: 'not_in_container',
      pid: 1,
      attributes: AttributeSet.builder().done(),
    };
    expect(attestationToJson(host)).toStrictEqual({
      pid: 1,
      kind: 'not_in_container',
      attributes: {},
    });
  });
});

describe(attestationErrorToJson, () => {
  it('gives the code and the message, nothing else', () => {
    const error = new AttestationError(
      'cgroup_mismatch',
      'process 7 is not within the cgroups of container x',
      {
        cause: new Error('internal detail'),
      },
    );
    expect(attestationErrorToJson(error)).toStrictEqual({
      error: {
        code: 'cgroup_mismatch',
        message: 'process 7 is not within the cgroups of container x',
      },
    });
  });
});

describe(identityToJson, () => {
  it('names the container of an attested workload', () => {
    expect(identityToJson(rootless, 'spiffe://example.org/app')).toStrictEqual({
      pid: 4242,
      containerId: ID,
      spiffeId: 'spiffe://example.org/app',
    });
  });

  it('names no container for a process in none', () => {
    const host: Attestation = { kind: 'not_in_container', pid: 1, attributes };
    expect(identityToJson(host, 'spiffe://example.org/host')).toStrictEqual({
      pid: 1,
      spiffeId: 'spiffe://example.org/host',
    });
  });
});
