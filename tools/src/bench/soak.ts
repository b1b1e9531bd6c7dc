/**
 * Soak and fault run (`npm run soak`, not part of CI): SOAK_MINUTES (default 30) of mixed
 * attestations against real Docker, rootful Podman and rootless Podman while containers start
 * and stop, dockerd is killed and restarted twice, and the registry the images' signatures are
 * looked up in stalls for a while. Every answer is checked against what the test knows about
 * the PID it asked for. Prints, once a minute and at the end: attestations by outcome and
 * error code, wrong answers (must be 0), RSS and heap, and the event-loop delay p99.
 *
 * The attestor is the agent's own use case and adapters, in this process, so that the
 * event-loop delay and memory measured are its own.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { closeSync, copyFileSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { promisify } from 'node:util';

import { DockerEngineContainerRuntime } from '@attestor/adapter-docker-engine';
import { JsonLinesLogger, SystemClock } from '@attestor/adapter-node-process';
import { CosignImageRegistry, OciRegistryClient } from '@attestor/adapter-oci-registry';
import { CgroupfsCgroupTree, ProcfsProcessTable } from '@attestor/adapter-procfs';
import { PrometheusMetrics } from '@attestor/adapter-prometheus';
import { SigstoreSignatureVerifier } from '@attestor/adapter-sigstore-verify';
import { DEFAULT_DOCKER_CONFIG, DEFAULT_TUF_CACHE_PATH } from '@attestor/config';
import { ImageSignatureVerification } from '@attestor/sigstore-policy';
import {
  buildTrustedRoot,
  TestCertificateAuthority,
  TestTransparencyLog,
} from '@attestor/sigstore-test-stack';
import { WorkloadAttestor } from '@attestor/workload-attestor';
import { Registry } from 'prom-client';

const run = promisify(execFile);
const env = (name: string, fallback: string): string => process.env[name] ?? fallback;
const MINUTES = Number(env('SOAK_MINUTES', '30'));
const DOCKER_SOCKET = env('ATTESTOR_E2E_DOCKER_SOCKET', '/var/run/docker.sock');
const PODMAN_SOCKET = env('ATTESTOR_E2E_PODMAN_SOCKET', '/run/podman/podman.sock');
const ROOTLESS_SOCKET = env('ATTESTOR_E2E_ROOTLESS_SOCKET', '');
const BUSYBOX = env('ATTESTOR_E2E_BUSYBOX', '/usr/bin/busybox');
const REGISTRY = env('ATTESTOR_E2E_REGISTRY', '127.0.0.1:5000');
const STATE_DIR = env('ATTESTOR_PROVISION_STATE', '/run/attestor-e2e');
/** The stalling proxy in front of the registry: the images' repo digests name it. */
const PROXY_PORT = 5055;
const CONTAINERS_PER_RUNTIME = 4;
const CONCURRENCY = 8;

type RuntimeName = 'docker' | 'podman' | 'podman-rootless';
const CLI: Record<RuntimeName, string[]> = {
  docker: ['/usr/bin/docker', '--host', `unix://${DOCKER_SOCKET}`],
  podman: ['podman', '--url', `unix://${PODMAN_SOCKET}`],
  'podman-rootless': ['podman', '--url', `unix://${ROOTLESS_SOCKET}`],
};
const IMAGE: Record<RuntimeName, string> = {
  docker: `127.0.0.1:${String(PROXY_PORT)}/attestor-soak:1`,
  podman: 'attestor-soak:1',
  'podman-rootless': 'attestor-soak:1',
};

async function cli(runtime: RuntimeName, ...args: string[]): Promise<string> {
  const [command, ...prefix] = CLI[runtime];
  const { stdout } = await run(command ?? 'false', [...prefix, ...args], { timeout: 120_000 });
  return stdout.trim();
}

interface Live {
  readonly runtime: RuntimeName;
  readonly id: string;
  readonly pid: number;
  readonly token: string;
}

/** A TCP proxy to the registry that, while `stalled`, accepts connections and forwards nothing. */
function stallingProxy(): { stalled: boolean; close: () => void } {
  const state: { stalled: boolean; close: () => void } = { stalled: false, close: () => undefined };
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => undefined);
    if (state.stalled) return;
    const [host, port] = REGISTRY.split(':');
    const upstream = connect(Number(port), host);
    upstream.on('error', () => client.destroy());
    client.pipe(upstream).pipe(client);
  });
  server.listen(PROXY_PORT, '127.0.0.1');
  state.close = () => {
    for (const socket of sockets) socket.destroy();
    server.close();
  };
  return state;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'attestor-soak-'));
  copyFileSync(BUSYBOX, join(dir, 'busybox'));
  writeFileSync(
    join(dir, 'Dockerfile'),
    'FROM scratch\nCOPY busybox /bin/busybox\nLABEL soak=1\nCMD ["/bin/busybox", "sleep", "3600"]\n',
  );
  const proxy = stallingProxy();
  await cli('docker', 'build', '-q', '-t', IMAGE.docker, dir);
  await cli('docker', 'push', '-q', IMAGE.docker);
  await cli('podman', 'build', '-q', '-t', IMAGE.podman, dir);
  if (ROOTLESS_SOCKET !== '') await cli('podman-rootless', 'build', '-q', '-t', IMAGE.podman, dir);
  const runtimes: RuntimeName[] =
    ROOTLESS_SOCKET === '' ? ['docker', 'podman'] : ['docker', 'podman', 'podman-rootless'];

  const clock = new SystemClock();
  const logger = new JsonLinesLogger(() => undefined, clock, 'error');
  const metricsRegistry = new Registry();
  const metrics = new PrometheusMetrics(metricsRegistry, 'docker');
  const runtime = new DockerEngineContainerRuntime();
  const ca = await TestCertificateAuthority.create();
  const log = new TestTransparencyLog('rekor.test.invalid');
  const client = new OciRegistryClient({
    clock,
    transports: new Map([[`127.0.0.1:${String(PROXY_PORT)}`, { insecure: true }]]),
    timeoutMs: 2_000,
  });
  const verification = new ImageSignatureVerification({
    registry: new CosignImageRegistry(client, clock),
    verifier: new SigstoreSignatureVerifier(
      buildTrustedRoot({ ca, log, logBaseUrl: 'https://rekor.test.invalid' }),
    ),
    metrics,
    clock,
    logger,
  });
  const sigstore = {
    enabled: true,
    allowedIdentities: new Map([['https://issuer.example', ['*']]]),
    rekorURL: 'https://rekor.sigstore.dev',
    skipProvenance: true,
    skipTransparencyLog: false,
    registries: new Map(),
    verificationTimeoutMs: 2_000,
    tufMirrorURL: 'https://tuf.invalid',
    tufCachePath: DEFAULT_TUF_CACHE_PATH,
  };
  verification.configure(sigstore);
  const config = {
    ...DEFAULT_DOCKER_CONFIG,
    enabled: true,
    attestationTimeoutMs: 5_000,
    dockerSocketPath: `unix://${DOCKER_SOCKET}`,
    podmanSocketPath: `unix://${PODMAN_SOCKET}`,
    sigstore,
  };
  const attestor = new WorkloadAttestor(
    {
      processTable: new ProcfsProcessTable(),
      runtime,
      metrics,
      clock,
      logger,
      agentPid: process.pid,
      cgroupTree: new CgroupfsCgroupTree(),
    },
    config,
  );
  attestor.configure(config, verification);

  const live: Live[] = [];
  let serial = 0;
  async function start(name: RuntimeName): Promise<void> {
    const token = `soak-${String(++serial)}`;
    const args = ['run', '-d', '--label', `soak.token=${token}`];
    // No network: a killed dockerd leaves each container's bridge endpoint behind, and the next
    // dockerd spends a second or more per endpoint cleaning them up before it answers; that
    // is dockerd's recovery, not the agent's, and it outlasted every wait. Rootless Podman
    // cannot open /dev/net/tun here anyway.
    args.push('--network=none');
    try {
      const id = await cli(name, ...args, IMAGE[name], '/bin/busybox', 'sleep', '3600');
      const pid = Number(await cli(name, 'inspect', '--format', '{{.State.Pid}}', id));
      live.push({ runtime: name, id, pid, token });
    } catch {
      // dockerd restarting: the churn loop tries again.
    }
  }
  async function stop(container: Live): Promise<void> {
    live.splice(live.indexOf(container), 1);
    await cli(container.runtime, 'rm', '-f', '-t', '0', container.id).catch(() => undefined);
  }

  const outcomes = new Map<string, number>();
  const count = (key: string): void => {
    outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
  };
  let wrong = 0;
  const wrongExamples: string[] = [];
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  const deadline = Date.now() + MINUTES * 60_000;
  const startedAt = Date.now();

  async function attestOnce(): Promise<void> {
    const pick = Math.random();
    if (pick < 0.05 || live.length === 0) {
      try {
        const answer = await attestor.attest(process.pid);
        if (answer.kind === 'not_in_container') count('not_in_container (host)');
        else {
          wrong++;
          wrongExamples.push(`host pid attested as ${answer.kind}`);
        }
      } catch (error) {
        count(`error ${(error as { code?: string }).code ?? 'exception'}`);
      }
      return;
    }
    const container = live[Math.floor(Math.random() * live.length)];
    if (container === undefined) return;
    try {
      const answer = await attestor.attest(container.pid);
      if (answer.kind !== 'attested') {
        // A stopped container's PID may belong to another process by now: "not in a
        // container" is then true. A live one must be attested.
        if (live.includes(container)) {
          wrong++;
          wrongExamples.push(`${container.runtime} ${container.id} said ${answer.kind}`);
        } else count('not_in_container (stopped)');
        return;
      }
      const label = answer.attributes.get('docker.container.label["soak.token"]');
      if (
        answer.containerId !== container.id ||
        label?.value !== container.token ||
        answer.runtime.kind !== container.runtime
      ) {
        // Only wrong if the PID still is this container's process.
        if (live.includes(container)) {
          wrong++;
          wrongExamples.push(
            `${container.runtime} ${container.id} attested as ${answer.containerId}`,
          );
        } else count('stale pid attested to its new owner');
        return;
      }
      count(
        `attested ${container.runtime}${answer.attributes.has('docker.image.signature.subject') ? ' signed' : ''}`,
      );
    } catch (error) {
      count(`error ${(error as { code?: string }).code ?? 'exception'}`);
    }
  }

  /** spirl_agent_sigstore_image_verification_total by result, as the agent exports it. */
  async function verificationResults(): Promise<string> {
    const all = await metricsRegistry.getMetricsAsJSON();
    const total = all.find(
      (metric) => metric.name === 'spirl_agent_sigstore_image_verification_total',
    );
    return (total?.values ?? [])
      .map((value) => `${String(value.labels['result'])}: ${String(value.value)}`)
      .join(', ');
  }

  const rss: number[] = [];
  async function report(final: boolean): Promise<void> {
    const memory = process.memoryUsage();
    rss.push(memory.rss);
    const minutes = ((Date.now() - startedAt) / 60_000).toFixed(1);
    const sorted = [...outcomes].sort((a, b) => b[1] - a[1]);
    process.stdout.write(
      `${final ? 'FINAL' : 'at'} ${minutes} min: rss ${(memory.rss / 2 ** 20).toFixed(1)} MB, heap ${(memory.heapUsed / 2 ** 20).toFixed(1)} MB, event-loop delay p99 ${(delay.percentile(99) / 1e6).toFixed(1)} ms (max ${(delay.max / 1e6).toFixed(1)} ms), live containers ${String(live.length)}, wrong answers ${String(wrong)}\n  ${sorted.map(([key, n]) => `${key}: ${String(n)}`).join(', ')}\n`,
    );
    process.stdout.write(`  image verifications: ${await verificationResults()}\n`);
    if (!final) delay.reset();
  }

  for (const name of runtimes)
    for (let index = 0; index < CONTAINERS_PER_RUNTIME; index++) await start(name);

  const workers = Array.from({ length: CONCURRENCY }, async () => {
    while (Date.now() < deadline) await attestOnce();
  });
  const churn = (async () => {
    while (Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      const victim = live[Math.floor(Math.random() * live.length)];
      if (victim !== undefined) await stop(victim);
      for (const name of runtimes) {
        const have = live.filter((container) => container.runtime === name).length;
        for (let index = have; index < CONTAINERS_PER_RUNTIME; index++) await start(name);
      }
    }
  })();
  const faults = (async () => {
    const at = (fraction: number) => startedAt + fraction * MINUTES * 60_000;
    const waitUntil = (time: number) =>
      new Promise((resolve) => setTimeout(resolve, Math.max(0, time - Date.now())));
    for (const fraction of [1 / 3, 2 / 3]) {
      await waitUntil(at(fraction));
      process.stdout.write(
        `restarting dockerd at ${((Date.now() - startedAt) / 60_000).toFixed(1)} min\n`,
      );
      await restartDockerd();
      // Containers die with the daemon (no live-restore): forget them, the churn restarts them.
      for (const container of live.filter((c) => c.runtime === 'docker'))
        live.splice(live.indexOf(container), 1);
    }
  })();
  const stalls = (async () => {
    const waitUntil = (time: number) =>
      new Promise((resolve) => setTimeout(resolve, Math.max(0, time - Date.now())));
    await waitUntil(startedAt + 0.5 * MINUTES * 60_000);
    process.stdout.write('registry stalls for 2 minutes\n');
    proxy.stalled = true;
    await waitUntil(startedAt + 0.5 * MINUTES * 60_000 + 120_000);
    proxy.stalled = false;
    process.stdout.write('registry answers again\n');
  })();
  const reporter = setInterval(() => {
    void report(false);
  }, 60_000);
  await Promise.all([...workers, churn, faults, stalls]);
  clearInterval(reporter);
  await report(true);
  const firstMinutes = rss.slice(1, 4);
  const lastMinutes = rss.slice(-3);
  const average = (values: number[]) =>
    values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);
  process.stdout.write(
    `rss: minutes 2-4 ${(average(firstMinutes) / 2 ** 20).toFixed(1)} MB, last 3 ${(average(lastMinutes) / 2 ** 20).toFixed(1)} MB; wrong answers ${String(wrong)}${wrongExamples.length > 0 ? `: ${wrongExamples.slice(0, 5).join('; ')}` : ''}\n`,
  );
  for (const container of [...live]) await stop(container);
  proxy.close();
  await runtime.close();
  await client.close();
  rmSync(dir, { recursive: true, force: true });
  process.exitCode = wrong === 0 ? 0 : 1;
}

/**
 * Kills dockerd (SIGKILL, as a crash would), waits until it and the containerd it ran are
 * gone, and starts it again the way provisioning does; says how long the engine was away.
 * A dockerd started while the old containerd still shuts down cannot start its own, so the
 * wait matters; a start that does not come up is tried again.
 */
async function restartDockerd(): Promise<void> {
  const began = Date.now();
  const pidsOf = async (name: string): Promise<number[]> =>
    (await run('pidof', [name]).catch(() => ({ stdout: '' }))).stdout
      .trim()
      .split(' ')
      .filter((text) => text !== '')
      .map(Number);
  for (const pid of await pidsOf('dockerd')) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  for (let attempt = 0; attempt < 100; attempt++) {
    if ((await pidsOf('dockerd')).length === 0 && (await pidsOf('containerd')).length === 0) break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  // The killed dockerd leaves its pid file; with processes churning, the pid in it soon
  // names another process, and dockerd then refuses to start ("pid file found").
  rmSync('/var/run/docker.pid', { force: true });
  for (let start = 0; start < 3; start++) {
    const log = openSync(join(STATE_DIR, 'dockerd.log'), 'a');
    const daemon: ChildProcess = spawn('dockerd', ['--host', `unix://${DOCKER_SOCKET}`], {
      stdio: ['ignore', log, log],
      detached: true,
    });
    closeSync(log);
    daemon.unref();
    if (daemon.pid !== undefined) writeFileSync(join(STATE_DIR, 'dockerd.pid'), String(daemon.pid));
    // Up to two minutes: a dockerd restarted after a kill first cleans up what it left.
    for (let attempt = 0; attempt < 600; attempt++) {
      try {
        await run('/usr/bin/docker', [
          '--host',
          `unix://${DOCKER_SOCKET}`,
          'info',
          '--format',
          '{{.ID}}',
        ]);
        process.stdout.write(`dockerd back after ${String(Date.now() - began)} ms\n`);
        return;
      } catch {
        if (daemon.exitCode !== null) break;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
    // A dockerd that hangs waiting for a containerd left half-dead by the kill: stopping it
    // cleans that state up (seen by hand), and the next start comes up.
    if (daemon.exitCode === null && daemon.pid !== undefined) {
      process.kill(daemon.pid, 'SIGTERM');
      for (let attempt = 0; attempt < 100 && (await pidsOf('dockerd')).length > 0; attempt++)
        await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  process.stdout.write(`dockerd did not come back; see ${join(STATE_DIR, 'dockerd.log')}\n`);
}

await main();
