import { execFileSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { test } from '@attestor/testing/fixtures';
import { describe, expect } from 'vitest';

import { MAX_CONFIG_FILE_BYTES, readConfigFile } from './config-file.js';

describe(readConfigFile, () => {
  test('reads a UTF-8 file', async ({ tempDir }) => {
    const path = join(tempDir, 'ok.yaml');
    await writeFile(path, 'a: é\n');
    expect(await readConfigFile(path)).toBe('a: é\n');
  });

  test('refuses a file over the limit, naming it', async ({ tempDir }) => {
    const path = join(tempDir, 'big.yaml');
    await writeFile(path, Buffer.alloc(MAX_CONFIG_FILE_BYTES + 1, 0x61));
    await expect(readConfigFile(path)).rejects.toMatchObject({
      code: 'too_large',
      message: `${path}: ${String(MAX_CONFIG_FILE_BYTES + 1)} bytes is more than the ${String(MAX_CONFIG_FILE_BYTES)} bytes allowed`,
    });
  });

  test('refuses a directory', async ({ tempDir }) => {
    await expect(readConfigFile(tempDir)).rejects.toMatchObject({ code: 'not_a_regular_file' });
  });

  test('refuses invalid UTF-8, naming the offset', async ({ tempDir }) => {
    const path = join(tempDir, 'latin1.yaml');
    await writeFile(path, Buffer.from([0x61, 0x3a, 0x20, 0xe9, 0x0a]));
    await expect(readConfigFile(path)).rejects.toMatchObject({
      code: 'invalid_utf8',
      message: `${path}: not valid UTF-8 (first invalid byte at offset 3)`,
    });
  });

  test('refuses a FIFO at once instead of waiting for a writer', async ({ tempDir }) => {
    const path = join(tempDir, 'fifo.yaml');
    execFileSync('mkfifo', [path]);
    await expect(readConfigFile(path)).rejects.toMatchObject({ code: 'not_a_regular_file' });
  });

  test('refuses /dev/zero without reading it', async () => {
    await expect(readConfigFile('/dev/zero')).rejects.toMatchObject({
      code: 'not_a_regular_file',
    });
  });

  test('fails for a missing file with not_found', async ({ tempDir }) => {
    await expect(readConfigFile(join(tempDir, 'missing.yaml'))).rejects.toMatchObject({
      code: 'not_found',
    });
  });
});
