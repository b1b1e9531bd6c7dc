import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { RecordingLogger } from '@attestor/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

import { ConfigWatcher } from './config-watcher.js';

describe(ConfigWatcher, () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'attestor-watch-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('calls back when the file content changes, not when it is rewritten unchanged', async () => {
    const path = join(dir, 'plain.yaml');
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

  it.each([
    ['a FIFO', (path: string) => execFileSync('mkfifo', [path])],
    ['/dev/zero', (path: string) => symlink('/dev/zero', path)],
  ])('keeps watching when the file is replaced by %s', async (_case, replace) => {
    // Both once stalled the watcher for good (a FIFO blocks an open until a writer comes)
    // or grew the agent until it died (/dev/zero never ends).
    const path = join(dir, `replaced-${String(Date.now())}.yaml`);
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

  it('follows a Kubernetes ConfigMap style atomic symlink swap', async () => {
    // <dir>/agent.yaml -> ..data/agent.yaml, ..data -> ..2026_1; the update writes ..2026_2
    // and renames a new ..data_tmp symlink over ..data.
    const volume = join(dir, 'configmap');
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

  it('notices a file that appears later by polling', async () => {
    const path = join(dir, 'later', 'agent.yaml');
    const onChange = vi.fn(() => Promise.resolve());
    const watcher = new ConfigWatcher(path, onChange, new RecordingLogger(), 50);
    await watcher.start();
    try {
      await mkdir(join(dir, 'later'));
      await writeFile(path, 'a: 1\n');
      await vi.waitFor(() => {
        expect(onChange).toHaveBeenCalledTimes(1);
      });
    } finally {
      watcher.stop();
    }
  });
});
