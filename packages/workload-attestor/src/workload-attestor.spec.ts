import { DEFAULT_DOCKER_CONFIG, type DockerAttestationConfig } from '@attestor/config';
import {
  type CgroupTree,
  type ContainerRuntime,
  ContainerRuntimeError,
  type ImageIdentity,
  type ProcessTable,
  ProcessTableError,
} from '@attestor/ports';
import { ImageSignatureVerification } from '@attestor/sigstore-policy';
import {
  ContainerDetailsMother,
  containerId,
  FakeClock,
  FakeContainerRuntime,
  FakeImageRegistry,
  type FakeProcess,
  FakeProcessTable,
  FakeSignatureVerifier,
  ProcessMother,
  RecordingLogger,
  RecordingMetrics,
} from '@attestor/testing';
import { describe, expect, it } from 'vitest';

import { ContainerMetadataCache } from './container-metadata-cache.js';
import { AttestationError } from './errors.js';
import { WorkloadAttestor } from './workload-attestor.js';

const DOCKER = '/var/run/docker.sock';
const PODMAN = '/run/podman/podman.sock';
const ROOTLESS_1001 = '/run/user/1001/podman/podman.sock';
const AGENT_PID = 1;
const HOST_NS = 4026531836n;
const CONTAINER_NS = 4026532000n;
const ID = containerId(0xc0ffee);
const IMAGE_ID = `sha256:${'9f86d081'.repeat(8)}`;
const CONFIG: DockerAttestationConfig = {
  ...DEFAULT_DOCKER_CONFIG,
  enabled: true,
  includeEnvVars: ['APP_', 'SERVICE_', 'ENVIRONMENT'],
};

function world() {
  const processes = new FakeProcessTable()
    .set(ProcessMother.onHost({ pid: AGENT_PID, pidNamespace: HOST_NS, uid: 0 }))
    .set(
      ProcessMother.inContainer(ID, {
        pid: 4242,
        startTime: 1000n,
        pidNamespace: CONTAINER_NS,
      }),
    )
    .set(
      ProcessMother.inContainer(ID, {
        pid: 5000,
        startTime: 2000n,
        pidNamespace: CONTAINER_NS,
      }),
    );
  const runtime = new FakeContainerRuntime()
    .addContainer(
      DOCKER,
      ContainerDetailsMother.running({
        id: ID,
        imageReference: 'registry.example/payments:1.4',
        imageId: IMAGE_ID,
        initPid: 4242,
        labels: { 'com.example.app': 'payments', 'say "hi"': 'x' },
        env: ['APP_VERSION=1.2.3', 'SERVICE_NAME=payments', 'SECRET_KEY=abc', 'ENVIRONMENT=prod'],
      }),
    )
    .addImage(DOCKER, IMAGE_ID, { configDigest: IMAGE_ID, repoDigests: [] });
  const logger = new RecordingLogger();
  const metrics = new RecordingMetrics();
  const clock = new FakeClock();
  /** The attestor over this world, with any of its parts replaced. */
  const make = (
    processTable: ProcessTable = processes,
    config = CONFIG,
    parts: {
      readonly runtime?: ContainerRuntime;
      readonly cache?: ContainerMetadataCache;
      readonly cgroupTree?: CgroupTree;
    } = {},
  ) =>
    new WorkloadAttestor(
      {
        processTable,
        runtime: parts.runtime ?? runtime,
        metrics,
        clock,
        logger,
        agentPid: AGENT_PID,
        ...(parts.cgroupTree === undefined ? {} : { cgroupTree: parts.cgroupTree }),
      },
      config,
      parts.cache,
    );
  return { processes, runtime, logger, metrics, clock, make };
}

/** The fake runtime with some of its methods replaced. */
function runtimeWith(
  runtime: FakeContainerRuntime,
  overrides: Partial<ContainerRuntime>,
): ContainerRuntime {
  return {
    inspectContainer: (endpoint, id, signal) => runtime.inspectContainer(endpoint, id, signal),
    inspectImage: (endpoint, id, signal) => runtime.inspectImage(endpoint, id, signal),
    listRunningContainerIds: (endpoint, signal) =>
      runtime.listRunningContainerIds(endpoint, signal),
    ping: (endpoint, signal) => runtime.ping(endpoint, signal),
    ...overrides,
  };
}

async function attestError(
  attestor: WorkloadAttestor,
  pid: number,
  signal?: AbortSignal,
): Promise<AttestationError> {
  try {
    await attestor.attest(pid, signal);
  } catch (error) {
    if (AttestationError.is(error)) return error;
    throw error;
  }
  throw new Error('attestation succeeded');
}

/**
 * A process table in which one PID's process exits right after attestation opens its handle,
 * and `replacement` (if any) takes the PID: every later read by PID sees the replacement.
 */
function replacedAfterOpen(
  table: FakeProcessTable,
  pid: number,
  replacement: FakeProcess | undefined,
): ProcessTable {
  let opened = 0;
  return {
    open: (p) => {
      const handle = table.open(p);
      if (p === pid && ++opened === 1) {
        if (replacement === undefined) table.remove(pid);
        else table.set(replacement);
      }
      return handle;
    },
    cgroup: (p) => table.cgroup(p),
    uid: (p) => table.uid(p),
    ownerUid: (p) => table.ownerUid(p),
    startTime: (p) => table.startTime(p),
    pidNamespace: (p) => table.pidNamespace(p),
    identify: (p) => table.identify(p),
  };
}

describe(WorkloadAttestor, () => {
  describe('.attest', () => {
    describe('having a process in a Docker container', () => {
      it('returns exactly the attributes of the specification, plus the runtime that vouched', async () => {
        const { make } = world();
        const attestation = await make().attest(5000);
        expect(attestation).toMatchObject({
          kind: 'attested',
          pid: 5000,
          containerId: ID,
          pidNamespace: 'container',
        });
        expect(attestation.kind === 'attested' && attestation.runtime).toStrictEqual({
          kind: 'docker',
          socketPath: DOCKER,
        });
        expect(attestation.attributes.toJSON()).toStrictEqual({
          'docker.container.image': 'registry.example/payments:1.4',
          'docker.container.label["com.example.app"]': 'payments',
          'docker.container.label["say \\"hi\\""]': 'x',
          'docker.container.env.APP_VERSION': '1.2.3',
          'docker.container.env.SERVICE_NAME': 'payments',
          'docker.container.env.ENVIRONMENT': 'prod',
          'docker.container.image_config_digest': IMAGE_ID,
          'docker.runtime': 'docker',
        });
      });

      it('records the attestation in metrics', async () => {
        const { make, metrics } = world();
        await make().attest(5000);
        expect(metrics.attestations.map((a) => a.outcome)).toStrictEqual(['attested']);
      });

      it('omits image_config_digest, with a warning, when the image inspect finds nothing', async () => {
        const w = world();
        w.runtime.addContainer(
          DOCKER,
          ContainerDetailsMother.running({
            id: ID,
            initPid: 4242,
            imageId: `sha256:${'0'.repeat(64)}`,
          }),
        );
        const attestation = await w.make().attest(5000);
        expect(attestation.kind).toBe('attested');
        expect(attestation.attributes.has('docker.container.image_config_digest')).toBe(false);
        expect(w.logger.records.map((record) => record.message)).toContain(
          'image inspect found no image; omitting image_config_digest',
        );
      });

      it('never logs or caches an environment value outside the allowed ones', async () => {
        const { make, logger } = world();
        const attestor = make();
        const attestation = await attestor.attest(5000);
        expect(JSON.stringify(attestation.attributes.toJSON())).not.toContain('abc');
        expect(logger.text()).not.toContain('abc');
      });
    });

    describe('having a process on the host', () => {
      it('returns no attribute and asks no runtime', async () => {
        const { make, processes, runtime } = world();
        processes.set(ProcessMother.onHost({ pid: 77, uid: 1000, pidNamespace: HOST_NS }));
        const attestation = await make().attest(77);
        expect(attestation).toMatchObject({ kind: 'not_in_container', pid: 77 });
        expect(attestation.attributes.size).toBe(0);
        expect(runtime.calls).toStrictEqual([]);
      });
    });

    describe('having Docker attestation disabled', () => {
      it('says attestation_disabled, never not_in_container, without reading anything', async () => {
        const { make, runtime } = world();
        // PID 999999 does not exist: reading it would be process_not_found.
        const error = await attestError(make(undefined, { ...CONFIG, enabled: false }), 999999);
        expect(error.code).toBe('attestation_disabled');
        expect(error.message).toBe('Docker attestation is off (spec.docker.enabled is false)');
        expect(runtime.calls).toStrictEqual([]);
      });
    });

    describe('having rootless Podman on a cgroup v1 host (no ID in the cgroup)', () => {
      const rootlessId = containerId(0x1001);
      function rootlessWorld() {
        const w = world();
        w.processes
          .set(
            ProcessMother.onHost({
              pid: 6000,
              uid: 1001,
              startTime: 5n,
              pidNamespace: 4026532999n,
              cgroup: '4:memory:/\n0::/\n',
            }),
          )
          .set(
            ProcessMother.onHost({
              pid: 6001,
              uid: 1001,
              startTime: 6n,
              pidNamespace: 4026532999n,
              // The same hierarchies as every process on the host, in its user's cgroup.
              cgroup: '4:memory:/\n0::/\n',
            }),
          );
        w.runtime
          .addContainer(
            ROOTLESS_1001,
            ContainerDetailsMother.running({ id: containerId(0x2002), initPid: 4242 }),
          )
          .addContainer(
            ROOTLESS_1001,
            ContainerDetailsMother.running({
              id: rootlessId,
              initPid: 6000,
              imageId: IMAGE_ID,
              labels: { team: 'a' },
              env: [],
            }),
          )
          .addImage(ROOTLESS_1001, IMAGE_ID, { configDigest: IMAGE_ID, repoDigests: [] });
        return w;
      }

      it('finds the container by pid namespace and says which uid vouched', async () => {
        const attestation = await rootlessWorld().make().attest(6001);
        expect(attestation).toMatchObject({ kind: 'attested', containerId: rootlessId });
        expect(attestation.attributes.toJSON()).toStrictEqual({
          'docker.container.image': 'registry.example/team/app:1.0',
          'docker.container.label["team"]': 'a',
          'docker.container.image_config_digest': IMAGE_ID,
          'docker.runtime': 'podman-rootless',
          'docker.runtime.owner_uid': '1001',
        });
      });

      it('caches only the container that matched, not the others it inspected', async () => {
        const w = rootlessWorld();
        const cache = new ContainerMetadataCache(w.clock);
        const attestor = w.make(undefined, CONFIG, { cache });
        await attestor.attest(6001);
        expect(w.runtime.calls.filter((call) => call.startsWith('inspectContainer'))).toHaveLength(
          2,
        );
        expect(cache.size).toBe(1);
        // The matched one is served from the cache next time; the others are inspected again.
        const calls = w.runtime.calls.length;
        await attestor.attest(6001);
        expect(w.runtime.calls.slice(calls)).toStrictEqual([
          `listRunningContainerIds ${ROOTLESS_1001}`,
          `inspectContainer ${ROOTLESS_1001} ${containerId(0x2002)}`,
        ]);
      });

      it('finds nothing when rootless discovery is off', async () => {
        const w = rootlessWorld();
        expect(
          (await w.make(undefined, { ...CONFIG, rootlessPodmanDiscovery: false }).attest(6001))
            .kind,
        ).toBe('not_in_container');
        expect(w.runtime.calls).toStrictEqual([]);
      });

      it('says runtime_unavailable, naming the socket, when the rootless socket does not answer', async () => {
        const w = rootlessWorld();
        w.runtime.setDown(ROOTLESS_1001);
        const error = await attestError(w.make(), 6001);
        expect(error.code).toBe('runtime_unavailable');
        expect(error.message).toContain(ROOTLESS_1001);
      });

      it('asks no socket about a host process of the same user', async () => {
        const w = rootlessWorld();
        w.runtime.setDown(ROOTLESS_1001);
        w.processes.set(
          ProcessMother.onHost({
            pid: 6100,
            uid: 1001,
            pidNamespace: HOST_NS,
            cgroup: '0::/\n',
          }),
        );
        expect((await w.make().attest(6100)).kind).toBe('not_in_container');
        expect(w.runtime.calls).toStrictEqual([]);
      });

      it('skips a listed container whose inspect fails, and finds the one that matches', async () => {
        const w = rootlessWorld();
        w.runtime.failCall(`inspectContainer ${ROOTLESS_1001} ${containerId(0x2002)}`);
        const attestation = await w.make().attest(6001);
        expect(attestation).toMatchObject({ kind: 'attested', containerId: rootlessId });
        expect(w.logger.records).toContainEqual(
          expect.objectContaining({
            level: 'debug',
            message: 'container skipped during discovery',
          }),
        );
      });

      it('skips a listed container whose init process has exited', async () => {
        const w = rootlessWorld();
        w.runtime.addContainer(
          ROOTLESS_1001,
          ContainerDetailsMother.running({ id: containerId(0x3003), initPid: 6999 }),
        );
        const attestation = await w.make().attest(6001);
        expect(attestation).toMatchObject({ kind: 'attested', containerId: rootlessId });
      });

      it('lets a failure that is no runtime’s through the listing unchanged', async () => {
        const w = rootlessWorld();
        const bug = new TypeError('a bug in the runtime adapter');
        const runtime = runtimeWith(w.runtime, {
          listRunningContainerIds: () => Promise.reject(bug),
        });
        const attestor = w.make(undefined, CONFIG, { runtime });
        await expect(attestor.attest(6001)).rejects.toBe(bug);
      });

      it('lets a failure that is no runtime’s through a listed container’s inspect unchanged', async () => {
        const w = rootlessWorld();
        const bug = new TypeError('a bug in the runtime adapter');
        const runtime = runtimeWith(w.runtime, { inspectContainer: () => Promise.reject(bug) });
        await expect(w.make(undefined, CONFIG, { runtime }).attest(6001)).rejects.toBe(bug);
      });

      it('stops discovery at the deadline while a listed container is inspected', async () => {
        const w = rootlessWorld();
        const runtime = runtimeWith(w.runtime, {
          inspectContainer: (endpoint, id, signal) =>
            new Promise((_resolve, reject) => {
              signal?.addEventListener('abort', () => {
                reject(new ContainerRuntimeError('aborted', endpoint.socketPath, `inspect ${id}`));
              });
            }),
        });
        const attestor = w.make(undefined, { ...CONFIG, attestationTimeoutMs: 20 }, { runtime });
        expect((await attestError(attestor, 6001)).code).toBe('deadline_exceeded');
      });

      it('stops discovery when the listing is aborted', async () => {
        const w = rootlessWorld();
        w.runtime.failCall(`listRunningContainerIds ${ROOTLESS_1001}`, 'aborted');
        expect((await attestError(w.make(), 6001)).code).toBe('cancelled');
      });

      it('stops discovery when a listed container’s inspect is aborted', async () => {
        const w = rootlessWorld();
        w.runtime.failCall(`inspectContainer ${ROOTLESS_1001} ${containerId(0x2002)}`, 'aborted');
        expect((await attestError(w.make(), 6001)).code).toBe('cancelled');
      });

      it('stops discovery at the deadline, however many containers are left', async () => {
        const w = rootlessWorld();
        w.runtime.setHanging(ROOTLESS_1001);
        const attestor = w.make(undefined, { ...CONFIG, attestationTimeoutMs: 20 });
        expect((await attestError(attestor, 6001)).code).toBe('deadline_exceeded');
      });

      it('asks no socket about a root process in a namespace of its own with no ID in its cgroup', async () => {
        // Root has no rootless socket: there is nothing to discover with.
        const w = rootlessWorld();
        w.processes.set(
          ProcessMother.onHost({ pid: 6300, uid: 0, pidNamespace: 4026538888n, cgroup: '0::/\n' }),
        );
        expect((await w.make().attest(6300)).kind).toBe('not_in_container');
        expect(w.runtime.calls).toStrictEqual([]);
      });

      it('finds nothing for a process in its own namespace that no socket claims', async () => {
        const w = rootlessWorld();
        w.processes.set(
          ProcessMother.onHost({
            pid: 6200,
            uid: 1001,
            pidNamespace: 4026537777n,
            cgroup: '0::/\n',
          }),
        );
        expect((await w.make().attest(6200)).kind).toBe('not_in_container');
      });
    });

    describe('having rootless Podman on a cgroup v2 host', () => {
      const id = containerId(0x3003);
      const cgroupOf = (uid: number) =>
        `0::/user.slice/user-${String(uid)}.slice/user@${String(uid)}.service/user.slice/libpod-${id}.scope/container\n`;
      /** A process of a rootless container: uid 100999 in a user namespace user 1001 owns. */
      function v2World(cgroupUid: number, ownerUid = 1001) {
        const w = world();
        w.processes.set(
          ProcessMother.onHost({
            pid: 7000,
            uid: 100999,
            ownerUid,
            pidNamespace: 4026533000n,
            cgroup: cgroupOf(cgroupUid),
          }),
        );
        w.runtime.addContainer(
          ROOTLESS_1001,
          ContainerDetailsMother.running({ id, initPid: 7000 }),
        );
        return w;
      }

      it('asks the socket of the process’s owner, which the cgroup path agrees with', async () => {
        const attestation = await v2World(1001).make().attest(7000);
        expect(attestation.kind === 'attested' && attestation.runtime).toStrictEqual({
          kind: 'podman-rootless',
          socketPath: ROOTLESS_1001,
          ownerUid: 1001,
        });
      });

      it('asks only the rootful Podman when rootless discovery is off, and says container_unknown', async () => {
        const w = v2World(1001);
        const error = await attestError(
          w.make(undefined, { ...CONFIG, rootlessPodmanDiscovery: false }),
          7000,
        );
        expect(error.code).toBe('container_unknown');
        expect(error.message).toBe(
          `process 7000 is in container ${id}, which podman at ${PODMAN} does not know`,
        );
        expect(w.runtime.calls).toStrictEqual([`inspectContainer ${PODMAN} ${id}`]);
      });

      it('refuses a cgroup path that names another user than the process belongs to', async () => {
        // User 1002 names a directory after user 1001's slice: the path is not proof.
        const w = v2World(1001, 1002);
        const error = await attestError(w.make(), 7000);
        expect(error.code).toBe('cgroup_mismatch');
        expect(error.message).toBe(
          'process 7000: its cgroup names the rootless user 1001, but the process belongs to user 1002',
        );
        expect(w.runtime.calls).toStrictEqual([]);
      });
    });

    describe('having a rootful Podman container', () => {
      it('asks rootful Podman', async () => {
        const w = world();
        const id = containerId(0x4004);
        w.processes.set(
          ProcessMother.onHost({
            pid: 8000,
            pidNamespace: 4026534000n,
            cgroup: `4:memory:/libpod_parent/libpod-${id}\n`,
          }),
        );
        w.runtime.addContainer(PODMAN, ContainerDetailsMother.running({ id, initPid: 8000 }));
        expect((await w.make().attest(8000)).attributes.get('docker.runtime')).toStrictEqual({
          type: 'string',
          value: 'podman',
        });
      });
    });

    describe('having a process whose PID is reused during attestation', () => {
      it('fails with process_changed and returns nothing', async () => {
        const { make, processes } = world();
        const table = replacedAfterOpen(
          processes,
          5000,
          ProcessMother.inContainer(ID, {
            pid: 5000,
            startTime: 2001n,
            pidNamespace: CONTAINER_NS,
          }),
        );
        const error = await attestError(make(table), 5000);
        expect(error.code).toBe('process_changed');
        expect(error.message).toBe(
          'process 5000 was replaced during attestation (its PID was reused)',
        );
      });
    });

    describe('having a caller that has already gone', () => {
      it('says cancelled without asking any runtime', async () => {
        const { make, runtime } = world();
        const error = await attestError(make(), 5000, AbortSignal.abort());
        expect(error.code).toBe('cancelled');
        expect(runtime.calls).toStrictEqual([]);
      });
    });

    describe('having a process that exits during attestation', () => {
      it('fails with process_changed', async () => {
        const { make, processes } = world();
        const error = await attestError(make(replacedAfterOpen(processes, 5000, undefined)), 5000);
        expect(error.code).toBe('process_changed');
        expect(error.message).toBe('process 5000 exited during attestation');
      });
    });

    describe('having a runtime or process table that fails part of the way', () => {
      /** The world's process table with some of its methods replaced. */
      function tableWith(
        processes: FakeProcessTable,
        overrides: Partial<ProcessTable>,
      ): ProcessTable {
        return {
          open: (p) => processes.open(p),
          cgroup: (p) => processes.cgroup(p),
          uid: (p) => processes.uid(p),
          ownerUid: (p) => processes.ownerUid(p),
          startTime: (p) => processes.startTime(p),
          pidNamespace: (p) => processes.pidNamespace(p),
          identify: (p) => processes.identify(p),
          ...overrides,
        };
      }
      const failing = (code: ProcessTableError['code']) => (): never => {
        throw new ProcessTableError(code, `read failed (${code})`);
      };

      it('attests without the image config digest when the image inspect fails, and says so in a warning', async () => {
        const w = world();
        w.runtime.failCall(`inspectImage ${DOCKER} ${IMAGE_ID}`);
        const attestation = await w.make().attest(5000);
        expect(attestation.kind).toBe('attested');
        expect(attestation.attributes.get('docker.container.image_config_digest')).toBeUndefined();
        expect(w.logger.records).toContainEqual(
          expect.objectContaining({
            level: 'warn',
            message: 'image inspect failed; omitting image_config_digest',
          }),
        );
      });

      it('stops the whole attestation when the image inspect is aborted', async () => {
        const w = world();
        w.runtime.failCall(`inspectImage ${DOCKER} ${IMAGE_ID}`, 'aborted');
        expect((await attestError(w.make(), 5000)).code).toBe('cancelled');
      });

      it.each([
        ['permission_denied', 'permission_denied'],
        ['malformed', 'malformed_process_data'],
        ['io', 'malformed_process_data'],
        ['not_found', 'process_not_found'],
      ] as const)(
        'maps a %s failure reading the agent’s own pid namespace to %s',
        async (failure, code) => {
          const w = world();
          const table = tableWith(w.processes, {
            pidNamespace: (p) => {
              if (p === AGENT_PID) failing(failure)();
              return w.processes.pidNamespace(p);
            },
          });
          expect((await attestError(w.make(table), 5000)).code).toBe(code);
        },
      );

      it('lets an error that is not the process table’s through unchanged', async () => {
        const w = world();
        const bug = new TypeError('a bug in the process table');
        const table = tableWith(w.processes, {
          identify: () => {
            throw bug;
          },
        });
        await expect(w.make(table).attest(5000)).rejects.toBe(bug);
      });

      it('turns something thrown that is not an Error into one, keeping its text', async () => {
        const w = world();
        const table = tableWith(w.processes, {
          identify: () => {
            // eslint-disable-next-line @typescript-eslint/only-throw-error -- what a broken adapter might do
            throw 'procfs went away';
          },
        });
        await expect(w.make(table).attest(5000)).rejects.toThrow(new Error('procfs went away'));
      });

      it('lets a failure of the image inspect that is no runtime’s through unchanged', async () => {
        const w = world();
        const bug = new TypeError('a bug in the runtime adapter');
        const runtime = runtimeWith(w.runtime, { inspectImage: () => Promise.reject(bug) });
        const attestor = w.make(undefined, CONFIG, { runtime });
        await expect(attestor.attest(5000)).rejects.toBe(bug);
      });

      it('says permission_denied when the handle cannot be confirmed for lack of rights', async () => {
        const w = world();
        const table = tableWith(w.processes, {
          open: (p) => {
            const handle = w.processes.open(p);
            return {
              pid: handle.pid,
              startTime: handle.startTime,
              confirm: failing('permission_denied'),
              close: () => {
                handle.close();
              },
            };
          },
        });
        expect((await attestError(w.make(table), 5000)).code).toBe('permission_denied');
      });

      it('says the process exited when even its start time can no longer be read', async () => {
        const w = world();
        const table = tableWith(w.processes, {
          open: (p) => {
            const handle = w.processes.open(p);
            return {
              pid: handle.pid,
              startTime: handle.startTime,
              confirm: failing('not_found'),
              close: () => {
                handle.close();
              },
            };
          },
          startTime: (p) => (p === 5000 ? failing('io')() : w.processes.startTime(p)),
        });
        const error = await attestError(w.make(table), 5000);
        expect(error.code).toBe('process_changed');
        expect(error.message).toBe('process 5000 exited during attestation');
      });

      it('inspects the container again when its cached init process can no longer be read', async () => {
        const w = world();
        const cache = new ContainerMetadataCache(w.clock);
        let initReadable = true;
        const table = tableWith(w.processes, {
          startTime: (p) =>
            p === 4242 && !initReadable ? failing('permission_denied')() : w.processes.startTime(p),
        });
        const attestor = w.make(table, CONFIG, { cache });
        await attestor.attest(5000);
        const inspections = () =>
          w.runtime.calls.filter((call) => call.startsWith('inspectContainer')).length;
        expect(inspections()).toBe(1);
        // The cached entry cannot be vouched for: it is dropped and the container inspected anew.
        initReadable = false;
        expect((await attestor.attest(5000)).kind).toBe('attested');
        expect(inspections()).toBe(2);
      });
    });

    describe('having a container whose init process exits while it is read', () => {
      it('says container_not_running (the process table never mixes two processes)', async () => {
        const { make, processes } = world();
        const table: ProcessTable = {
          open: (p) => processes.open(p),
          cgroup: (p) => processes.cgroup(p),
          uid: (p) => processes.uid(p),
          ownerUid: (p) => processes.ownerUid(p),
          startTime: (p) => processes.startTime(p),
          pidNamespace: (p) => processes.pidNamespace(p),
          identify: (p) => {
            if (p === 4242) throw new ProcessTableError('not_found', 'process 4242 does not exist');
            return processes.identify(p);
          },
        };
        const error = await attestError(make(table), 5000);
        expect(error.code).toBe('container_not_running');
        expect(error.message).toBe(`container ${ID}: its init process 4242 has exited`);
      });
    });

    describe('having any outcome', () => {
      it('closes every process handle it opens', async () => {
        const w = world();
        const outcomes: string[] = [];
        const record = async (table: ProcessTable, pid: number): Promise<void> => {
          try {
            outcomes.push((await w.make(table).attest(pid)).kind);
          } catch (error) {
            outcomes.push(AttestationError.is(error) ? error.code : 'unexpected');
          }
          expect(w.processes.openHandles).toBe(0);
        };
        await record(w.processes, 5000);
        await record(w.processes, AGENT_PID);
        await record(replacedAfterOpen(w.processes, 5000, undefined), 5000);
        w.processes.set(ProcessMother.inContainer(ID, { pid: 5000, startTime: 2000n }));
        w.processes.remove(4242);
        await record(w.processes, 5000);
        w.runtime.setDown(DOCKER);
        await record(w.processes, 5000);
        expect(outcomes).toStrictEqual([
          'attested',
          'not_in_container',
          'process_changed',
          'container_not_running',
          'runtime_unavailable',
        ]);
      });
    });

    describe('having errors', () => {
      it('says process_not_found for a missing PID', async () => {
        expect((await attestError(world().make(), 31337)).code).toBe('process_not_found');
      });

      it('says container_not_running for a stopped container', async () => {
        const w = world();
        w.runtime.addContainer(
          DOCKER,
          ContainerDetailsMother.running({ id: ID, running: false, initPid: 0 }),
        );
        expect((await attestError(w.make(), 5000)).code).toBe('container_not_running');
      });

      it('says container_not_running when the init process is gone', async () => {
        const w = world();
        w.runtime.addContainer(DOCKER, ContainerDetailsMother.running({ id: ID, initPid: 4243 }));
        expect((await attestError(w.make(), 5000)).message).toBe(
          `container ${ID}: its init process 4243 has exited`,
        );
      });

      it('says pid_namespace_mismatch when the container is not the process’s', async () => {
        const w = world();
        w.processes.set(
          ProcessMother.inContainer(ID, {
            pid: 5000,
            startTime: 2000n,
            pidNamespace: 4026539999n,
          }),
        );
        const error = await attestError(w.make(), 5000);
        expect(error.code).toBe('pid_namespace_mismatch');
        expect(error.message).toBe(
          `process 5000 is not in the pid namespace of container ${ID} (init process 4242)`,
        );
      });

      it('says runtime_unavailable naming the socket when the daemon is down', async () => {
        const w = world();
        w.runtime.setDown(DOCKER);
        const error = await attestError(w.make(), 5000);
        expect(error.code).toBe('runtime_unavailable');
        expect(error.message).toContain(DOCKER);
      });

      it('says container_unknown naming the runtimes asked', async () => {
        const w = world();
        const other = containerId(0x5005);
        w.processes.set(
          ProcessMother.inContainer(other, { pid: 9000, cgroup: `0::/../${other}\n` }),
        );
        const error = await attestError(w.make(), 9000);
        expect(error.code).toBe('container_unknown');
        expect(error.message).toBe(
          `process 9000 is in container ${other}, which docker at ${DOCKER}, podman at ${PODMAN} does not know`,
        );
      });

      it('says malformed_process_data for a broken cgroup file, quoting it', async () => {
        const w = world();
        w.processes.set(ProcessMother.onHost({ pid: 9100, cgroup: 'garbage\n' }));
        const error = await attestError(w.make(), 9100);
        expect(error.code).toBe('malformed_process_data');
        expect(error.message).toContain('"garbage"');
      });

      it('counts errors in metrics, by their code', async () => {
        const w = world();
        const error = await attestError(w.make(), 31337);
        expect(
          w.metrics.attestations.map(({ outcome, errorCode }) => [outcome, errorCode]),
        ).toStrictEqual([['error', error.code]]);
      });
    });

    describe('having a container in the host pid namespace', () => {
      const HOST_PID_ID = containerId(0x6006);
      /** A `--pid=host` container (init 9200, in the host pid namespace) and a process in it. */
      function hostPidWorld() {
        const w = world();
        w.processes
          .set(ProcessMother.inContainer(HOST_PID_ID, { pid: 9200, pidNamespace: HOST_NS }))
          .set(ProcessMother.inContainer(HOST_PID_ID, { pid: 9201, pidNamespace: HOST_NS }));
        // The runtime's inspect carries no PidMode at all: the namespaces are compared.
        w.runtime.addContainer(
          DOCKER,
          ContainerDetailsMother.running({ id: HOST_PID_ID, initPid: 9200 }),
        );
        return w;
      }
      const optedIn: DockerAttestationConfig = { ...CONFIG, attestHostPidContainers: true };

      it('refuses it by default, with host_pid_namespace_refused', async () => {
        const error = await attestError(hostPidWorld().make(), 9201);
        expect(error.code).toBe('host_pid_namespace_refused');
        expect(error.message).toBe(
          `process 9201: container ${HOST_PID_ID} shares the host pid namespace, and attesting such containers is off (spec.docker.attestHostPidContainers)`,
        );
      });

      it('attests it when the configuration opts in, and says so', async () => {
        expect(await hostPidWorld().make(undefined, optedIn).attest(9201)).toMatchObject({
          kind: 'attested',
          containerId: HOST_PID_ID,
          pidNamespace: 'host',
        });
      });

      it('refuses a process of its cgroup that is in a pid namespace of its own, even opted in', async () => {
        const w = hostPidWorld();
        w.processes.set(
          ProcessMother.inContainer(HOST_PID_ID, { pid: 9202, pidNamespace: CONTAINER_NS }),
        );
        const error = await attestError(w.make(undefined, optedIn), 9202);
        expect(error.code).toBe('pid_namespace_mismatch');
        expect(error.message).toBe(
          `process 9202: container ${HOST_PID_ID} uses the host pid namespace, but the process does not`,
        );
      });

      it('refuses a host process in a directory named after the container, even opted in', async () => {
        // The forged membership: a user with a delegated cgroup subtree names a directory
        // after the container and moves a host process into it.
        const w = hostPidWorld();
        w.processes.set(
          ProcessMother.onHost({
            pid: 9300,
            pidNamespace: HOST_NS,
            cgroup: `12:pids:/user.slice/user-1000.slice/user@1000.service/docker/${HOST_PID_ID}\n0::/\n`,
          }),
        );
        const error = await attestError(w.make(undefined, optedIn), 9300);
        expect(error.code).toBe('cgroup_mismatch');
        expect(error.message).toContain(`is not in the cgroups of container ${HOST_PID_ID}`);
        // Also after the container's metadata is cached by a genuine attestation.
        const attestor = w.make(undefined, optedIn);
        await attestor.attest(9201);
        expect((await attestError(attestor, 9300)).code).toBe('cgroup_mismatch');
      });

      it('treats a container that joined a host-pid container’s namespace as host-pid', async () => {
        // `--pid=container:<host-pid container>`: the runtime reports no host PidMode for it,
        // but its init process is in the host pid namespace.
        const w = hostPidWorld();
        const joined = containerId(0x6007);
        w.processes
          .set(ProcessMother.inContainer(joined, { pid: 9400, pidNamespace: HOST_NS }))
          .set(
            ProcessMother.onHost({
              pid: 9401,
              pidNamespace: HOST_NS,
              cgroup: `12:pids:/attacker/docker/${joined}\n0::/\n`,
            }),
          );
        w.runtime.addContainer(
          DOCKER,
          ContainerDetailsMother.running({ id: joined, initPid: 9400 }),
        );
        expect((await attestError(w.make(), 9401)).code).toBe('host_pid_namespace_refused');
        expect((await attestError(w.make(undefined, optedIn), 9401)).code).toBe('cgroup_mismatch');
      });
    });

    describe('having a rootful container under a directory a user owns', () => {
      /** A cgroup tree in which `userOwned` paths (and those below them) are uid 1000's. */
      const treeWith = (userOwned: string): CgroupTree => ({
        directoryOwners: (_hierarchy, _controllers, path) =>
          path.split('/').map((_segment, index, segments) =>
            segments
              .slice(0, index + 1)
              .join('/')
              .startsWith(userOwned)
              ? 1000
              : 0,
          ),
      });
      const attestorWith = (w: ReturnType<typeof world>, tree: CgroupTree) =>
        w.make(undefined, CONFIG, { cgroupTree: tree });

      it('refuses it with untrusted_cgroup, naming the owner', async () => {
        const w = world();
        const error = await attestError(attestorWith(w, treeWith('/docker')), 5000);
        expect(error.code).toBe('untrusted_cgroup');
        expect(error.message).toBe(
          `container ${ID}: its cgroup "/docker/${ID}" on hierarchy "12:pids" is under a directory owned by uid 1000, not root, so a rootful runtime's container is not taken to be there`,
        );
      });

      it('attests it when every directory down to it is root’s', async () => {
        const w = world();
        expect(await attestorWith(w, treeWith('/elsewhere')).attest(5000)).toMatchObject({
          kind: 'attested',
        });
      });
    });

    describe('having a process outside its container’s cgroups', () => {
      it('says cgroup_mismatch when a hierarchy without an ID differs', async () => {
        const w = world();
        w.processes
          .set(
            ProcessMother.inContainer(ID, {
              pid: 4242,
              startTime: 1000n,
              pidNamespace: CONTAINER_NS,
              cgroup: `12:pids:/docker/${ID}\n0::/docker/${ID}\n`,
            }),
          )
          .set(
            ProcessMother.inContainer(ID, {
              pid: 5000,
              startTime: 2000n,
              pidNamespace: CONTAINER_NS,
              cgroup: `12:pids:/docker/${ID}\n0::/user.slice\n`,
            }),
          );
        const error = await attestError(w.make(), 5000);
        expect(error.code).toBe('cgroup_mismatch');
        expect(error.message).toBe(
          `process 5000 is not in the cgroups of container ${ID} (init process 4242): on cgroup hierarchy "0:" it is in "/user.slice", outside the container's "/docker/${ID}"`,
        );
      });

      it('attests a process in a sub-cgroup of its container', async () => {
        const w = world();
        w.processes.set(
          ProcessMother.inContainer(ID, {
            pid: 5000,
            startTime: 2000n,
            pidNamespace: CONTAINER_NS,
            cgroup: `12:pids:/docker/${ID}/worker\n0::/\n`,
          }),
        );
        expect(await w.make().attest(5000)).toMatchObject({ kind: 'attested', containerId: ID });
      });
    });

    describe('having cached metadata', () => {
      it('does not inspect the container again while its init process is unchanged', async () => {
        const w = world();
        const attestor = w.make();
        await attestor.attest(5000);
        await attestor.attest(4242);
        expect(w.runtime.calls.filter((call) => call.startsWith('inspectContainer'))).toHaveLength(
          1,
        );
      });

      it('re-inspects a restarted container instead of serving its old metadata', async () => {
        const w = world();
        const attestor = w.make();
        await attestor.attest(5000);
        // The container restarts: same ID, a new init process, new labels.
        w.processes.set(
          ProcessMother.inContainer(ID, {
            pid: 4242,
            startTime: 9999n,
            pidNamespace: CONTAINER_NS,
          }),
        );
        w.runtime.addContainer(
          DOCKER,
          ContainerDetailsMother.running({
            id: ID,
            initPid: 4242,
            imageId: IMAGE_ID,
            labels: { restarted: 'yes' },
          }),
        );
        const attestation = await attestor.attest(5000);
        expect(w.runtime.calls.filter((call) => call.startsWith('inspectContainer'))).toHaveLength(
          2,
        );
        expect(attestation.attributes.get('docker.container.label["restarted"]')).toStrictEqual({
          type: 'string',
          value: 'yes',
        });
      });

      it('expires entries after their TTL', async () => {
        const w = world();
        const attestor = w.make();
        await attestor.attest(5000);
        w.clock.advance(60_000);
        await attestor.attest(5000);
        expect(w.runtime.calls.filter((call) => call.startsWith('inspectContainer'))).toHaveLength(
          2,
        );
      });
    });

    describe('having several containers of one image', () => {
      it('inspects the image once: an image ID names immutable content', async () => {
        const w = world();
        const other = containerId(0x7007);
        w.processes.set(ProcessMother.inContainer(other, { pid: 9300, pidNamespace: 4026535555n }));
        w.runtime.addContainer(
          DOCKER,
          ContainerDetailsMother.running({ id: other, initPid: 9300, imageId: IMAGE_ID }),
        );
        const attestor = w.make();
        await attestor.attest(5000);
        const attestation = await attestor.attest(9300);
        expect(attestation.attributes.get('docker.container.image_config_digest')).toStrictEqual({
          type: 'string',
          value: IMAGE_ID,
        });
        expect(w.runtime.calls.filter((call) => call.startsWith('inspectImage'))).toHaveLength(1);
      });

      it('inspects it again after a minute, or after a reload', async () => {
        const w = world();
        const attestor = w.make();
        const imageInspects = (): number =>
          w.runtime.calls.filter((call) => call.startsWith('inspectImage')).length;
        await attestor.attest(5000);
        w.clock.advance(60_000);
        await attestor.attest(5000);
        expect(imageInspects()).toBe(2);
        attestor.configure({ ...CONFIG });
        await attestor.attest(5000);
        expect(imageInspects()).toBe(3);
      });
    });

    describe('having Sigstore verification', () => {
      const REPO_DIGEST = `sha256:${'e5'.repeat(32)}`;
      const ISSUER = 'https://token.actions.githubusercontent.com';
      const SUBJECT = 'https://github.com/myorg/app/.github/workflows/release.yaml@refs/heads/main';
      function signed(repoDigests: string[], identity: ImageIdentity = { configDigest: IMAGE_ID }) {
        const w = world();
        w.runtime.addImage(DOCKER, IMAGE_ID, { ...identity, repoDigests });
        const registry = new FakeImageRegistry();
        const verifier = new FakeSignatureVerifier();
        registry.signatures.set(REPO_DIGEST, [{ format: 'sigstore-bundle', bundleJson: 'sig' }]);
        // The signed manifest is an image of the config the container runs.
        registry.configDigests.set(REPO_DIGEST, [IMAGE_ID]);
        verifier.results.set('sig', {
          signer: { issuer: ISSUER, subject: SUBJECT },
          signatureBase64: 'c2ln',
          logEntry: {
            logId: 'ab',
            logIndex: 3n,
            integratedTime: 1_700_000_000n,
            signedEntryTimestamp: 'c2V0',
            bodyBase64: 'Ym9keQ==',
          },
        });
        const verification = new ImageSignatureVerification({
          registry,
          verifier,
          metrics: w.metrics,
          clock: w.clock,
          logger: w.logger,
        });
        const sigstore = {
          enabled: true,
          allowedIdentities: new Map([[ISSUER, [SUBJECT]]]),
          rekorURL: 'https://rekor.sigstore.dev',
          skipProvenance: true,
          skipTransparencyLog: false,
          registries: new Map(),
          verificationTimeoutMs: 1000,
          tufMirrorURL: 'https://tuf-repo-cdn.sigstore.dev',
          tufCachePath: '/var/lib/attestor/tuf',
        };
        verification.configure(sigstore);
        const attestor = w.make();
        attestor.configure({ ...CONFIG, sigstore }, verification);
        return { ...w, attestor, registry };
      }

      it('adds the docker.image.signature.* attributes of a verified image', async () => {
        const { attestor } = signed([`127.0.0.1:5000/team/app@${REPO_DIGEST}`]);
        expect((await attestor.attest(5000)).attributes.toJSON()).toMatchObject({
          'docker.image.signature.subject': SUBJECT,
          'docker.image.signature.issuer': ISSUER,
          'docker.image.signature.value': 'c2ln',
          'docker.image.signature.log_id': 'ab',
          'docker.image.signature.log_index': '3',
          'docker.image.signature.integrated_time': '1700000000',
          'docker.image.signature.signed_entry_timestamp': 'c2V0',
        });
      });

      it('omits them when the signed manifest is not of the image the container runs', async () => {
        // The runtime reports a repo digest whose signed manifest names another config: a
        // signature of that image does not cover this one.
        const { attestor, registry, logger } = signed([`127.0.0.1:5000/team/app@${REPO_DIGEST}`]);
        registry.configDigests.set(REPO_DIGEST, [`sha256:${'0f'.repeat(32)}`]);
        const attributes = (await attestor.attest(5000)).attributes.toJSON();
        expect(
          Object.keys(attributes).filter((name) => name.startsWith('docker.image.signature.')),
        ).toStrictEqual([]);
        expect(attributes['docker.container.image_config_digest']).toBe(IMAGE_ID);
        expect(logger.records).toContainEqual(
          expect.objectContaining({
            level: 'warn',
            fields: expect.objectContaining({
              reason: `the signed manifest ${REPO_DIGEST} does not name the running image's config ${IMAGE_ID}`,
            }) as unknown,
          }),
        );
      });

      describe('on a store that names an image by the index it was pulled as', () => {
        // Docker's containerd image store: the container's image ID is the index digest.
        const OTHER = `sha256:${'0d'.repeat(32)}`;
        const signatureNames = (attributes: Record<string, string>) =>
          Object.keys(attributes).filter((name) => name.startsWith('docker.image.signature.'));

        it('verifies the repo digest of that index, and no other', async () => {
          const { attestor, registry } = signed(
            [`127.0.0.1:5000/other/app@${OTHER}`, `127.0.0.1:5000/team/app@${REPO_DIGEST}`],
            { targetDigest: REPO_DIGEST },
          );
          registry.configDigests.clear();
          // The first repo digest, were it taken, brings a signature that does not verify.
          registry.signatures.set(OTHER, [{ format: 'sigstore-bundle', bundleJson: 'forged' }]);
          const attributes = (await attestor.attest(5000)).attributes.toJSON();
          expect(attributes['docker.image.signature.subject']).toBe(SUBJECT);
          expect(attributes['docker.container.image_config_digest']).toBeUndefined();
        });

        it('verifies nothing when no repo digest is of that index', async () => {
          // Without a config digest there is nothing to bind another manifest's signature to.
          const { attestor, registry } = signed([`127.0.0.1:5000/team/app@${OTHER}`], {
            targetDigest: REPO_DIGEST,
          });
          registry.signatures.set(OTHER, [{ format: 'sigstore-bundle', bundleJson: 'sig' }]);
          registry.configDigests.set(OTHER, [IMAGE_ID]);
          const attestation = await attestor.attest(5000);
          expect(attestation.kind).toBe('attested');
          expect(signatureNames(attestation.attributes.toJSON())).toStrictEqual([]);
        });
      });

      it('attests without them when verification fails (fail-open)', async () => {
        const { attestor, registry } = signed([`127.0.0.1:5000/team/app@${REPO_DIGEST}`]);
        registry.signatures.clear();
        const attestation = await attestor.attest(5000);
        expect(attestation.kind).toBe('attested');
        expect(
          attestation.attributes
            .names()
            .filter((name) => name.startsWith('docker.image.signature.')),
        ).toStrictEqual([]);
      });

      it('skips verification, silently, for an image without a repo digest', async () => {
        const { attestor, registry, logger } = signed([`localhost/app@${REPO_DIGEST}`]);
        expect((await attestor.attest(5000)).attributes.has('docker.image.signature.subject')).toBe(
          false,
        );
        expect(registry.calls).toBe(0);
        expect(logger.records.filter((record) => record.level === 'warn')).toStrictEqual([]);
      });
    });

    describe('having many attestations of one container at once', () => {
      /**
       * The world's runtime, with container inspects held until `release()` (an abort still
       * stops one at once); `asked` counts them as they are made.
       */
      function held(w: ReturnType<typeof world>) {
        let release: () => void = () => undefined;
        const gate = new Promise<void>((resolve) => {
          release = resolve;
        });
        const inspects = { asked: 0 };
        const runtime = runtimeWith(w.runtime, {
          inspectContainer: (endpoint, id, signal) => {
            inspects.asked++;
            return new Promise((resolve, reject) => {
              signal?.addEventListener(
                'abort',
                () => {
                  reject(new ContainerRuntimeError('aborted', endpoint.socketPath, 'stopped'));
                },
                { once: true },
              );
              void gate.then(() => w.runtime.inspectContainer(endpoint, id).then(resolve, reject));
            });
          },
        });
        return {
          runtime,
          inspects,
          release: () => {
            release();
          },
        };
      }

      it('asks the runtime once for a thousand connections of one workload', async () => {
        const w = world();
        const attestor = w.make();
        const attestations = await Promise.all(
          Array.from({ length: 1000 }, (_, index) => attestor.attest(index % 2 ? 5000 : 4242)),
        );
        expect(new Set(attestations.map((a) => a.kind === 'attested' && a.containerId))).toEqual(
          new Set([ID]),
        );
        expect(w.runtime.calls).toStrictEqual([
          `inspectContainer ${DOCKER} ${ID}`,
          `inspectImage ${DOCKER} ${IMAGE_ID}`,
        ]);
      });

      it('gives every attestation waiting on a failed lookup that failure', async () => {
        const w = world();
        w.runtime.failCall(`inspectContainer ${DOCKER} ${ID}`, 'protocol');
        const attestor = w.make();
        const errors = await Promise.all([
          attestError(attestor, 5000),
          attestError(attestor, 4242),
        ]);
        expect(errors.map((error) => error.code)).toStrictEqual([
          'runtime_unavailable',
          'runtime_unavailable',
        ]);
        expect(w.runtime.calls).toStrictEqual([`inspectContainer ${DOCKER} ${ID}`]);
      });

      it('goes on for the others when the caller whose lookup they share goes away', async () => {
        const w = world();
        const { runtime, inspects, release } = held(w);
        const attestor = w.make(undefined, undefined, { runtime });
        const leaving = new AbortController();
        const first = attestError(attestor, 5000, leaving.signal);
        const second = attestor.attest(4242);
        await Promise.resolve();
        leaving.abort();
        expect((await first).code).toBe('cancelled');
        release();
        const attestation = await second;
        expect(attestation.kind === 'attested' && attestation.containerId).toBe(ID);
        // The one that stayed looked the container up again itself.
        expect(inspects.asked).toBe(2);
      });

      it('stops a waiting attestation at its own deadline, not at the lookup’s', async () => {
        const w = world();
        const { runtime, release } = held(w);
        const attestor = w.make(undefined, undefined, { runtime });
        const first = attestor.attest(5000);
        const impatient = new AbortController();
        const second = attestError(attestor, 4242, impatient.signal);
        await Promise.resolve();
        impatient.abort();
        expect((await second).code).toBe('cancelled');
        release();
        expect((await first).kind).toBe('attested');
      });

      it('stops at once an attestation whose caller went away while it was about to wait', async () => {
        const w = world();
        const { runtime, release } = held(w);
        const gone = new AbortController();
        // Process 4242's caller goes away between the process being opened and the lookup joined.
        const table: ProcessTable = {
          open: (pid) => w.processes.open(pid),
          cgroup: (pid) => {
            if (pid === 4242) gone.abort();
            return w.processes.cgroup(pid);
          },
          uid: (pid) => w.processes.uid(pid),
          ownerUid: (pid) => w.processes.ownerUid(pid),
          startTime: (pid) => w.processes.startTime(pid),
          pidNamespace: (pid) => w.processes.pidNamespace(pid),
          identify: (pid) => w.processes.identify(pid),
        };
        const attestor = w.make(table, undefined, { runtime });
        const first = attestor.attest(5000);
        expect((await attestError(attestor, 4242, gone.signal)).code).toBe('cancelled');
        release();
        expect((await first).kind).toBe('attested');
      });

      it('does not join a lookup begun under the configuration a reload replaced', async () => {
        const w = world();
        const { runtime, inspects, release } = held(w);
        const attestor = w.make(undefined, undefined, { runtime });
        const before = attestor.attest(5000);
        attestor.configure({ ...CONFIG, includeEnvVars: ['SECRET_'] });
        const after = attestor.attest(5000);
        await Promise.resolve();
        release();
        expect((await before).attributes.has('docker.container.env.SECRET_KEY')).toBe(false);
        expect((await after).attributes.get('docker.container.env.SECRET_KEY')).toStrictEqual({
          type: 'string',
          value: 'abc',
        });
        expect(inspects.asked).toBe(2);
      });

      it('looks the container up again when its init process changed while it waited', async () => {
        const w = world();
        const { runtime, inspects, release } = held(w);
        // The init process's start time, as the waiting attestation checks it, is new.
        let reads = 0;
        const table: ProcessTable = {
          open: (pid) => w.processes.open(pid),
          cgroup: (pid) => w.processes.cgroup(pid),
          uid: (pid) => w.processes.uid(pid),
          ownerUid: (pid) => w.processes.ownerUid(pid),
          startTime: (pid) => (pid === 4242 && ++reads > 0 ? 7777n : w.processes.startTime(pid)),
          pidNamespace: (pid) => w.processes.pidNamespace(pid),
          identify: (pid) => w.processes.identify(pid),
        };
        const attestor = w.make(table, undefined, { runtime });
        const first = attestor.attest(4242);
        const second = attestor.attest(5000);
        await Promise.resolve();
        release();
        await Promise.all([first, second]);
        expect(inspects.asked).toBe(2);
        expect(reads).toBeGreaterThan(0);
      });
    });

    describe('having a runtime that does not answer', () => {
      it('stops at the attestation deadline with deadline_exceeded', async () => {
        const w = world();
        w.runtime.setHanging(DOCKER);
        const error = await attestError(
          w.make(undefined, { ...CONFIG, attestationTimeoutMs: 50 }),
          5000,
        );
        expect(error.code).toBe('deadline_exceeded');
        expect(error.message).toBe(
          'process 5000: the attestation did not finish within its 50 ms deadline (spec.docker.attestationTimeout)',
        );
        // The next endpoint is not asked once the deadline has passed.
        expect(w.runtime.calls).toStrictEqual([`inspectContainer ${DOCKER} ${ID}`]);
        expect(w.processes.openHandles).toBe(0);
      });

      it('stops when the caller goes away, with cancelled', async () => {
        const w = world();
        w.runtime.setHanging(DOCKER);
        const caller = new AbortController();
        const pending = attestError(w.make(), 5000, caller.signal);
        caller.abort();
        const error = await pending;
        expect(error.code).toBe('cancelled');
        expect(error.message).toBe('process 5000: the caller went away');
      });
    });

    describe('having a configuration reload', () => {
      it('applies new includeEnvVars to the next attestation', async () => {
        const w = world();
        const attestor = w.make();
        expect(
          (await attestor.attest(5000)).attributes.has('docker.container.env.SECRET_KEY'),
        ).toBe(false);
        attestor.configure({ ...CONFIG, includeEnvVars: ['SECRET_'] });
        const attributes = (await attestor.attest(5000)).attributes;
        expect(attributes.get('docker.container.env.SECRET_KEY')).toStrictEqual({
          type: 'string',
          value: 'abc',
        });
        expect(attributes.has('docker.container.env.APP_VERSION')).toBe(false);
      });

      it('refuses a configuration whose socket URL does not parse, and keeps the one in force', async () => {
        const w = world();
        const attestor = w.make();
        expect(() => {
          attestor.configure({
            ...CONFIG,
            includeEnvVars: ['SECRET_'],
            dockerSocketPath: 'tcp://10.0.0.1:2375',
          });
        }).toThrow('"tcp://10.0.0.1:2375"');
        const attestation = await attestor.attest(5000);
        expect(attestation.kind === 'attested' && attestation.runtime.socketPath).toBe(DOCKER);
        expect(attestation.attributes.has('docker.container.env.SECRET_KEY')).toBe(false);
        expect(attestation.attributes.has('docker.container.env.APP_VERSION')).toBe(true);
      });
    });
  });
});
