import type { ContainerDetails } from '@attestor/ports';

import type { FakeProcess } from './fake-process-table.js';

/** A deterministic 64-hex container ID derived from a seed character or number. */
export function containerId(seed: number): string {
  return seed.toString(16).padStart(8, '0').repeat(8);
}

/** Object mother for container inspect results. */
export const ContainerDetailsMother = {
  running(overrides: Partial<ContainerDetails> = {}): ContainerDetails {
    return {
      id: containerId(1),
      imageReference: 'registry.example/team/app:1.0',
      imageId: `sha256:${'9f86d081'.repeat(8)}`,
      labels: { 'com.example.app': 'payments' },
      env: ['PATH=/usr/bin:/bin', 'APP_VERSION=1.2.3', 'SECRET_KEY=abc'],
      initPid: 4242,
      running: true,
      ...overrides,
    };
  },
};

/** Object mother for processes of the fake process table. */
export const ProcessMother = {
  inContainer(id: string, overrides: Partial<FakeProcess> = {}): FakeProcess {
    return {
      pid: 4242,
      startTime: 123456n,
      uid: 0,
      pidNamespace: 4026532000n,
      cgroup: `12:pids:/docker/${id}\n0::/\n`,
      ...overrides,
    };
  },
  onHost(overrides: Partial<FakeProcess> = {}): FakeProcess {
    return {
      pid: 1000,
      startTime: 99n,
      uid: 1000,
      pidNamespace: 4026531836n,
      cgroup: '12:pids:/user.slice\n0::/user.slice/user-1000.slice/session-1.scope\n',
      ...overrides,
    };
  },
};

/** Object mother for configuration file texts. */
export const ConfigTextMother = {
  /** Docker attestation on, and a `WorkloadIdentity` section in trust domain example.org. */
  withIdentity(pathTemplate: string): string {
    return [
      'section: WorkloadAttestation',
      'schema: v1',
      'spec:',
      '  docker:',
      '    enabled: true',
      '---',
      'section: WorkloadIdentity',
      'schema: v1',
      'spec:',
      '  trustDomain: example.org',
      `  pathTemplate: '${pathTemplate}'`,
      '',
    ].join('\n');
  },
};
