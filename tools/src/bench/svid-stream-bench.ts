/**
 * The Workload API under 1,000 open FetchX509SVID streams (part of `npm run bench`), measured
 * on the release agent as an operator runs it: the artifact's `bin/attestor-agent` on this
 * host with Docker attestation, and the clients in a real Docker container (the agent's own
 * image, for its Node binary) that the agent attests, on 1,000 connections through the socket
 * directory mounted into it. Prints, side by side:
 * - two floors, each in a process of its own on the agent's Node, flags and environment: a bare node:http2
 *   server holding 1,000 connections with one stream each (what any Node gRPC server pays
 *   before a line of its code runs), and the gRPC library the agent is built on (grpc-js)
 *   holding 1,000 FetchX509SVID streams that were each sent one SVID-sized answer, so that
 *   what the library costs and what the agent's own code costs can be told apart;
 * - the agent's RSS idle, with the streams just open and after they were held SETTLE_MS, and
 *   at its peak (VmHWM), read from /proc;
 * - the time until every stream has received a re-issued SVID after a reload (the worst
 *   case: every SVID re-signed at once, every attestation cold again);
 * - rotation: the reload shortens the TTL, so every stream's SVID comes due at about the same
 *   moment, half its lifetime later; the time from the first rotated SVID to the last.
 * Needs the unpacked artifact and its image (tools/scripts/bench.sh makes both).
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, openSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface, type Interface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';

import { build } from 'esbuild';

import { AGENT_ENVIRONMENT, AGENT_NODE_FLAGS } from '../package/agent-node-flags.js';
import { NODE_BUNDLE } from '../package/package.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const STREAMS = Number(process.env['ATTESTOR_BENCH_STREAMS'] ?? 1000);
const DOCKER_SOCKET = process.env['ATTESTOR_E2E_DOCKER_SOCKET'] ?? '/var/run/docker.sock';
const MiB = 1024 * 1024;
/** The SVID lifetime after the reload, in seconds: every stream rotates half of it later. */
const ROTATION_TTL_S = 20;
/**
 * How long the streams are held before the settled figures: long enough for V8's memory
 * reducer, which collects a quiet heap some seconds after a burst of allocation (the
 * attestations and signatures of 1,000 streams) and gives the pages back.
 */
const SETTLE_MS = 20_000;

/** VmRSS and VmHWM of `pid`, in MiB. */
function memoryOf(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${String(pid)}/status`, 'utf8');
  const kib = (field: string) =>
    Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]);
  return { rss: (kib('VmRSS') * 1024) / MiB, peak: (kib('VmHWM') * 1024) / MiB };
}

/** Resolves with the first line of `lines` that starts with `prefix`. */
function line(lines: Interface, prefix: string, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      lines.off('line', onLine);
      reject(new Error(`svid stream bench: no "${prefix}" within ${String(timeoutMs)} ms`));
    }, timeoutMs);
    const onLine = (text: string) => {
      if (!text.startsWith(prefix)) return;
      clearTimeout(timer);
      lines.off('line', onLine);
      resolve(text);
    };
    lines.on('line', onLine);
  });
}

function agentConfig(directory: string, ttl: string): string {
  return [
    'section: WorkloadAttestation',
    'schema: v1',
    'spec:',
    '  docker:',
    '    enabled: true',
    `    dockerSocketPath: unix://${DOCKER_SOCKET}`,
    '---',
    'section: Agent',
    'schema: v1',
    'spec:',
    `  apiSocketPath: ${join(directory, 'agent.sock')}`,
    '---',
    'section: WorkloadIdentity',
    'schema: v1',
    'spec:',
    '  trustDomain: example.org',
    `  workloadApiSocketPath: ${join(directory, 'workload', 'api.sock')}`,
    `  stateDirectory: ${join(directory, 'state')}`,
    `  x509SvidTtl: ${ttl}`,
    '  identities:',
    '    - name: payments',
    '      match:',
    `        'docker.container.label["com.example.app"]': payments`,
    `      pathTemplate: '/workloads/{{docker.container.label["com.example.app"]}}'`,
    '',
  ].join('\n');
}

interface Floor {
  readonly idle: number;
  readonly open: number;
}

/**
 * A floor of svid-stream-floor.ts in a process of its own, on `node` with the agent's flags:
 * its RSS listening, and with `STREAMS` streams open from `client` (argv after the node).
 */
async function floor(
  node: string,
  script: string,
  mode: 'http2' | 'grpc',
  socket: string,
  client: readonly string[],
): Promise<Floor> {
  const server = spawn(node, [...AGENT_NODE_FLAGS, script, mode, socket, String(STREAMS)], {
    env: { ...process.env, ...AGENT_ENVIRONMENT },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: server.stdout });
  const children: ChildProcess[] = [server];
  try {
    const idle = Number((await line(lines, 'idle', 10_000)).split(' ')[1]);
    children.push(spawn(node, [...client, socket, String(STREAMS)], { stdio: 'ignore' }));
    const open = Number((await line(lines, 'open', 60_000)).split(' ')[1]);
    return { idle, open };
  } finally {
    for (const child of children) child.kill('SIGKILL');
  }
}

/**
 * Bundles one of this directory's scripts, as the agent is bundled, into a file that needs
 * nothing beside it.
 */
async function bundle(name: string, outfile: string): Promise<void> {
  await build({
    entryPoints: [join(import.meta.dirname, name)],
    ...NODE_BUNDLE,
    outfile,
    logLevel: 'error',
  });
}

export async function svidStreamBenchmark(): Promise<string[]> {
  const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
    version: string;
  };
  const tree = join(ROOT, 'dist', 'package', `attestor-${version}-linux-x64`);
  const image = process.env['ATTESTOR_BENCH_IMAGE'] ?? `attestor-agent:${version}`;
  const directory = mkdtempSync(join(tmpdir(), 'attestor-bench-streams-'));
  const config = join(directory, 'agent.yaml');
  const clients = join(directory, 'clients.mjs');
  let agent: ChildProcess | undefined;
  let container: ChildProcess | undefined;
  const name = `attestor-bench-streams-${String(process.pid)}`;
  try {
    const node = join(tree, 'lib', 'node');
    const floorScript = join(directory, 'floor.mjs');
    await bundle('svid-stream-floor.js', floorScript);
    await bundle('svid-stream-clients.js', clients);
    const http2 = await floor(node, floorScript, 'http2', join(directory, 'http2.sock'), [
      floorScript,
      'http2-client',
    ]);
    const grpcFloor = await floor(node, floorScript, 'grpc', join(directory, 'grpc.sock'), [
      clients,
    ]);
    writeFileSync(config, agentConfig(directory, '1h'));
    // At the default log level, as operators run it; the log is kept beside the config.
    agent = spawn(join(tree, 'bin', 'attestor-agent'), ['--config', config], {
      stdio: ['ignore', 'ignore', openSync(join(directory, 'agent.log'), 'w')],
    });
    await waitForSocket(join(directory, 'workload', 'api.sock'), 15_000);
    const pid = agent.pid ?? 0;
    const idle = memoryOf(pid);
    container = spawn(
      '/usr/bin/docker',
      [
        '--host',
        `unix://${DOCKER_SOCKET}`,
        'run',
        '-i',
        '--rm',
        '--name',
        name,
        '--network=none',
        '--label',
        'com.example.app=payments',
        '-v',
        `${join(directory, 'workload')}:/run/spiffe:ro`,
        '-v',
        `${clients}:/clients.mjs:ro`,
        '--entrypoint',
        '/opt/attestor/lib/node',
        image,
        '/clients.mjs',
        '/run/spiffe/api.sock',
        String(STREAMS),
      ],
      { stdio: ['pipe', 'pipe', 'inherit'] },
    );
    const lines = createInterface({ input: container.stdout ?? process.stdin });
    const exited = new Promise<never>((_resolve, reject) =>
      container?.once('exit', (code) => {
        reject(new Error(`svid stream bench: the client container exited ${String(code)}`));
      }),
    );
    exited.catch(() => undefined);
    await Promise.race([line(lines, 'ready', 120_000), exited]);
    await sleep(1_000);
    const open = memoryOf(pid);
    await sleep(SETTLE_MS);
    const held = memoryOf(pid);
    // A reload that changes every SVID: each stream is sent a re-issued one at once, with a
    // lifetime short enough that all of them rotate ROTATION_TTL_S / 2 later.
    const reissued = line(lines, 'reissued', 60_000);
    const rotated = line(lines, 'rotated', 120_000);
    writeFileSync(config, agentConfig(directory, `${String(ROTATION_TTL_S)}s`));
    container.stdin?.write('go\n');
    agent.kill('SIGHUP');
    const reissuedMs = Number((await Promise.race([reissued, exited])).split(' ')[1]);
    const after = memoryOf(pid);
    const rotatedMs = Number((await Promise.race([rotated, exited])).split(' ')[1]);
    const rotatedMemory = memoryOf(pid);
    await sleep(SETTLE_MS);
    const rotatedHeld = memoryOf(pid);
    return [
      `${String(STREAMS)} FetchX509SVID streams on ${String(STREAMS)} connections, from a Docker container, to the release agent   RSS MiB`,
      figure('floor: bare node:http2, idle', http2.idle),
      figure(
        `floor: bare node:http2, ${String(STREAMS)} connections with a stream each`,
        http2.open,
        perStream(http2),
      ),
      figure('floor: grpc-js (the gRPC library), idle', grpcFloor.idle),
      figure(
        `floor: grpc-js, ${String(STREAMS)} streams sent one SVID-sized answer`,
        grpcFloor.open,
        perStream(grpcFloor),
      ),
      figure('agent, idle', idle.rss),
      figure(
        `agent, ${String(STREAMS)} streams open (1 s after the last)`,
        open.rss,
        `peak ${open.peak.toFixed(0)}; ${perStream({ idle: idle.rss, open: open.rss })}`,
      ),
      figure(
        `agent, ${String(STREAMS)} streams held open ${String(SETTLE_MS / 1000)} s`,
        held.rss,
        `peak ${held.peak.toFixed(0)}; ${perStream({ idle: idle.rss, open: held.rss })}`,
      ),
      figure(
        'agent, after every stream was re-issued its SVID',
        after.rss,
        `peak ${after.peak.toFixed(0)}`,
      ),
      figure(
        'agent, after every stream rotated its SVID',
        rotatedMemory.rss,
        `peak ${rotatedMemory.peak.toFixed(0)}`,
      ),
      figure(
        `agent, ${String(SETTLE_MS / 1000)} s later (rotating every ${String(ROTATION_TTL_S / 2)} s)`,
        rotatedHeld.rss,
        `peak ${rotatedHeld.peak.toFixed(0)}`,
      ),
      `all ${String(STREAMS)} streams re-issued an SVID after one reload in ${reissuedMs.toFixed(0)} ms (every attestation cold)`,
      `all ${String(STREAMS)} streams rotated (due together, TTL ${String(ROTATION_TTL_S)} s) within ${rotatedMs.toFixed(0)} ms of the first`,
    ];
  } finally {
    if (container !== undefined) {
      container.stdin?.write('stop\n');
      // Killing the docker CLI would leave the container running: remove it by name.
      execFileSync('/usr/bin/docker', ['--host', `unix://${DOCKER_SOCKET}`, 'rm', '-f', name], {
        stdio: 'ignore',
      });
    }
    agent?.kill('SIGTERM');
    await sleep(500);
    rmSync(directory, { recursive: true, force: true });
  }
}

/** One line of the table: a label, an RSS in MiB, and a remark. */
function figure(label: string, mib: number, remark?: string): string {
  return `${label.padEnd(66)}${mib.toFixed(0).padStart(6)}${remark === undefined ? '' : `  (${remark})`}`;
}

/** What the streams added: in all, and a stream's share. */
function perStream({ idle, open }: Floor): string {
  return `+${(open - idle).toFixed(0)}; ${(((open - idle) * 1024) / STREAMS).toFixed(0)} KiB a stream`;
}

async function waitForSocket(path: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (statSync(path, { throwIfNoEntry: false })?.isSocket() === true) return;
    if (Date.now() > deadline) throw new Error(`svid stream bench: the agent made no ${path}`);
    await sleep(100);
  }
}
