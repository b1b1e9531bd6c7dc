import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { test } from '@attestor/testing/fixtures';
import { describe, expect } from 'vitest';

import { missingPrivileges, requireHostPidNamespace } from './pid-namespace.js';

async function procWith(root: string, nspid: string | undefined): Promise<string> {
  await mkdir(join(root, 'self'), { recursive: true });
  await writeFile(
    join(root, 'self', 'status'),
    `Name:\tnode\nPid:\t7\n${nspid === undefined ? '' : `NSpid:\t${nspid}\n`}Uid:\t0\t0\t0\t0\n`,
  );
  return root;
}

describe(requireHostPidNamespace, () => {
  test('accepts the host pid namespace (this test runs in it)', () => {
    expect(() => {
      requireHostPidNamespace();
    }).not.toThrow();
  });

  test('accepts one NSpid entry, and a kernel without the line', async ({ tempDir }) => {
    expect(() => {
      requireHostPidNamespace();
    }).not.toThrow();
    const one = await procWith(join(tempDir, 'one'), '4242');
    const none = await procWith(join(tempDir, 'none'), undefined);
    expect(() => {
      requireHostPidNamespace(one);
      requireHostPidNamespace(none);
    }).not.toThrow();
  });

  test('refuses a child pid namespace, saying what to do', async ({ tempDir }) => {
    const child = await procWith(tempDir, '4242\t1');
    expect(() => {
      requireHostPidNamespace(child);
    }).toThrow(
      'the agent must run in the host pid namespace (docker run --pid=host, or hostPID: true in Kubernetes); it runs in a child namespace where its PID is 1 (host PID 4242)',
    );
  });
});

describe('requireHostPidNamespace, in a container that mounted its own /proc', () => {
  test('refuses a pid namespace other than the initial one, though NSpid has one entry', async ({
    tempDir,
  }) => {
    const own = await procWith(tempDir, '1');
    await mkdir(join(own, 'self', 'ns'), { recursive: true });
    await symlink('pid:[4026532182]', join(own, 'self', 'ns', 'pid'));
    expect(() => {
      requireHostPidNamespace(own);
    }).toThrow(
      'the agent must run in the host pid namespace (docker run --pid=host, or hostPID: true in Kubernetes); it runs in pid:[4026532182], not the initial pid:[4026531836]',
    );
  });

  test('accepts the initial pid namespace', async ({ tempDir }) => {
    const host = await procWith(tempDir, '4242');
    await mkdir(join(host, 'self', 'ns'), { recursive: true });
    await symlink('pid:[4026531836]', join(host, 'self', 'ns', 'pid'));
    expect(() => {
      requireHostPidNamespace(host);
    }).not.toThrow();
  });
});

describe(missingPrivileges, () => {
  async function procWithCaps(root: string, capEff: string, nspid = '4242'): Promise<string> {
    await mkdir(join(root, 'self'), { recursive: true });
    await writeFile(
      join(root, 'self', 'status'),
      `Name:\tnode\nNSpid:\t${nspid}\nCapInh:\t0000000000000000\nCapEff:\t${capEff}\n`,
    );
    return root;
  }

  test('is empty for root with every capability (as this test runs)', async ({ tempDir }) => {
    expect(missingPrivileges(await procWithCaps(tempDir, '000001ffffffffff'))).toStrictEqual([]);
  });

  test('names CAP_SYS_PTRACE as fatal, CAP_DAC_OVERRIDE as not', async ({ tempDir }) => {
    // Docker's default set: chown, dac_override, fowner, ... without sys_ptrace.
    const dockerDefault = await procWithCaps(join(tempDir, 'docker'), '00000000a80425fb');
    expect(missingPrivileges(dockerDefault)).toStrictEqual([
      expect.objectContaining({ privilege: 'CAP_SYS_PTRACE', fatal: true }),
    ]);
    const none = await procWithCaps(join(tempDir, 'none'), '0000000000000000');
    expect(missingPrivileges(none).map(({ privilege, fatal }) => [privilege, fatal])).toStrictEqual(
      [
        ['CAP_SYS_PTRACE', true],
        ['CAP_DAC_OVERRIDE', false],
      ],
    );
  });

  test('names a child pid namespace as fatal', async ({ tempDir }) => {
    const child = await procWithCaps(tempDir, '000001ffffffffff', '4242\t1');
    expect(missingPrivileges(child)).toStrictEqual([
      expect.objectContaining({ privilege: 'the host pid namespace', fatal: true }),
    ]);
  });
});
