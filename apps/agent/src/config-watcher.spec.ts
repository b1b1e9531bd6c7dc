import { execFileSync } from 'node:child_process';
import { mkdir, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { RecordingLogger } from '@attestor/testing';
import { test } from '@attestor/testing/fixtures';
import { describe, expect, vi } from 'vitest';

import { ConfigWatcher } from './config-watcher.js';

describe(ConfigWatcher, () => {
  test('calls back when the file content changes, not when it is rewritten unchanged', async ({
    tempDir,
  }) => {
    const path = join(tempDir, 'plain.yaml');
    await writeFile(path, 'a: 1\n');
    const onChange = vi.fn(() => Promise.resolve());
    const watcher = new ConfigWatcher(path, onChange, new RecordingLogger(), 50);
    await watcher.start();
    try {
      await writeFile(path, 'a: 1\n');
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(onChange).not.toHaveBeenCalled();
      await writeFile(path, 'a: 2\n');
      await vi.waitFor(() => {
        expect(onChange).toHaveBeenCalledTimes(1);
      });
    } finally {
      watcher.stop();
    }
  });

  test.for<[string, (path: string) => unknown]>([
    ['a FIFO', (path: string) => execFileSync('mkfifo', [path])],
    ['/dev/zero', (path: string) => symlink('/dev/zero', path)],
  ])('keeps watching when the file is replaced by %s', async ([, replace], { tempDir }) => {
    // Both once stalled the watcher for good (a FIFO blocks an open until a writer comes)
    // or grew the agent until it died (/dev/zero never ends).
    const path = join(tempDir, `replaced-${String(Date.now())}.yaml`);
    await writeFile(path, 'a: 1\n');
    const onChange = vi.fn(() => Promise.resolve());
    const watcher = new ConfigWatcher(path, onChange, new RecordingLogger(), 50);
    await watcher.start();
    try {
      await rm(path);
      await replace(path);
      await vi.waitFor(() => {
        expect(onChange).toHaveBeenCalledTimes(1);
      });
      await rm(path);
      await writeFile(path, 'a: 2\n');
      await vi.waitFor(() => {
        expect(onChange).toHaveBeenCalledTimes(2);
      });
    } finally {
      watcher.stop();
    }
  });

  test('follows a Kubernetes ConfigMap style atomic symlink swap', async ({ tempDir }) => {
    // <tempDir>/agent.yaml -> ..data/agent.yaml, ..data -> ..2026_1; the update writes ..2026_2
    // and renames a new ..data_tmp symlink over ..data.
    const volume = join(tempDir, 'configmap');
    await mkdir(join(volume, '..2026_1'), { recursive: true });
    await writeFile(join(volume, '..2026_1', 'agent.yaml'), 'version: 1\n');
    await symlink('..2026_1', join(volume, '..data'));
    await symlink(join('..data', 'agent.yaml'), join(volume, 'agent.yaml'));
    const onChange = vi.fn(() => Promise.resolve());
    const watcher = new ConfigWatcher(
      join(volume, 'agent.yaml'),
      onChange,
      new RecordingLogger(),
      60_000,
    );
    await watcher.start();
    try {
      await mkdir(join(volume, '..2026_2'));
      await writeFile(join(volume, '..2026_2', 'agent.yaml'), 'version: 2\n');
      await symlink('..2026_2', join(volume, '..data_tmp'));
      await rename(join(volume, '..data_tmp'), join(volume, '..data'));
      await vi.waitFor(
        () => {
          expect(onChange).toHaveBeenCalledTimes(1);
        },
        { timeout: 3000 },
      );
    } finally {
      watcher.stop();
    }
  });

  test('notices a file that appears later by polling', async ({ tempDir }) => {
    const path = join(tempDir, 'later', 'agent.yaml');
    const onChange = vi.fn(() => Promise.resolve());
    const watcher = new ConfigWatcher(path, onChange, new RecordingLogger(), 50);
    await watcher.start();
    try {
      await mkdir(join(tempDir, 'later'));
      await writeFile(path, 'a: 1\n');
      await vi.waitFor(() => {
        expect(onChange).toHaveBeenCalledTimes(1);
      });
    } finally {
      watcher.stop();
    }
  });
});
