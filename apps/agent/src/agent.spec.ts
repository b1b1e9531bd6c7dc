import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { lstat, rm, stat, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';

import {
  EMBEDDED_DEFAULT_CONFIG,
  loadConfigFile,
  loadYamlConfig,
} from '@attestor/adapter-yaml-config';
import type { SignatureVerificationHandle, WorkloadIdentityHandle } from '@attestor/composition';
import { DEFAULT_CONFIG, type WorkloadIdentityConfig } from '@attestor/config';
import { ImageSignatureVerification } from '@attestor/sigstore-policy';
import {
  ConfigTextMother,
  ContainerDetailsMother,
  containerId,
  FakeClock,
  FakeContainerRuntime,
  FakeImageRegistry,
  FakeProcessTable,
  FakeSignatureVerifier,
  getOverUnixSocket,
  ProcessMother,
  RecordingLogger,
  RecordingMetrics,
} from '@attestor/testing';
import { test } from '@attestor/testing/fixtures';
import { WorkloadAttestor } from '@attestor/workload-attestor';
import { describe, expect, vi } from 'vitest';

import { Agent } from './agent.js';
import { LocalApiServer } from './api-server.js';
import { AgentConfigLoader } from './config-loader.js';

const get = getOverUnixSocket;
const ID = containerId(0xabc);

describe(Agent, () => {
  /** A signature verification handle over fakes, closed by `close`. */
  function verificationHandle(close: () => Promise<void>): SignatureVerificationHandle {
    return {
      verification: new ImageSignatureVerification({
        registry: new FakeImageRegistry(),
        verifier: new FakeSignatureVerifier(),
        metrics: new RecordingMetrics(),
        clock: new FakeClock(),
        logger: new RecordingLogger(),
      }),
      trustedRoot: () => ({
        source: 'file',
        path: '/etc/attestor/trusted_root.json',
        state: 'loaded',
      }),
      resolve: () => Promise.resolve(undefined),
      close,
    };
  }

  /** Records what the agent does with its Workload API, in place of the real one. */
  class FakeWorkloadApi {
    readonly events: string[] = [];
    constructor(private readonly fails: string | undefined) {}

    create(config: WorkloadIdentityConfig): Promise<WorkloadIdentityHandle> {
      if (this.fails !== undefined) return Promise.reject(new Error(this.fails));
      this.events.push(`create ${config.trustDomain} ${config.workloadApiSocketPath}`);
      return Promise.resolve({
        config,
        start: () => {
          this.events.push('start');
          return Promise.resolve();
        },
        update: (next) => {
          this.events.push(`update ${next.identities.map(({ name }) => name).join(',')}`);
          return next.workloadApiSocketPath === config.workloadApiSocketPath
            ? []
            : ['workloadApiSocketPath'];
        },
        stop: () => {
          this.events.push('stop');
          return Promise.resolve();
        },
      });
    }
  }

  function agentFor(
    configPath: string,
    socketPath: string,
    watched: (onChange: (sha256: string) => Promise<void>) => void = () => undefined,
    createSignatureVerification: () => Promise<SignatureVerificationHandle | undefined> = () =>
      Promise.resolve(undefined),
    Attestor: typeof WorkloadAttestor = WorkloadAttestor,
    options: {
      readonly whenMissing?: 'use-embedded-default' | 'refuse';
      readonly applyLogLevel?: (level: string) => void;
      readonly workloadApiFails?: string;
    } = {},
  ) {
    const logger = new RecordingLogger();
    const metrics = new RecordingMetrics();
    const workloadApi = new FakeWorkloadApi(options.workloadApiFails);
    const processes = new FakeProcessTable()
      .set(ProcessMother.onHost({ pid: 1, pidNamespace: 1n }))
      .set(ProcessMother.inContainer(ID, { pid: 4242 }));
    const runtime = new FakeContainerRuntime().addContainer(
      '/var/run/docker.sock',
      ContainerDetailsMother.running({
        id: ID,
        initPid: 4242,
        env: ['APP_VERSION=1.2.3', 'SECRET_KEY=hunter2-do-not-log'],
      }),
    );
    const attestor = new Attestor(
      {
        processTable: processes,
        runtime,
        metrics: new RecordingMetrics(),
        clock: new FakeClock(),
        logger,
        agentPid: 1,
      },
      DEFAULT_CONFIG.docker,
    );
    const loader = new AgentConfigLoader(
      configPath,
      loadConfigFile,
      loadYamlConfig,
      EMBEDDED_DEFAULT_CONFIG,
      logger,
      options.whenMissing,
    );
    const agent = new Agent({
      configLoader: loader,
      attestor,
      createApiServer: () => new LocalApiServer(socketPath, 0o600, logger),
      createConfigWatcher: (onChange) => {
        watched(onChange);
        return { start: () => Promise.resolve(), stop: () => undefined };
      },
      metricsText: () =>
        Promise.resolve({ contentType: 'text/plain; version=0.0.4', text: 'metric 1\n' }),
      metrics,
      clock: new FakeClock(),
      runtime,
      createSignatureVerification,
      createWorkloadIdentity: (config) => workloadApi.create(config),
      ...(options.applyLogLevel === undefined ? {} : { applyLogLevel: options.applyLogLevel }),
      logger,
    });
    return { agent, logger, workloadApi, metrics, runtime };
  }

  describe('.start', () => {
    test('runs the embedded default (Docker enabled) when no file exists, and serves its API', async ({
      tempDir,
    }) => {
      const socket = join(tempDir, 'embedded.sock');
      const { agent, logger, runtime } = agentFor(join(tempDir, 'absent.yaml'), socket);
      expect(await agent.start()).toBe(true);
      try {
        expect(agent.configuration?.origin).toStrictEqual({ kind: 'embedded' });
        expect(agent.configuration?.config.docker.enabled).toBe(true);
        expect(await get(socket, '/healthz')).toMatchObject({
          status: 200,
          body: { status: 'ok' },
        });
        expect(await get(socket, '/readyz')).toMatchObject({
          status: 200,
          body: { status: 'ready', config: { kind: 'embedded' } },
        });
        // Each rootful socket as it answers now; a Podman that is down does not make it unready.
        runtime.setDown('/run/podman/podman.sock');
        expect(await get(socket, '/readyz')).toMatchObject({
          status: 200,
          body: {
            status: 'ready',
            sigstore: { enabled: false },
            runtimes: [
              { kind: 'docker', socket: '/var/run/docker.sock', state: 'up', apiVersion: '1.41' },
              {
                kind: 'podman',
                socket: '/run/podman/podman.sock',
                state: 'down',
                reason: 'unreachable',
              },
            ],
          },
        });
        expect(await get(socket, '/metrics')).toMatchObject({ status: 200, text: 'metric 1\n' });
        expect(await get(socket, '/nope')).toMatchObject({ status: 404 });
        expect((await stat(socket)).mode & 0o777).toBe(0o600);
        expect(logger.records.map((record) => record.message)).toContain(
          'no configuration file; using the embedded default',
        );
      } finally {
        await agent.stop();
      }
      await expect(stat(socket)).rejects.toMatchObject({ code: 'ENOENT' });
    });

    test('refuses to start when the file the operator named does not exist', async ({
      tempDir,
    }) => {
      const path = join(tempDir, 'named-but-absent.yaml');
      const { agent, logger } = agentFor(
        path,
        join(tempDir, 'named.sock'),
        undefined,
        undefined,
        undefined,
        {
          whenMissing: 'refuse',
        },
      );
      expect(await agent.start()).toBe(false);
      expect(logger.records).toContainEqual(
        expect.objectContaining({
          level: 'error',
          message: 'the configuration file named does not exist',
          fields: { path },
        }),
      );
      expect(agent.configuration).toBeUndefined();
    });

    test('applies Agent.spec.logLevel of each configuration applied', async ({ tempDir }) => {
      const path = join(tempDir, 'log-level.yaml');
      await writeFile(path, 'section: Agent\nschema: v1\nspec:\n  logLevel: debug\n');
      const levels: string[] = [];
      const { agent } = agentFor(
        path,
        join(tempDir, 'log-level.sock'),
        undefined,
        undefined,
        undefined,
        {
          applyLogLevel: (level) => levels.push(level),
        },
      );
      expect(await agent.start()).toBe(true);
      try {
        await writeFile(path, 'section: Agent\nschema: v1\nspec:\n  logLevel: error\n');
        await agent.reload();
        expect(levels).toStrictEqual(['debug', 'error']);
      } finally {
        await agent.stop();
      }
    });

    test('refuses to start on an invalid file and logs every error', async ({ tempDir }) => {
      const path = join(tempDir, 'bad.yaml');
      await writeFile(
        path,
        'section: WorkloadAttestation\nschema: v1\nspec:\n  docker:\n    enabled: 1\n    bogus: 2\n',
      );
      const { agent, logger } = agentFor(path, join(tempDir, 'bad.sock'));
      expect(await agent.start()).toBe(false);
      expect(
        logger.records
          .filter((record) => record.message === 'configuration error')
          .map((record) => record.fields['issue']),
      ).toStrictEqual([
        `${path}:5: spec.docker.enabled: must be true or false, got number 1`,
        `${path}:6: spec.docker.bogus: unknown field; known fields: enabled, dockerSocketPath, podmanSocketPath, podmanSocketPathTemplate, includeEnvVars, rootlessPodmanDiscovery, attestHostPidContainers, attestationTimeout, sigstore`,
      ]);
    });

    test('replaces a stale socket file but refuses a live one', async ({ tempDir }) => {
      const socket = join(tempDir, 'shared.sock');
      // A socket file that nothing serves: bound by a process that then exited.
      execFileSync('python3', [
        '-c',
        'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])',
        socket,
      ]);
      expect((await lstat(socket)).isSocket()).toBe(true);
      const first = agentFor(join(tempDir, 'absent.yaml'), socket).agent;
      expect(await first.start()).toBe(true);
      try {
        const second = agentFor(join(tempDir, 'absent.yaml'), socket).agent;
        await expect(second.start()).rejects.toThrow(`another process is serving ${socket}`);
      } finally {
        await first.stop();
      }
    });
  });

  describe('.reload', () => {
    test('keeps the configuration in force when the file disappears, and warns', async ({
      tempDir,
    }) => {
      const path = join(tempDir, 'disappearing.yaml');
      await writeFile(
        path,
        'section: WorkloadAttestation\nschema: v1\nspec:\n  docker:\n    enabled: true\n    includeEnvVars: [APP_]\n    rootlessPodmanDiscovery: false\n',
      );
      const { agent, logger } = agentFor(path, join(tempDir, 'disappearing.sock'));
      expect(await agent.start()).toBe(true);
      try {
        const before = agent.configuration;
        await rm(path);
        await agent.reload();
        // Not the embedded default, which would turn rootless discovery back on.
        expect(agent.configuration).toBe(before);
        expect(agent.configuration?.config.docker.rootlessPodmanDiscovery).toBe(false);
        expect(logger.records).toContainEqual(
          expect.objectContaining({
            level: 'warn',
            message: 'the configuration file has disappeared; keeping the configuration in force',
          }),
        );
      } finally {
        await agent.stop();
      }
    });

    test('applies a new configuration without waiting for the previous verification to close', async ({
      tempDir,
    }) => {
      const path = join(tempDir, 'retire.yaml');
      await writeFile(
        path,
        'section: WorkloadAttestation\nschema: v1\nspec:\n  docker:\n    enabled: true\n',
      );
      const releases: (() => void)[] = [];
      // A handle whose connections drain only when the test says so (a stalled registry).
      const handle = (): SignatureVerificationHandle =>
        verificationHandle(() => new Promise<void>((resolve) => releases.push(resolve)));
      const { agent, logger } = agentFor(path, join(tempDir, 'retire.sock'), undefined, () =>
        Promise.resolve(handle()),
      );
      expect(await agent.start()).toBe(true);
      await agent.reload();
      expect(
        logger.records.filter((record) => record.message === 'configuration reloaded'),
      ).toHaveLength(1);
      expect(releases).toHaveLength(1);
      let stopped = false;
      const stopping = agent.stop().then(() => {
        stopped = true;
      });
      await new Promise((resolve) => setTimeout(resolve, 20));
      // stop() closes the current handle and waits for the retiring one too.
      expect(stopped).toBe(false);
      for (const release of releases) release();
      await vi.waitFor(() => {
        for (const release of releases) release();
        expect(stopped).toBe(true);
      });
      await stopping;
    });

    test('keeps the configuration in force, and closes the verification built for the new one, when the attestor refuses it', async ({
      tempDir,
    }) => {
      const path = join(tempDir, 'refused.yaml');
      const base =
        'section: WorkloadAttestation\nschema: v1\nspec:\n  docker:\n    enabled: true\n';
      await writeFile(path, `${base}    includeEnvVars: [APP_]\n`);
      class RefusingAttestor extends WorkloadAttestor {
        override configure(
          ...args: Parameters<WorkloadAttestor['configure']>
        ): ReturnType<WorkloadAttestor['configure']> {
          if (args[0].includeEnvVars.includes('REFUSED_')) throw new Error('refused for the test');
          super.configure(...args);
        }
      }
      const closed: number[] = [];
      let built = 0;
      const handle = (): SignatureVerificationHandle => {
        const number = ++built;
        return verificationHandle(() => {
          closed.push(number);
          return Promise.resolve();
        });
      };
      const socket = join(tempDir, 'refused.sock');
      const { agent, logger, metrics } = agentFor(
        path,
        socket,
        undefined,
        () => Promise.resolve(handle()),
        RefusingAttestor,
      );
      expect(await agent.start()).toBe(true);
      try {
        const applied = agent.configuration;
        await writeFile(path, `${base}    includeEnvVars: [REFUSED_]\n`);
        await agent.reload();
        expect(agent.configuration).toBe(applied);
        expect(agent.configuration?.config.docker.includeEnvVars).toStrictEqual(['APP_']);
        expect(
          logger.records.filter(
            (record) =>
              record.message ===
                'configuration reload rejected; keeping the last good configuration' &&
              record.fields['reason'] === 'refused for the test',
          ),
        ).toHaveLength(1);
        // Counted, and reported by /readyz, which still says ready: the last good one serves.
        expect(metrics.reloads).toStrictEqual(['rejected']);
        expect(await get(socket, '/readyz')).toMatchObject({
          status: 200,
          body: {
            status: 'ready',
            reloads: {
              rejected: 1,
              lastRejected: { at: expect.any(String) as unknown, reason: 'refused for the test' },
            },
            sigstore: {
              enabled: true,
              trustedRoot: {
                source: 'file',
                path: '/etc/attestor/trusted_root.json',
                state: 'loaded',
              },
            },
          },
        });
        await vi.waitFor(() => {
          expect(closed).toStrictEqual([2]);
        });
      } finally {
        await agent.stop();
      }
      expect(closed).toStrictEqual([2, 1]);
    });

    test('applies reloads in the order asked, even when an earlier one is slower', async ({
      tempDir,
    }) => {
      const path = join(tempDir, 'ordered.yaml');
      const first =
        'section: WorkloadAttestation\nschema: v1\nspec:\n  docker:\n    enabled: true\n';
      await writeFile(path, first);
      // The verification built for the first reload takes long; the second is quick.
      let builds = 0;
      let releaseSlow: () => void = () => undefined;
      const { agent } = agentFor(path, join(tempDir, 'ordered.sock'), undefined, async () => {
        builds++;
        if (builds === 2) await new Promise<void>((resolve) => (releaseSlow = resolve));
        return undefined;
      });
      expect(await agent.start()).toBe(true);
      try {
        const slow = agent.reload(); // reads `first`
        await vi.waitFor(() => {
          expect(builds).toBe(2);
        });
        await writeFile(path, `${first}    includeEnvVars: [APP_]\n`);
        const quick = agent.reload(); // reads the new text, but only after `slow` is done
        releaseSlow();
        await Promise.all([slow, quick]);
        expect(agent.configuration?.config.docker.includeEnvVars).toStrictEqual(['APP_']);
      } finally {
        await agent.stop();
      }
    });

    test('does not apply twice a file change that a SIGHUP reload applied already', async ({
      tempDir,
    }) => {
      const path = join(tempDir, 'watched.yaml');
      const text =
        'section: WorkloadAttestation\nschema: v1\nspec:\n  docker:\n    enabled: true\n';
      await writeFile(path, text);
      let onChange: (sha256: string) => Promise<void> = () => Promise.resolve();
      const { agent, logger } = agentFor(path, join(tempDir, 'watched.sock'), (callback) => {
        onChange = callback;
      });
      expect(await agent.start()).toBe(true);
      try {
        const reloads = (): number =>
          logger.records.filter((record) => record.message === 'configuration reloaded').length;
        const applied = createHash('sha256').update(text).digest('hex');
        expect(agent.configuration?.origin).toStrictEqual({ kind: 'file', path, sha256: applied });
        // The watcher reports the content the agent runs on: nothing to do.
        await onChange(applied);
        expect(reloads()).toBe(0);
        // New content: reloaded once.
        const changed = `${text}    includeEnvVars: [APP_]\n`;
        await writeFile(path, changed);
        await onChange(createHash('sha256').update(changed).digest('hex'));
        expect(reloads()).toBe(1);
        expect(agent.configuration?.config.docker.includeEnvVars).toStrictEqual(['APP_']);
      } finally {
        await agent.stop();
      }
    });
  });

  describe('the Workload API', () => {
    const DOCKER_ON = [
      'section: WorkloadAttestation',
      'schema: v1',
      'spec:',
      '  docker:',
      '    enabled: true',
    ].join('\n');
    const section = (socket: string, identity: string) =>
      [
        'section: WorkloadIdentity',
        'schema: v1',
        'spec:',
        '  trustDomain: example.org',
        `  workloadApiSocketPath: ${socket}`,
        '  identities:',
        `    - name: ${identity}`,
        '      pathTemplate: /w',
      ].join('\n');

    test('starts with a WorkloadIdentity section, takes new identities on reload, stops', async ({
      tempDir,
    }) => {
      const configPath = join(tempDir, 'attestor.yaml');
      await writeFile(configPath, `${DOCKER_ON}\n---\n${section('/run/a/api.sock', 'first')}\n`);
      const { agent, logger, workloadApi } = agentFor(configPath, join(tempDir, 'api.sock'));
      expect(await agent.start()).toBe(true);
      await writeFile(configPath, `${DOCKER_ON}\n---\n${section('/run/b/api.sock', 'second')}\n`);
      await agent.reload();
      await agent.stop();
      expect(workloadApi.events).toStrictEqual([
        'create example.org /run/a/api.sock',
        'start',
        'update second',
        'stop',
      ]);
      expect(logger.records).toContainEqual(
        expect.objectContaining({
          level: 'warn',
          message: 'WorkloadIdentity workloadApiSocketPath changes take effect after a restart',
        }),
      );
    });

    test('does not start, saying why, when the Workload API cannot start', async ({ tempDir }) => {
      const configPath = join(tempDir, 'attestor.yaml');
      await writeFile(configPath, `${DOCKER_ON}\n---\n${section('/run/a/api.sock', 'first')}\n`);
      const { agent, logger } = agentFor(
        configPath,
        join(tempDir, 'api.sock'),
        undefined,
        undefined,
        undefined,
        { workloadApiFails: 'the agent must run in the host pid namespace' },
      );
      expect(await agent.start()).toBe(false);
      expect(logger.records).toContainEqual(
        expect.objectContaining({
          level: 'error',
          message: 'cannot start the Workload API',
          fields: { reason: 'the agent must run in the host pid namespace' },
        }),
      );
      // Its local API socket is gone again.
      await expect(lstat(join(tempDir, 'api.sock'))).rejects.toMatchObject({ code: 'ENOENT' });
    });
  });

  describe('GET /v1/identity', () => {
    const withIdentity = (pathTemplate: string): string =>
      ConfigTextMother.withIdentity(pathTemplate);

    test('builds the SPIFFE ID from the attested attributes', async ({ tempDir }) => {
      const path = join(tempDir, 'identity.yaml');
      await writeFile(
        path,
        withIdentity('/workloads/{{docker.container.label["com.example.app"]}}'),
      );
      const socket = join(tempDir, 'identity.sock');
      const { agent } = agentFor(path, socket);
      expect(await agent.start()).toBe(true);
      try {
        expect(await get(socket, '/v1/identity?pid=4242')).toMatchObject({
          status: 200,
          body: { pid: 4242, containerId: ID, spiffeId: 'spiffe://example.org/workloads/payments' },
        });
        expect(await get(socket, '/v1/identity?pid=31337')).toMatchObject({
          status: 404,
          body: { error: { code: 'process_not_found' } },
        });
      } finally {
        await agent.stop();
      }
    });

    test('issues no SPIFFE ID when the template references a signature attribute the workload lacks', async ({
      tempDir,
    }) => {
      const path = join(tempDir, 'identity-signed.yaml');
      await writeFile(path, withIdentity('/signed/{{docker.image.signature.log_index}}'));
      const socket = join(tempDir, 'identity-signed.sock');
      const { agent, logger } = agentFor(path, socket);
      expect(await agent.start()).toBe(true);
      try {
        // The attestation itself succeeds (verification is fail-open); the identity does not.
        expect(await get(socket, '/v1/attest?pid=4242')).toMatchObject({ status: 200 });
        expect(await get(socket, '/v1/identity?pid=4242')).toMatchObject({
          status: 422,
          body: {
            error: {
              code: 'missing_attribute',
              attribute: 'docker.image.signature.log_index',
              message:
                'missing attribute docker.image.signature.log_index (referenced at column 9)',
            },
          },
        });
        expect(logger.text()).toContain('no SPIFFE ID for the workload');
      } finally {
        await agent.stop();
      }
    });

    test('says identity_not_configured without a WorkloadIdentity section', async ({ tempDir }) => {
      const socket = join(tempDir, 'no-identity.sock');
      const { agent } = agentFor(join(tempDir, 'absent.yaml'), socket);
      await agent.start();
      try {
        expect(await get(socket, '/v1/identity?pid=4242')).toMatchObject({
          status: 404,
          body: { error: { code: 'identity_not_configured' } },
        });
      } finally {
        await agent.stop();
      }
    });
  });

  describe('GET /v1/attest', () => {
    test('attests a pid, reports errors with codes, and refuses bad input', async ({ tempDir }) => {
      const socket = join(tempDir, 'attest.sock');
      const { agent } = agentFor(join(tempDir, 'absent.yaml'), socket);
      await agent.start();
      try {
        const attested = await get(socket, '/v1/attest?pid=4242');
        expect(attested.status).toBe(200);
        expect(attested.body).toMatchObject({
          pid: 4242,
          kind: 'attested',
          containerId: ID,
          runtime: { kind: 'docker' },
        });
        expect(await get(socket, '/v1/attest?pid=31337')).toMatchObject({
          status: 404,
          body: { error: { code: 'process_not_found', message: 'process 31337 does not exist' } },
        });
        expect(await get(socket, '/v1/attest?pid=abc')).toMatchObject({
          status: 400,
          body: { error: { code: 'bad_request' } },
        });
        expect(await get(socket, '/v1/attest')).toMatchObject({ status: 400 });
      } finally {
        await agent.stop();
      }
    });
  });

  describe('.reload', () => {
    test('applies a new includeEnvVars, and keeps the last good configuration on an invalid file', async ({
      tempDir,
    }) => {
      const path = join(tempDir, 'reload.yaml');
      const socket = join(tempDir, 'reload.sock');
      const config = (prefixes: string) =>
        `section: WorkloadAttestation\nschema: v1\nspec:\n  docker:\n    enabled: true\n    includeEnvVars: [${prefixes}]\n`;
      await writeFile(path, config(''));
      const { agent, logger } = agentFor(path, socket);
      await agent.start();
      try {
        const attributes = async () =>
          (
            (await get(socket, '/v1/attest?pid=4242')).body as {
              attributes: Record<string, string>;
            }
          ).attributes;
        expect(await attributes()).not.toHaveProperty(['docker.container.env.APP_VERSION']);
        await writeFile(path, config('APP_'));
        await agent.reload();
        expect(await attributes()).toHaveProperty(['docker.container.env.APP_VERSION'], '1.2.3');
        await writeFile(
          path,
          'section: WorkloadAttestation\nschema: v1\nspec:\n  docker:\n    includeEnvVars: APP_\n',
        );
        await agent.reload();
        expect(logger.records.map((record) => record.message)).toContain(
          'configuration reload rejected; keeping the last good configuration',
        );
        expect(await attributes()).toHaveProperty(['docker.container.env.APP_VERSION'], '1.2.3');
        expect(logger.text()).not.toContain('hunter2-do-not-log');
      } finally {
        await agent.stop();
      }
    });
  });
});

describe(LocalApiServer, () => {
  test('tells a handler when its caller hangs up before the answer, and only then', async ({
    tempDir,
  }) => {
    const socket = join(tempDir, 'api.sock');
    const signals: AbortSignal[] = [];
    let release: () => void = () => undefined;
    const server = new LocalApiServer(socket, 0o600, new RecordingLogger())
      .route('GET', '/slow', async (_request, _url, callerGone) => {
        signals.push(callerGone);
        await new Promise<void>((resolve) => {
          release = resolve;
          callerGone.addEventListener('abort', () => {
            resolve();
          });
        });
        return { status: 200, body: {} };
      })
      .route('GET', '/fast', (_request, _url, callerGone) => {
        signals.push(callerGone);
        return Promise.resolve({ status: 200, body: {} });
      });
    await server.start();
    try {
      expect(await get(socket, '/fast')).toMatchObject({ status: 200 });
      const hungUp = request({ socketPath: socket, path: '/slow', method: 'GET' });
      hungUp.on('error', () => undefined);
      hungUp.end();
      await vi.waitFor(() => {
        expect(signals).toHaveLength(2);
      });
      hungUp.destroy();
      await vi.waitFor(() => {
        expect(signals[1]?.aborted).toBe(true);
      });
      expect(signals[0]?.aborted).toBe(false);
    } finally {
      release();
      await server.stop();
    }
  });
});
