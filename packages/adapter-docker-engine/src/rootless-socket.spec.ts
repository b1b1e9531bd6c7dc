import { type ChildProcess, spawn } from 'node:child_process';
import { chmod, chown, lstat, mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { ContainerRuntimeError, type RuntimeEndpoint } from '@attestor/ports';
import { rejection } from '@attestor/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';

import { DockerEngineContainerRuntime } from './docker-engine-container-runtime.js';

/** The nobody user and group: a second, unprivileged identity for the socket's owner. */
const NOBODY = 65534;
/** The daemon user: a third identity, serving a socket that is not its own. */
const DAEMON = 1;
const ID = 'ab'.repeat(32);

let dir = '';
let runtime = new DockerEngineContainerRuntime({ timeoutMs: 2_000 });
const servers: Server[] = [];
const children: ChildProcess[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'attestor-rootless-'));
  await chmod(dir, 0o755);
});
afterEach(async () => {
  await runtime.close();
  runtime = new DockerEngineContainerRuntime({ timeoutMs: 2_000 });
  for (const server of servers.splice(0)) server.close();
  for (const child of children.splice(0)) child.kill('SIGKILL');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A fake Engine API on `path` served by this (root) process: every inspect is a 404. */
async function serveHere(path: string): Promise<void> {
  const server = createServer((request, response) => {
    if (request.url === '/_ping') response.writeHead(200, { 'api-version': '1.41' }).end('OK');
    else response.writeHead(404).end();
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(path, resolve));
}

/** A directory `owner` owns with `mode`, holding a socket that `owner` owns. */
async function userSocket(name: string, owner: number, mode = 0o700): Promise<string> {
  const socketDir = join(dir, name);
  await mkdir(socketDir);
  const path = join(socketDir, 'podman.sock');
  await serveHere(path);
  await chown(path, owner, owner);
  await chown(socketDir, owner, owner);
  await chmod(socketDir, mode);
  return path;
}

function endpoint(socketPath: string, ownerUid: number): RuntimeEndpoint {
  return { kind: 'podman-rootless', socketPath, ownerUid };
}

describe('rootless socket checks', () => {
  it('asks a socket its owner owns, in the owner’s private directory, served by root', async () => {
    const path = await userSocket('good', NOBODY);
    expect(await runtime.inspectContainer(endpoint(path, NOBODY), ID)).toBeUndefined();
  });

  it.each([
    [
      'a symlink to another user’s socket',
      async () => {
        const victim = await userSocket('victim', DAEMON);
        const attacker = join(dir, 'attacker');
        await mkdir(attacker);
        await symlink(victim, join(attacker, 'podman.sock'));
        await chown(attacker, NOBODY, NOBODY);
        await chmod(attacker, 0o700);
        return join(attacker, 'podman.sock');
      },
      'is a symbolic link',
    ],
    [
      'a socket another user owns',
      async () => {
        const path = await userSocket('other-owner', NOBODY);
        await chown(path, DAEMON, DAEMON);
        return path;
      },
      `is owned by uid ${String(DAEMON)}`,
    ],
    [
      'a directory other users can write to',
      () => userSocket('shared-dir', NOBODY, 0o777),
      'is in a directory other users can write to (mode 0777)',
    ],
    [
      'a directory another user owns',
      async () => {
        const path = await userSocket('other-dir', NOBODY);
        await chown(join(dir, 'other-dir'), DAEMON, DAEMON);
        return path;
      },
      `is in a directory owned by uid ${String(DAEMON)}`,
    ],
  ])('refuses %s, with untrusted_socket', async (_case, prepare, reason) => {
    const path = await prepare();
    const error = await rejection(
      ContainerRuntimeError,
      runtime.inspectContainer(endpoint(path, NOBODY), ID),
    );
    expect(error.code).toBe('untrusted_socket');
    expect(error.message).toBe(
      `the rootless Podman socket ${path} of uid ${String(NOBODY)} ${reason}; it is not asked`,
    );
  });

  it('refuses a socket that passes the path checks but another user serves', async () => {
    // The owner's path, but the server on it is the daemon user (as after a swap between the
    // check and the connect): only the peer credentials tell.
    const socketDir = join(dir, 'served-by-other');
    await mkdir(socketDir);
    await chown(socketDir, DAEMON, DAEMON);
    const path = join(socketDir, 'podman.sock');
    const child = spawn(
      'setpriv',
      [
        `--reuid=${String(DAEMON)}`,
        `--regid=${String(DAEMON)}`,
        '--clear-groups',
        process.execPath,
        '-e',
        `require('node:net').createServer((s) => s.end()).listen(${JSON.stringify(path)})`,
      ],
      { stdio: 'ignore' },
    );
    children.push(child);
    await vi.waitFor(async () => {
      expect((await lstat(path)).isSocket()).toBe(true);
    });
    await chown(path, NOBODY, NOBODY);
    await chown(socketDir, NOBODY, NOBODY);
    await chmod(socketDir, 0o700);
    const error = await rejection(
      ContainerRuntimeError,
      runtime.inspectContainer(endpoint(path, NOBODY), ID),
    );
    expect(error.code).toBe('untrusted_socket');
    expect(error.message).toBe(
      `the rootless Podman socket ${path} of uid ${String(NOBODY)} is served by uid ${String(DAEMON)}; it is not asked`,
    );
  });
});
