import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { ProcessTableError } from '@attestor/ports';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  parsePidNamespaceLink,
  parseRealUid,
  parseStartTime,
  ProcfsProcessTable,
} from './procfs-process-table.js';

/** What `read` throws; fails the test if it returns. */
function thrownBy(read: () => void): unknown {
  try {
    read();
  } catch (error) {
    return error;
  }
  throw new Error('the read succeeded');
}

const STAT =
  '4242 (my (odd) cmd) S 1 4242 4242 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 987654 1000 10';

describe(parseStartTime, () => {
  it('reads field 22 after a command name with spaces and parentheses', () => {
    expect(parseStartTime(STAT, 4242)).toBe(987654n);
  });

  it.each(['', '4242 (x) S 1 2', '4242 (x) S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 abc'])(
    'refuses %j',
    (stat) => {
      expect(() => parseStartTime(stat, 4242)).toThrow(ProcessTableError);
      expect(() => parseStartTime(stat, 4242)).toThrow(
        '/proc/4242/stat has no numeric start time (field 22)',
      );
    },
  );
});

describe(parseRealUid, () => {
  it('reads the real uid', () => {
    expect(parseRealUid('Name:\tsh\nUid:\t1000\t1001\t1002\t1003\nGid:\t0\t0\t0\t0\n', 1)).toBe(
      1000,
    );
  });

  it.each(['Name: sh\n', 'Uid:\tx\t1\n', 'Uid:\t99999999999\t1\n'])('refuses %j', (status) => {
    expect(() => parseRealUid(status, 1)).toThrow('/proc/1/status has no valid Uid: line');
  });
});

describe(parsePidNamespaceLink, () => {
  it('reads the inode', () => {
    expect(parsePidNamespaceLink('pid:[4026531836]', 1)).toBe(4026531836n);
  });

  it.each(['net:[4026531836]', 'pid:[]', 'pid:[1]x'])('refuses %j', (link) => {
    expect(() => parsePidNamespaceLink(link, 1)).toThrow(
      '/proc/1/ns/pid is not a pid namespace link',
    );
  });
});

describe(ProcfsProcessTable, () => {
  let root = '';
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'attestor-proc-'));
    await mkdir(join(root, '4242', 'ns'), { recursive: true });
    await writeFile(join(root, '4242', 'stat'), STAT);
    await writeFile(join(root, '4242', 'status'), 'Name:\tsh\nUid:\t0\t0\t0\t0\n');
    await writeFile(join(root, '4242', 'cgroup'), `0::/docker/${'a'.repeat(64)}\n`);
    await symlink('pid:[4026532000]', join(root, '4242', 'ns', 'pid'));
    await mkdir(join(root, '7', 'ns'), { recursive: true });
    await writeFile(join(root, '7', 'stat'), 'garbage');
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  describe('reads', () => {
    it('reads every fact of a process', () => {
      const table = new ProcfsProcessTable(root);
      const handle = table.open(4242);
      expect(handle.pid).toBe(4242);
      expect(handle.startTime).toBe(987654n);
      expect(table.cgroup(4242)).toBe(`0::/docker/${'a'.repeat(64)}\n`);
      expect(table.pidNamespace(4242)).toBe(4026532000n);
      expect(table.startTime(4242)).toBe(987654n);
      expect(table.uid(4242)).toBe(0);
      handle.close();
    });

    it('says not_found for a process that does not exist', () => {
      expect(thrownBy(() => new ProcfsProcessTable(root).open(99))).toMatchObject({
        code: 'not_found',
        message: `process 99 does not exist (${join(root, '99', 'stat')})`,
      });
      expect(thrownBy(() => new ProcfsProcessTable(root).cgroup(99))).toMatchObject({
        code: 'not_found',
        message: `process 99 does not exist (${join(root, '99', 'cgroup')})`,
      });
    });

    it('says malformed for a broken stat file', () => {
      expect(thrownBy(() => new ProcfsProcessTable(root).open(7))).toMatchObject({
        code: 'malformed',
      });
    });

    it.each([0, -1, 1.5, Number.NaN])('refuses the pid %s', (pid) => {
      expect(thrownBy(() => new ProcfsProcessTable(root).startTime(pid))).toMatchObject({
        code: 'not_found',
      });
      expect(thrownBy(() => new ProcfsProcessTable(root).open(pid))).toMatchObject({
        code: 'not_found',
      });
    });

    it('reads this very process from the real /proc', () => {
      const table = new ProcfsProcessTable();
      const handle = table.open(process.pid);
      expect(handle.startTime).toBeGreaterThan(0n);
      expect(table.startTime(process.pid)).toBe(handle.startTime);
      expect(table.uid(process.pid)).toBe(process.getuid?.());
      expect(table.cgroup(process.pid)).toMatch(/^\d+:/);
      handle.confirm();
      handle.close();
    });
  });

  describe('.identify', () => {
    it('reads the start time, pid namespace and cgroups of one process', () => {
      const table = new ProcfsProcessTable();
      expect(table.identify(process.pid)).toStrictEqual({
        startTime: table.startTime(process.pid),
        pidNamespace: table.pidNamespace(process.pid),
        cgroup: table.cgroup(process.pid),
      });
    });

    it('says not_found for a process that does not exist', () => {
      expect(thrownBy(() => new ProcfsProcessTable(root).identify(99))).toMatchObject({
        code: 'not_found',
      });
    });

    it('says not_found, not a mix of two processes, when the process exits between its reads', async () => {
      // sh waits for its sleep child, so it reaps the sleep as soon as it is killed: the PID
      // is gone while identify runs, without depending on this process's event loop.
      const shell = spawn('/bin/sh', ['-c', 'sleep 60 & echo $!; wait'], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      try {
        const [line] = (await once(shell.stdout, 'data')) as [Buffer];
        const pid = Number(line.toString().trim());
        // Killed after the last read by PID (the cgroup), before the stat file is read again.
        class KilledBetweenReads extends ProcfsProcessTable {
          override cgroup(of: number): string {
            const namespace = super.cgroup(of);
            process.kill(of, 'SIGKILL');
            const deadline = Date.now() + 5000;
            while (existsSync(`/proc/${String(of)}`)) {
              if (Date.now() > deadline) throw new Error(`process ${String(of)} was not reaped`);
            }
            return namespace;
          }
        }
        expect(thrownBy(() => new KilledBetweenReads().identify(pid))).toMatchObject({
          code: 'not_found',
          message: `process ${String(pid)} does not exist (/proc/${String(pid)}/stat)`,
        });
      } finally {
        const closed = once(shell, 'close');
        shell.kill('SIGKILL');
        await closed;
      }
    });

    it('releases the file on every outcome', async () => {
      const before = (await readdir('/proc/self/fd')).length;
      new ProcfsProcessTable().identify(process.pid);
      thrownBy(() => new ProcfsProcessTable(root).identify(7));
      expect((await readdir('/proc/self/fd')).length).toBe(before);
    });
  });

  describe('ProcessHandle', () => {
    it('confirms a live process, then fails once it has exited, by the handle and not the PID', async () => {
      const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)']);
      const pid = child.pid ?? 0;
      const table = new ProcfsProcessTable();
      const handle = table.open(pid);
      try {
        handle.confirm();
        child.kill('SIGKILL');
        await once(child, 'exit');
        expect(
          thrownBy(() => {
            handle.confirm();
          }),
        ).toMatchObject({
          code: 'not_found',
          message: `process ${String(pid)} does not exist (/proc/${String(pid)}/stat)`,
        });
      } finally {
        handle.close();
      }
    });

    it('refuses to confirm once closed, and closes only once', () => {
      const handle = new ProcfsProcessTable().open(process.pid);
      handle.close();
      handle.close();
      expect(() => {
        handle.confirm();
      }).toThrow(`the handle on /proc/${String(process.pid)}/stat is closed`);
    });

    it('holds one file descriptor until closed', async () => {
      const table = new ProcfsProcessTable();
      const before = (await readdir('/proc/self/fd')).length;
      const handle = table.open(process.pid);
      expect((await readdir('/proc/self/fd')).length).toBe(before + 1);
      handle.close();
      expect((await readdir('/proc/self/fd')).length).toBe(before);
    });

    it('releases the file when the stat file is malformed', async () => {
      const before = (await readdir('/proc/self/fd')).length;
      expect(thrownBy(() => new ProcfsProcessTable(root).open(7))).toMatchObject({
        code: 'malformed',
      });
      expect((await readdir('/proc/self/fd')).length).toBe(before);
    });
  });
});
