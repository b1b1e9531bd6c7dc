import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { MAX_CONFIG_FILE_BYTES, readConfigFile } from './config-file.js';

describe(readConfigFile, () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'attestor-config-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads a UTF-8 file', async () => {
    const path = join(dir, 'ok.yaml');
    await writeFile(path, 'a: é\n');
    expect(await readConfigFile(path)).toBe('a: é\n');
  });

  it('refuses a file over the limit, naming it', async () => {
    const path = join(dir, 'big.yaml');
    await writeFile(path, Buffer.alloc(MAX_CONFIG_FILE_BYTES + 1, 0x61));
    await expect(readConfigFile(path)).rejects.toMatchObject({
      code: 'too_large',
      message: `${path}: ${String(MAX_CONFIG_FILE_BYTES + 1)} bytes is more than the ${String(MAX_CONFIG_FILE_BYTES)} bytes allowed`,
    });
  });

  it('refuses a directory', async () => {
    await expect(readConfigFile(dir)).rejects.toMatchObject({ code: 'not_a_regular_file' });
  });

  it('refuses invalid UTF-8, naming the offset', async () => {
    const path = join(dir, 'latin1.yaml');
    await writeFile(path, Buffer.from([0x61, 0x3a, 0x20, 0xe9, 0x0a]));
    await expect(readConfigFile(path)).rejects.toMatchObject({
      code: 'invalid_utf8',
      message: `${path}: not valid UTF-8 (first invalid byte at offset 3)`,
    });
  });

  it('refuses a FIFO at once instead of waiting for a writer', async () => {
    const path = join(dir, 'fifo.yaml');
    execFileSync('mkfifo', [path]);
    await expect(readConfigFile(path)).rejects.toMatchObject({ code: 'not_a_regular_file' });
  });

  it('refuses /dev/zero without reading it', async () => {
    await expect(readConfigFile('/dev/zero')).rejects.toMatchObject({
      code: 'not_a_regular_file',
    });
  });

  it('fails for a missing file with not_found', async () => {
    await expect(readConfigFile(join(dir, 'missing.yaml'))).rejects.toMatchObject({
      code: 'not_found',
    });
  });
});
