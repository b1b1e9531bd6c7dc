import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { test } from '@attestor/testing/fixtures';
import { describe, expect } from 'vitest';

import { requireHostPidNamespace } from './pid-namespace.js';

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
