import { spawn } from 'node:child_process';
import {
  chmod,
  chown,
  mkdir,
  mkdtemp,
  readFile,
  rm,
  rmdir,
  symlink,
  writeFile,
} from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type * as Testcontainers from 'testcontainers';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

import { e2eEnvironment, runtimeAccess, type RuntimeUnderTest } from './environment.js';
import { writeBusyboxImageContext } from './images.js';
import {
  AGENT_BIN,
  Background,
  CLI_BIN,
  getJson,
  NODE,
  run,
  waitForSocket,
  waitForSocketClosed,
} from './processes.js';

const LABELS: Record<string, string> = {
  // A label key like any other (an object literal would take it as its prototype instead).
  ...(JSON.parse('{"__proto__": "a label like any other"}') as Record<string, string>),
  'com.example.app': 'payments',
  'org.opencontainers.image/source': 'https://git.example/payments',
  'say "hi"': 'quoted key',
  'back\\slash': 'backslash key',
};
const ENV = {
  APP_VERSION: '1.2.3',
  SERVICE_NAME: 'payments',
  SECRET_KEY: 'abc-secret-never-logged',
  ENVIRONMENT: 'prod',
};
const INCLUDE_ENV_VARS = ['APP_', 'SERVICE_', 'ENVIRONMENT'];

/** The attribute name of a label, escaped as the README documents. */
function labelAttribute(key: string): string {
  return `docker.container.label["${key.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"]`;
}

interface AttestBody {
  readonly kind?: string;
  readonly containerId?: string;
  readonly runtime?: { kind: string; socket: string; ownerUid?: number };
  readonly attributes?: Record<string, string>;
  readonly error?: { code: string; message: string };
}

/**
 * The e2e suite for one real runtime: containers started with testcontainers, attested by the
 * built agent binary through its API, and compared with what the runtime's own CLI reports.
 */
export function describeRuntime(runtime: RuntimeUnderTest): void {
  describe(`attesting real ${runtime} containers`, { timeout: 120_000 }, () => {
    const environment = e2eEnvironment();
    const access = runtimeAccess(runtime, environment);
    let dir = '';
    let configPath = '';
    let apiSocket = '';
    let agent: Background | undefined;
    let image = '';
    const started: { stop: () => Promise<unknown> }[] = [];
    let testcontainers: typeof Testcontainers;

    const writeConfig = (
      includeEnvVars: readonly string[],
      path = configPath,
      socket = apiSocket,
      extra: readonly string[] = [],
    ) =>
      writeFile(
        path,
        [
          'section: WorkloadAttestation',
          'schema: v1',
          'spec:',
          '  docker:',
          '    enabled: true',
          `    includeEnvVars: [${includeEnvVars.join(', ')}]`,
          ...extra.map((line) => `    ${line}`),
          '---',
          'section: Agent',
          'schema: v1',
          'spec:',
          `  apiSocketPath: ${socket}`,
          '',
        ].join('\n'),
      );

    async function cli(...args: string[]): Promise<string> {
      const [command, ...prefix] = access.cli;
      const result = await run(command ?? 'false', [...prefix, ...args], 60_000);
      if (result.code !== 0)
        throw new Error(
          `${access.cli.join(' ')} ${args.join(' ')} failed (${String(result.code)}): ${result.stderr}`,
        );
      return result.stdout.trim();
    }

    async function startContainer(
      labels: Record<string, string> = LABELS,
      env: Record<string, string> = ENV,
    ) {
      let container = new testcontainers.GenericContainer(image)
        .withLabels(labels)
        .withEnvironment(env)
        .withCommand(['/bin/busybox', 'sleep', '3600']);
      if (runtime === 'podman-rootless') container = container.withNetworkMode('none');
      const startedContainer = await container.start();
      started.push(startedContainer);
      const pid = Number(
        await cli('inspect', '--format', '{{.State.Pid}}', startedContainer.getId()),
      );
      return { id: startedContainer.getId(), pid, container: startedContainer };
    }

    async function attest(pid: number): Promise<{ status: number; body: AttestBody }> {
      const response = await getJson(apiSocket, `/v1/attest?pid=${String(pid)}`);
      return { status: response.status, body: response.body as AttestBody };
    }

    beforeAll(async () => {
      process.env['DOCKER_HOST'] = `unix://${access.socket}`;
      process.env['TESTCONTAINERS_RYUK_DISABLED'] = 'true';
      testcontainers = await import('testcontainers');
      dir = await mkdtemp(join(tmpdir(), `attestor-e2e-${runtime}-`));
      const context = await writeBusyboxImageContext(join(dir, 'image'), environment.busybox);
      image = `attestor-e2e-busybox:${runtime}`;
      await testcontainers.GenericContainer.fromDockerfile(context).build(image, {
        deleteOnExit: false,
      });

      configPath = join(dir, 'agent.yaml');
      apiSocket = join(dir, 'agent.sock');
      await writeConfig(INCLUDE_ENV_VARS);
      agent = new Background(NODE, [AGENT_BIN, '--config', configPath, '--log-level', 'debug']);
      await agent.waitForLog('"msg":"agent started"');
    }, 300_000);

    afterAll(async () => {
      await Promise.allSettled(started.map((container) => container.stop()));
      if (agent !== undefined) {
        agent.child.kill('SIGTERM');
        expect(await agent.exited).toBe(0);
        expect(agent.stderr, 'an environment value reached the agent log').not.toContain(
          ENV.SECRET_KEY,
        );
      }
      await rm(dir, { recursive: true, force: true });
    }, 120_000);

    it('attests a container to exactly the attributes its runtime reports', async () => {
      const { id, pid } = await startContainer();
      const inspect = JSON.parse(await cli('inspect', id)) as {
        Config: { Image: string; Labels: Record<string, string> | null };
        Image: string;
      }[];
      const details = inspect[0];
      if (details === undefined) throw new Error('no inspect output');
      const imageId = await cli('image', 'inspect', '--format', '{{.Id}}', details.Image);
      const expected: Record<string, string> = {
        'docker.container.image': details.Config.Image,
        ...Object.fromEntries(
          Object.entries(details.Config.Labels ?? {}).map(([key, value]) => [
            labelAttribute(key),
            value,
          ]),
        ),
        'docker.container.env.APP_VERSION': '1.2.3',
        'docker.container.env.SERVICE_NAME': 'payments',
        'docker.container.env.ENVIRONMENT': 'prod',
        'docker.container.image_config_digest': imageId.startsWith('sha256:')
          ? imageId
          : `sha256:${imageId}`,
        'docker.runtime': runtime,
        ...(runtime === 'podman-rootless'
          ? { 'docker.runtime.owner_uid': String(environment.rootlessUid) }
          : {}),
      };
      const { status, body } = await attest(pid);
      expect(status).toBe(200);
      expect(body.kind).toBe('attested');
      expect(body.containerId).toBe(id);
      expect(body.runtime?.socket).toBe(access.socket);
      expect(body.attributes).toStrictEqual(expected);
      // The labels this test set are among them, with dots, slashes, quotes and backslashes.
      expect(body.attributes).toMatchObject({
        'docker.container.label["com.example.app"]': 'payments',
        'docker.container.label["org.opencontainers.image/source"]': 'https://git.example/payments',
        'docker.container.label["say \\"hi\\""]': 'quoted key',
        'docker.container.label["back\\\\slash"]': 'backslash key',
        'docker.container.label["__proto__"]': 'a label like any other',
      });
      expect(JSON.stringify(body)).not.toContain(ENV.SECRET_KEY);
    });

    it('answers `attestor agent status` and `attestor agent attest` from the running agent', async () => {
      const status = await run(NODE, [
        CLI_BIN,
        'agent',
        'status',
        '--socket',
        apiSocket,
        '-o',
        'json',
      ]);
      expect(status.code).toBe(0);
      expect(JSON.parse(status.stdout)).toMatchObject({ healthy: true, ready: true });
      if (runtime !== 'podman-rootless') {
        // The real daemon under test, asked at that moment.
        const { readiness } = JSON.parse(status.stdout) as {
          readiness: { runtimes: { kind: string; socket: string; state: string }[] };
        };
        expect(readiness.runtimes).toContainEqual(
          expect.objectContaining({ kind: runtime, socket: access.socket, state: 'up' }),
        );
      }
      const { id, pid } = await startContainer();
      const attested = await run(NODE, [
        CLI_BIN,
        'agent',
        'attest',
        '--pid',
        String(pid),
        '--socket',
        apiSocket,
      ]);
      expect(attested.code).toBe(0);
      expect(JSON.parse(attested.stdout)).toStrictEqual((await attest(pid)).body);
      expect(JSON.parse(attested.stdout)).toMatchObject({ containerId: id });
      const missing = await run(NODE, [
        CLI_BIN,
        'agent',
        'attest',
        '--pid',
        '4194303',
        '--socket',
        apiSocket,
        '-o',
        'json',
      ]);
      expect(missing.code).toBe(3);
      expect(JSON.parse(missing.stdout)).toMatchObject({ error: { code: 'process_not_found' } });
    });

    it('gives a host process no docker attributes', async () => {
      const { status, body } = await attest(process.pid);
      expect(status).toBe(200);
      expect(body).toStrictEqual({ pid: process.pid, kind: 'not_in_container', attributes: {} });
    });

    it('refuses a process whose container exited, never returning other attributes', async () => {
      const { pid, container } = await startContainer({ 'com.example.app': 'short-lived' }, {});
      await container.stop();
      const { status, body } = await attest(pid);
      expect(status).toBeGreaterThanOrEqual(400);
      expect(body.attributes).toBeUndefined();
      expect(body.error?.code).toMatch(
        /^(process_not_found|process_changed|container_not_running)$/,
      );
      expect(body.error?.message).toContain(String(pid));
    });

    it('applies a changed includeEnvVars to the next attestation without a restart', async () => {
      const { pid } = await startContainer();
      await writeConfig(['SECRET_']);
      await vi.waitFor(
        async () => {
          const { body } = await attest(pid);
          expect(body.attributes).toHaveProperty(
            ['docker.container.env.SECRET_KEY'],
            ENV.SECRET_KEY,
          );
          expect(body.attributes).not.toHaveProperty(['docker.container.env.APP_VERSION']);
        },
        { timeout: 15_000, interval: 200 },
      );
      await writeConfig(INCLUDE_ENV_VARS);
      agent?.child.kill('SIGHUP');
      await vi.waitFor(
        async () => {
          const { body } = await attest(pid);
          expect(body.attributes).not.toHaveProperty(['docker.container.env.SECRET_KEY']);
        },
        { timeout: 15_000, interval: 200 },
      );
    });

    if (runtime === 'podman-rootless') {
      it('attests a rootless container whose process runs as a non-root user inside it', async () => {
        // In the container the process is uid 1000; on the host it is a subordinate uid of the
        // owner. The socket to ask is found from the owner of its user namespace.
        const container = await new testcontainers.GenericContainer(image)
          .withUser('1000')
          .withNetworkMode('none')
          .withLabels({ 'com.example.app': 'as-user-1000' })
          .withCommand(['/bin/busybox', 'sleep', '3600'])
          .start();
        started.push(container);
        const pid = Number(await cli('inspect', '--format', '{{.State.Pid}}', container.getId()));
        const status = await readFile(`/proc/${String(pid)}/status`, 'utf8');
        expect(status).not.toMatch(
          new RegExp(`^Uid:\\s+${String(environment.rootlessUid)}\\s`, 'm'),
        );
        const { status: code, body } = await attest(pid);
        expect(code).toBe(200);
        expect(body).toMatchObject({
          kind: 'attested',
          containerId: container.getId(),
          runtime: { kind: 'podman-rootless', ownerUid: environment.rootlessUid },
        });
        expect(body.attributes?.['docker.container.label["com.example.app"]']).toBe('as-user-1000');
      });
    }

    if (runtime === 'podman-rootless') {
      it('does not ask a rootless socket path that is a symlink to another user’s socket', async () => {
        // The attacker (nobody) points the socket path of its own uid at the test user's
        // socket, then runs a process in a user and pid namespace of its own, which the agent
        // looks for through that path.
        const attacker = Number((await run('id', ['-u', 'nobody'])).stdout.trim());
        const runtimeDir = `/run/user/${String(attacker)}`;
        await mkdir(join(runtimeDir, 'podman'), { recursive: true });
        await symlink(environment.rootlessSocket, join(runtimeDir, 'podman', 'podman.sock'));
        await run('chown', ['-R', '-h', `${String(attacker)}:`, runtimeDir]);
        await chmod(runtimeDir, 0o700);
        const sleeper = spawn(
          'setpriv',
          [
            '--reuid=nobody',
            '--regid=nogroup',
            '--clear-groups',
            'unshare',
            '-U',
            '-r',
            '-p',
            '-f',
            'sleep',
            '300',
          ],
          { stdio: 'ignore' },
        );
        try {
          const pid = await vi.waitFor(async () => {
            const children = (
              await readFile(
                `/proc/${String(sleeper.pid)}/task/${String(sleeper.pid)}/children`,
                'utf8',
              )
            ).trim();
            expect(children).not.toBe('');
            return Number(children.split(' ')[0]);
          });
          const { status, body } = await attest(pid);
          expect(body.attributes).toBeUndefined();
          expect(status).toBe(503);
          expect(body.error?.code).toBe('runtime_unavailable');
          expect(body.error?.message).toContain(
            `the rootless Podman socket ${join(runtimeDir, 'podman', 'podman.sock')} of uid ${String(attacker)} is a symbolic link; it is not asked`,
          );
        } finally {
          sleeper.kill('SIGKILL');
          await rm(runtimeDir, { recursive: true, force: true });
        }
      });
    }

    if (runtime === 'podman-rootless') {
      it('issues no identity on a rootless socket’s word unless the identity section allows it', async () => {
        const { id, pid } = await startContainer();
        const identityAgent = async (name: string, allow: boolean) => {
          const config = join(dir, `${name}.yaml`);
          const socket = join(dir, `${name}.sock`);
          await writeFile(
            config,
            [
              'section: WorkloadAttestation',
              'schema: v1',
              'spec:',
              '  docker:',
              '    enabled: true',
              '---',
              'section: Agent',
              'schema: v1',
              'spec:',
              `  apiSocketPath: ${socket}`,
              '---',
              'section: WorkloadIdentity',
              'schema: v1',
              'spec:',
              '  trustDomain: example.org',
              `  workloadApiSocketPath: ${join(dir, name, 'api.sock')}`,
              `  stateDirectory: ${join(dir, name, 'state')}`,
              `  pathTemplate: '/apps/{{docker.container.label["com.example.app"]}}'`,
              ...(allow ? ['  allowRootlessRuntimes: true'] : []),
              '',
            ].join('\n'),
          );
          const background = new Background(NODE, [AGENT_BIN, '--config', config]);
          await background.waitForLog('"msg":"agent started"');
          return {
            get: (path: string) => getJson(socket, path),
            [Symbol.asyncDispose]: () => background[Symbol.asyncDispose](),
          };
        };
        {
          await using agentByDefault = await identityAgent('identity-default', false);
          const refused = await agentByDefault.get(`/v1/identity?pid=${String(pid)}`);
          expect(refused.status).toBe(403);
          expect((refused.body as AttestBody).error?.code).toBe('rootless_runtime_refused');
          expect(refused.body).not.toHaveProperty('spiffeId');
          // The attributes still say who vouched.
          const attested = await agentByDefault.get(`/v1/attest?pid=${String(pid)}`);
          expect(attested.body).toMatchObject({
            containerId: id,
            attributes: {
              'docker.runtime': 'podman-rootless',
              'docker.runtime.owner_uid': String(environment.rootlessUid),
            },
          });
        }
        await using agentAllowing = await identityAgent('identity-allowing', true);
        expect(await agentAllowing.get(`/v1/identity?pid=${String(pid)}`)).toMatchObject({
          status: 200,
          body: { spiffeId: 'spiffe://example.org/apps/payments' },
        });
      });
    }

    if (runtime !== 'podman-rootless') {
      describe('having a process forged into a host-pid container’s cgroup', () => {
        /** Where the runtime puts a container's cgroup, below a hierarchy's root. */
        const containerCgroup = (id: string) =>
          runtime === 'docker' ? `docker/${id}` : `libpod_parent/libpod-${id}`;

        /**
         * The attack: a host process moved into a cgroup directory named after the container,
         * elsewhere in the tree (as a user with a delegated subtree could do), on the pids
         * hierarchy only. Returns its PID; the cleanup moves it out and removes the directory.
         */
        async function forgedProcess(containerId: string) {
          const top = `/sys/fs/cgroup/pids/attestor-forged-${String(process.pid)}-${String(Date.now())}`;
          const leaf = join(top, containerCgroup(containerId));
          await mkdir(leaf, { recursive: true });
          const child = spawn('/bin/sleep', ['300'], { stdio: 'ignore' });
          const pid = child.pid ?? 0;
          await writeFile(join(leaf, 'cgroup.procs'), String(pid));
          cleanups.push(async () => {
            child.kill('SIGKILL');
            await new Promise((resolve) => child.once('exit', resolve));
            for (let dir = leaf; dir.length >= top.length; dir = join(dir, '..'))
              await rmdir(dir).catch(() => undefined);
          });
          return pid;
        }

        async function runHostPidContainer(...pidFlag: string[]) {
          const id = await cli('run', '-d', ...pidFlag, image, '/bin/busybox', 'sleep', '3600');
          cleanups.push(() => cli('rm', '-f', id));
          const pid = Number(await cli('inspect', '--format', '{{.State.Pid}}', id));
          return { id, pid };
        }

        const cleanups: (() => Promise<unknown>)[] = [];
        afterAll(async () => {
          for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
        });

        /** A second agent whose configuration opts in to host-pid containers; dispose to stop it. */
        async function optedInAgent(name: string) {
          const config = join(dir, `${name}.yaml`);
          const socket = join(dir, `${name}.sock`);
          await writeConfig(INCLUDE_ENV_VARS, config, socket, ['attestHostPidContainers: true']);
          const background = new Background(NODE, [AGENT_BIN, '--config', config]);
          await background.waitForLog('"msg":"agent started"');
          return {
            attest: (pid: number) => getJson(socket, `/v1/attest?pid=${String(pid)}`),
            [Symbol.asyncDispose]: () => background[Symbol.asyncDispose](),
          };
        }

        it('refuses a --pid=host container by default, and a forged process even opted in', async () => {
          const hostPid = await runHostPidContainer('--pid=host');
          const forged = await forgedProcess(hostPid.id);

          const refused = await attest(forged);
          expect(refused.status).toBe(403);
          expect(refused.body.error?.code).toBe('host_pid_namespace_refused');
          expect(refused.body.attributes).toBeUndefined();

          await using second = await optedInAgent('host-pid');
          const genuine = await second.attest(hostPid.pid);
          expect(genuine.status).toBe(200);
          expect(genuine.body).toMatchObject({
            kind: 'attested',
            containerId: hostPid.id,
            pidNamespace: 'host',
          });
          const forgedAnswer = await second.attest(forged);
          expect(forgedAnswer.status).toBe(409);
          expect((forgedAnswer.body as AttestBody).error?.code).toBe('cgroup_mismatch');
          expect((forgedAnswer.body as AttestBody).attributes).toBeUndefined();
        });

        it('does not take a rootful container to be under a cgroup directory a user owns', async () => {
          // As if a user had made the directory: the container's own pids cgroup is handed to
          // the nobody user for the length of the test.
          const { id, pid } = await startContainer({ 'com.example.app': 'user-owned' }, {});
          const directory = `/sys/fs/cgroup/pids/${containerCgroup(id)}`;
          const nobody = Number((await run('id', ['-u', 'nobody'])).stdout.trim());
          await chown(directory, nobody, nobody);
          try {
            const { status, body } = await attest(pid);
            expect(status).toBe(409);
            expect(body.error?.code).toBe('untrusted_cgroup');
            expect(body.error?.message).toContain(`owned by uid ${String(nobody)}, not root`);
            expect(body.attributes).toBeUndefined();
          } finally {
            await chown(directory, 0, 0);
          }
          expect((await attest(pid)).status).toBe(200);
        });

        it('treats --pid=container:<host-pid container> as host-pid, whatever PidMode says', async () => {
          const hostPid = await runHostPidContainer('--pid=host');
          const joined = await runHostPidContainer(`--pid=container:${hostPid.id}`);
          const forged = await forgedProcess(joined.id);

          const refused = await attest(forged);
          expect(refused.status).toBe(403);
          expect(refused.body.error?.code).toBe('host_pid_namespace_refused');

          await using second = await optedInAgent('joined-pid');
          const forgedAnswer = await second.attest(forged);
          expect(forgedAnswer.status).toBe(409);
          expect((forgedAnswer.body as AttestBody).error?.code).toBe('cgroup_mismatch');
          const genuine = await second.attest(joined.pid);
          expect(genuine.body).toMatchObject({
            kind: 'attested',
            containerId: joined.id,
            pidNamespace: 'host',
          });
        });
      });
    }

    if (runtime === 'docker') {
      it('holds each runtime call to its deadline, body included, against a socket that drips', async () => {
        // A fake Engine API that answers /_ping, then sends an inspect body one byte every
        // 300 ms: a gap timeout never fires, only a deadline over the whole answer does.
        const drippingSocket = join(dir, 'dripping.sock');
        const body = JSON.stringify({ Id: 'x'.repeat(64), padding: 'y'.repeat(400) });
        const timers = new Set<NodeJS.Timeout>();
        const server = createServer((request, response) => {
          if (request.url === '/_ping') {
            response.writeHead(200, { 'api-version': '1.41' });
            response.end('OK');
            return;
          }
          response.writeHead(200, { 'content-type': 'application/json' });
          let sent = 0;
          const drip = setInterval(() => {
            if (response.destroyed || sent >= body.length) {
              clearInterval(drip);
              response.end();
              return;
            }
            response.write(body[sent++]);
          }, 300);
          timers.add(drip);
        });
        await new Promise<void>((resolve) => server.listen(drippingSocket, resolve));
        try {
          const config = join(dir, 'dripping.yaml');
          const socket = join(dir, 'dripping-agent.sock');
          await writeConfig(INCLUDE_ENV_VARS, config, socket, [
            `dockerSocketPath: unix://${drippingSocket}`,
          ]);
          await using second = new Background(NODE, [AGENT_BIN, '--config', config]);
          await second.waitForLog('"msg":"agent started"');
          const { pid } = await startContainer();
          const response = await getJson(socket, `/v1/attest?pid=${String(pid)}`);
          const answer = response.body as AttestBody;
          expect(response.status).toBe(503);
          expect(answer.error?.code).toBe('runtime_unavailable');
          expect(answer.error?.message).toContain(
            `container inspect from docker at ${drippingSocket}: no complete answer within 5000 ms`,
          );
        } finally {
          for (const timer of timers) clearInterval(timer);
          server.closeAllConnections();
          await new Promise((resolve) => server.close(resolve));
        }
      });
    }

    if (runtime === 'docker') {
      it('stops within its grace period on SIGTERM, aborting an attestation in flight', async () => {
        // A socket that accepts and never answers: the attestation hangs on it until stopped.
        const silentSocket = join(dir, 'silent.sock');
        let requests = 0;
        const server = createServer(() => {
          requests++; // and never answers
        });
        await new Promise<void>((resolve) => server.listen(silentSocket, resolve));
        try {
          const config = join(dir, 'silent.yaml');
          const socket = join(dir, 'silent-agent.sock');
          await writeConfig(INCLUDE_ENV_VARS, config, socket, [
            `dockerSocketPath: unix://${silentSocket}`,
          ]);
          await using second = new Background(NODE, [AGENT_BIN, '--config', config]);
          await second.waitForLog('"msg":"agent started"');
          const { pid } = await startContainer();
          const inFlight = getJson(socket, `/v1/attest?pid=${String(pid)}`).catch(
            (error: unknown) => error,
          );
          await vi.waitFor(() => {
            expect(requests).toBeGreaterThan(0);
          });
          second.child.kill('SIGTERM');
          const exited = await Promise.race([
            second.exited,
            new Promise((resolve) =>
              setTimeout(() => {
                resolve('still running');
              }, 4_000),
            ),
          ]);
          expect(exited).toBe(0);
          expect(second.stderr).toContain('"msg":"agent stopped"');
          expect(second.stderr).not.toContain('shutdown grace period');
          await inFlight;
        } finally {
          server.closeAllConnections();
          await new Promise((resolve) => server.close(resolve));
        }
      });
    }

    it('names the socket of a stopped daemon', async () => {
      // A real daemon on a socket of its own (Podman's API service), stopped before use.
      const stoppedSocket =
        runtime === 'podman-rootless'
          ? join(dir, `stopped-${String(environment.rootlessUid)}.sock`)
          : join(dir, 'stopped.sock');
      await using daemon = new Background('podman', [
        'system',
        'service',
        '--time=0',
        `unix://${stoppedSocket}`,
      ]);
      await waitForSocket(stoppedSocket);
      daemon.signalGroup('SIGTERM');
      await daemon.exited;
      await waitForSocketClosed(stoppedSocket);

      const setting = {
        docker: `dockerSocketPath: unix://${stoppedSocket}`,
        podman: `podmanSocketPath: unix://${stoppedSocket}`,
        'podman-rootless': `podmanSocketPathTemplate: unix://${join(dir, 'stopped-%d.sock')}`,
      }[runtime];
      const secondConfig = join(dir, 'stopped.yaml');
      const secondApi = join(dir, 'stopped-agent.sock');
      await writeConfig(INCLUDE_ENV_VARS, secondConfig, secondApi, [setting]);
      await using second = new Background(NODE, [AGENT_BIN, '--config', secondConfig]);
      await second.waitForLog('"msg":"agent started"');
      const { pid } = await startContainer();
      const response = await getJson(secondApi, `/v1/attest?pid=${String(pid)}`);
      const body = response.body as AttestBody;
      expect(response.status).toBe(503);
      expect(body.attributes).toBeUndefined();
      expect(body.error?.code).toBe('runtime_unavailable');
      expect(body.error?.message).toContain(stoppedSocket);
    });
  });
}
