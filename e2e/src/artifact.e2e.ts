/**
 * The release artifact and the image, as an operator gets them: `npm run package` makes the
 * tarball, which is unpacked and run with no Node on the PATH; the systemd unit is checked by
 * systemd-analyze; the image is built offline and runs the agent on the real Docker, attesting
 * a workload container from outside.
 */
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { isBuiltin } from 'node:module';
import { join } from 'node:path';

import { test } from '@attestor/testing/fixtures';
import { afterAll, beforeAll, describe, expect } from 'vitest';

import { e2eEnvironment } from './environment.js';
import { writeBusyboxImageContext } from './images.js';
import { Background, dockerCli, getJson, NODE, run, waitForSocket } from './processes.js';

const ROOT = join(import.meta.dirname, '..', '..');
const VERSION = (
  JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { version: string }
).version;
const NAME = `attestor-${VERSION}-linux-x64`;
/** No Node anywhere on it: the artifact must bring its own. */
const BARE_PATH = { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' };

describe('the release artifact', () => {
  const environment = e2eEnvironment();
  const docker = dockerCli(environment.dockerSocket);
  const unpacked = `/tmp/attestor-e2e-artifact-${String(process.pid)}`;
  const tree = join(unpacked, NAME);
  const image = `attestor-agent:e2e-${String(process.pid)}`;
  let workloadImage = '';
  const containers: string[] = [];

  beforeAll(async () => {
    const packaged = await run(
      NODE,
      [join(ROOT, 'tools', 'out-tsc', 'package', 'package.js')],
      180_000,
    );
    expect(packaged.code, packaged.stderr).toBe(0);
    await run('/bin/mkdir', ['-p', unpacked]);
    const unpack = await run('/bin/tar', [
      '-xzf',
      join(ROOT, 'dist', 'package', `${NAME}.tar.gz`),
      '-C',
      unpacked,
    ]);
    expect(unpack.code, unpack.stderr).toBe(0);
    const context = await writeBusyboxImageContext(
      join(unpacked, 'workload'),
      environment.busybox,
      'artifact',
    );
    workloadImage = `attestor-e2e-artifact-workload:${String(process.pid)}`;
    await docker('build', '-q', '-t', workloadImage, context);
  }, 240_000);

  afterAll(async () => {
    for (const id of containers) await docker('rm', '-f', id).catch(() => undefined);
    await docker('rmi', '-f', image, workloadImage).catch(() => undefined);
    await rm(unpacked, { recursive: true, force: true });
  }, 60_000);

  async function workload(): Promise<{ id: string; pid: number }> {
    const id = await docker('run', '-d', '--label', 'com.example.app=payments', workloadImage);
    containers.push(id);
    return { id, pid: Number(await docker('inspect', '-f', '{{.State.Pid}}', id)) };
  }

  test('comes with a checksum that sha256sum accepts', async () => {
    const checked = await run('/bin/sh', [
      '-c',
      `cd dist/package && sha256sum -c ${NAME}.tar.gz.sha256`,
    ]);
    expect(checked.code).toBe(0);
    expect(checked.stdout).toBe(`${NAME}.tar.gz: OK\n`);
  }, 60_000);

  test('loads Node’s own modules with require(), its banner’s node:module aside', async () => {
    // An import statement of a builtin makes Node read every export of it, lazy ones too
    // (node:http's WebSocket loads Node's internal undici): see NODE_BUNDLE in tools/src/package/package.ts.
    const lib = join(tree, 'lib', 'attestor');
    const chunks = (await readdir(lib)).filter((file) => file.endsWith('.mjs'));
    expect(chunks.length).toBeGreaterThan(2);
    const imported: string[] = [];
    for (const chunk of chunks) {
      const source = await readFile(join(lib, chunk), 'utf8');
      for (const [statement, name = ''] of source.matchAll(
        /\bimport\s*(?:\(\s*|[\w$*{},\s]+?\s*from\s*)?["']([^"']+)["']/g,
      ))
        if (isBuiltin(name) && name !== 'node:module') imported.push(`${chunk}: ${statement}`);
    }
    expect(imported).toEqual([]);
  });

  test('runs the CLI on its own Node, without one on the PATH', async () => {
    const version = await run(join(tree, 'bin', 'attestor'), ['--version'], 30_000, BARE_PATH);
    expect(version).toStrictEqual({ code: 0, stdout: `${VERSION}\n`, stderr: '' });
    const located = await run(
      join(tree, 'bin', 'attestor'),
      ['locate', '--pid', String(process.pid)],
      30_000,
      BARE_PATH,
    );
    expect(located.code, located.stderr).toBe(0);
    expect(JSON.parse(located.stdout)).toStrictEqual({ containerId: null });
  });

  test('runs the agent, which attests a Docker container', async ({ tempDir }) => {
    const socket = join(tempDir, 'agent.sock');
    const config = join(tempDir, 'agent.yaml');
    await writeFile(
      config,
      `section: WorkloadAttestation\nschema: v1\nspec:\n  docker:\n    enabled: true\n    dockerSocketPath: unix://${environment.dockerSocket}\n---\nsection: Agent\nschema: v1\nspec:\n  apiSocketPath: ${socket}\n`,
    );
    await using agent = new Background(
      join(tree, 'bin', 'attestor-agent'),
      ['--config', config],
      BARE_PATH,
    );
    await agent.waitForLog('"msg":"agent started"');
    const { id, pid } = await workload();
    const answer = await getJson(socket, `/v1/attest?pid=${String(pid)}`);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({
      containerId: id,
      attributes: { 'docker.container.label["com.example.app"]': 'payments' },
    });
  });

  test('refuses to start without CAP_SYS_PTRACE, saying so', async ({ tempDir }) => {
    const result = await run(
      '/usr/bin/setpriv',
      ['--bounding-set=-sys_ptrace', '--', join(tree, 'bin', 'attestor-agent')],
      30_000,
      { ...BARE_PATH, ATTESTOR_CONFIG: join(tempDir, 'none.yaml') },
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      '"msg":"the agent lacks a privilege it needs","privilege":"CAP_SYS_PTRACE"',
    );
    expect(result.stderr).toContain('"msg":"agent not started","reason":"it lacks CAP_SYS_PTRACE"');
  });

  test('refuses to start in a child pid namespace, saying so', async () => {
    const result = await run(
      '/usr/bin/unshare',
      ['--pid', '--fork', '--mount-proc', join(tree, 'bin', 'attestor-agent')],
      30_000,
      BARE_PATH,
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('"privilege":"the host pid namespace"');
    expect(result.stderr).toContain('the agent must run in the host pid namespace');
  });

  test('ships a systemd unit that systemd-analyze verify accepts', async ({ tempDir }) => {
    // The unit as installed, but pointing at this unpacked tree instead of /opt/attestor.
    const unit = (
      await readFile(join(tree, 'share', 'attestor', 'systemd', 'attestor-agent.service'), 'utf8')
    ).replaceAll('/opt/attestor/', `${tree}/`);
    expect(unit).toContain(`ExecStart=${tree}/bin/attestor-agent`);
    const path = join(tempDir, 'attestor-agent.service');
    await writeFile(path, unit);
    const verified = await run('/usr/bin/systemd-analyze', ['verify', path], 60_000);
    expect(verified.stderr).toBe('');
    expect(verified.code).toBe(0);
  });

  test('builds an image offline whose agent attests a workload from outside', async ({
    tempDir,
  }) => {
    const built = await run(join(ROOT, 'tools', 'scripts', 'build-image.sh'), [image], 240_000);
    expect(built.code, built.stderr).toBe(0);
    // The documented flags: the host's pid namespace, SYS_PTRACE, the runtime socket, and the
    // agent's sockets on a host directory.
    const agent = await docker(
      'run',
      '-d',
      '--pid=host',
      '--cap-add',
      'SYS_PTRACE',
      '-v',
      `${environment.dockerSocket}:/var/run/docker.sock`,
      '-v',
      `${tempDir}:/run/attestor`,
      image,
    );
    containers.push(agent);
    const socket = join(tempDir, 'agent.sock');
    await waitForSocket(socket);
    const { id, pid } = await workload();
    const answer = await getJson(socket, `/v1/attest?pid=${String(pid)}`);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({
      containerId: id,
      runtime: { kind: 'docker', socket: '/var/run/docker.sock' },
      attributes: { 'docker.container.label["com.example.app"]': 'payments' },
    });
    // Nothing but the agent and the libraries it loads.
    const size = Number(await docker('image', 'inspect', '-f', '{{.Size}}', image));
    expect(size).toBeLessThan(200 * 1024 * 1024);
  }, 300_000);
});
