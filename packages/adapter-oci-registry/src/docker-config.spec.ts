import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { test } from '@attestor/testing/fixtures';
import { describe, expect } from 'vitest';

import { readDockerConfigCredentials } from './docker-config.js';

describe(readDockerConfigCredentials, () => {
  test('reads auth and username/password entries, keyed by host', async ({ tempDir }) => {
    const path = join(tempDir, 'config.json');
    await writeFile(
      path,
      JSON.stringify({
        auths: {
          'https://index.docker.io/v1/': { auth: Buffer.from('alice:pa:ss').toString('base64') },
          '127.0.0.1:5000': { username: 'bob', password: 'x' },
          'helper.example': {},
        },
        credHelpers: { 'gcr.io': 'gcloud' },
      }),
    );
    expect(await readDockerConfigCredentials(path)).toStrictEqual(
      new Map([
        ['index.docker.io', { username: 'alice', password: 'pa:ss' }],
        ['127.0.0.1:5000', { username: 'bob', password: 'x' }],
      ]),
    );
  });

  test('returns no credentials for a missing file', async ({ tempDir }) => {
    expect((await readDockerConfigCredentials(join(tempDir, 'missing.json'))).size).toBe(0);
  });

  test('names the file, not the secret, when an entry is broken', async ({ tempDir }) => {
    const path = join(tempDir, 'broken.json');
    await writeFile(
      path,
      JSON.stringify({ auths: { r: { auth: Buffer.from('no-colon-secret').toString('base64') } } }),
    );
    const error = await readDockerConfigCredentials(path).catch((caught: unknown) => caught);
    expect(String(error)).toContain(`${path}: auths["r"].auth is not base64 of user:password`);
    expect(String(error)).not.toContain('no-colon-secret');
  });

  test('refuses a file that is not JSON', async ({ tempDir }) => {
    const path = join(tempDir, 'text.json');
    await writeFile(path, 'not json');
    await expect(readDockerConfigCredentials(path)).rejects.toThrow(`${path}: not valid JSON`);
  });
});
