import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { test } from '@attestor/testing/fixtures';
import { describe, expect } from 'vitest';

import { writeFileAtomically } from './atomic-file.js';

describe(writeFileAtomically, () => {
  test('replaces a file whole, with the mode asked, and leaves nothing beside it', async ({
    tempDir,
  }) => {
    const path = join(tempDir, 'svid.pem');
    await writeFile(path, 'old');
    await writeFileAtomically(path, 'new', 0o644);
    expect(await readFile(path, 'utf8')).toBe('new');
    expect((await stat(path)).mode & 0o777).toBe(0o644);
    await writeFileAtomically(join(tempDir, 'svid.key'), Uint8Array.of(1, 2));
    expect((await stat(join(tempDir, 'svid.key'))).mode & 0o777).toBe(0o600);
    expect((await readdir(tempDir)).sort()).toStrictEqual(['svid.key', 'svid.pem']);
  });
});
