import { execFileSync, spawn } from 'node:child_process';
import { closeSync, readFileSync } from 'node:fs';
import { readlink } from 'node:fs/promises';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

import { test } from '@attestor/testing/fixtures';
import { describe, expect, vi } from 'vitest';

import {
  mallocTrim,
  peerCredentials,
  peerPidfd,
  pidfdAlive,
  userNamespaceOwnerUid,
} from './kernel.js';

describe(peerCredentials, () => {
  test('reads the pid and uid of the server at the other end of a unix socket', async ({
    tempDir,
  }) => {
    const path = join(tempDir, 'peer.sock');
    const server: Server = createServer((socket) => socket.end());
    await new Promise<void>((resolve) => server.listen(path, resolve));
    try {
      const socket = connect(path);
      await new Promise((resolve) => socket.once('connect', resolve));
      expect(peerCredentials(socket)).toStrictEqual({
        pid: process.pid,
        uid: process.getuid?.(),
        gid: process.getgid?.(),
      });
      socket.destroy();
    } finally {
      server.close();
    }
  });

  test('says so for a socket that is not connected', ({ tempDir }) => {
    const socket = connect(join(tempDir, 'nothing.sock')).on('error', () => undefined);
    expect(() => peerCredentials(socket)).toThrow(/^the socket has no (file descriptor|peer)$/);
    socket.destroy();
  });
});

describe(userNamespaceOwnerUid, () => {
  test('says root owns the initial user namespace', () => {
    expect(userNamespaceOwnerUid('/proc/self/ns/user')).toBe(0);
  });

  test('reads the owner of a namespace another user created', async () => {
    // unshare -U as the nobody user: sleep runs in a user namespace that nobody's uid owns.
    const nobody = Number(execFileSync('id', ['-u', 'nobody']).toString());
    const child = spawn(
      'setpriv',
      ['--reuid=nobody', '--regid=nogroup', '--clear-groups', 'unshare', '-U', 'sleep', '30'],
      { stdio: 'ignore' },
    );
    try {
      const path = `/proc/${String(child.pid)}/ns/user`;
      await vi.waitFor(async () => {
        expect(await readlink(path)).not.toBe(await readlink('/proc/self/ns/user'));
      });
      expect(userNamespaceOwnerUid(path)).toBe(nobody);
    } finally {
      child.kill('SIGKILL');
    }
  });
});

describe(peerPidfd, () => {
  test('pins the process that connected: alive while it runs, not after it exits', async ({
    tempDir,
  }) => {
    const path = join(tempDir, 'pidfd.sock');
    const accepted: Socket[] = [];
    const server: Server = createServer((socket) => accepted.push(socket));
    await new Promise<void>((resolve) => server.listen(path, resolve));
    // A child connects and stays until told to go; the server side asks the kernel who it is.
    const child = spawn(
      process.execPath,
      [
        '-e',
        `const s = require('node:net').connect(${JSON.stringify(path)});` +
          `s.on('connect', () => process.stdout.write('up'));` +
          `process.stdin.on('data', () => process.exit(0));`,
      ],
      { stdio: ['pipe', 'pipe', 'ignore'] },
    );
    try {
      await new Promise((resolve) => child.stdout.once('data', resolve));
      await vi.waitFor(() => {
        expect(accepted).toHaveLength(1);
      });
      const [socket] = accepted;
      if (socket === undefined) throw new Error('no connection accepted');
      expect(peerCredentials(socket).pid).toBe(child.pid);
      const pidfd = peerPidfd(socket);
      // The machines this runs on have kernels with SO_PEERPIDFD (6.5 and later).
      if (pidfd === undefined) throw new Error('the kernel gave no pidfd');
      try {
        expect(pidfdAlive(pidfd)).toBe(true);
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.stdin.write('go');
        await exited;
        expect(pidfdAlive(pidfd)).toBe(false);
      } finally {
        closeSync(pidfd);
      }
    } finally {
      child.kill();
      for (const socket of accepted) socket.destroy();
      server.close();
    }
  });
});

describe(mallocTrim, () => {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const rssKiB = () =>
    Number(/^VmRSS:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1]);

  test('gives freed pages inside the C heap back to the kernel', () => {
    // 64 KiB blocks (under glibc's mmap threshold, so in its heap), every other one freed: the
    // holes sit between live blocks, where free() alone never returns them.
    const blocks = Array.from({ length: 512 }, () => Buffer.allocUnsafeSlow(64 * 1024).fill(1));
    const kept = blocks.filter((_block, index) => index % 2 === 0);
    blocks.length = 0;
    gc();
    gc();
    const before = rssKiB();
    expect(mallocTrim()).toBe(true);
    // 16 MiB were freed; most of it goes back.
    expect(before - rssKiB()).toBeGreaterThan(8 * 1024);
    expect(kept).toHaveLength(256);
  });
});
