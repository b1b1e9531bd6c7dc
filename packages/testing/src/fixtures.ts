import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { test as vitestTest } from 'vitest';

export interface TempDirFixture {
  /** A directory of this test's own, made empty before it and removed after it. */
  readonly tempDir: string;
}

/**
 * Vitest's `test` with a `tempDir` fixture, for tests that write files or sockets:
 *
 *     import { test } from '@attestor/testing/fixtures';
 *
 *     test('reads the file it wrote', async ({ tempDir }) => { ... });
 *
 * Each test gets a directory of its own, so no test sees what another left behind, and the
 * directory is removed whether the test passes or fails.
 */
export const test = vitestTest.extend<TempDirFixture>({
  // Vitest reads the fixtures a function asks for from its first parameter's pattern.
  // eslint-disable-next-line no-empty-pattern
  tempDir: async ({}, use) => {
    const dir = await mkdtemp(join(tmpdir(), 'attestor-test-'));
    try {
      await use(dir);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },
});
