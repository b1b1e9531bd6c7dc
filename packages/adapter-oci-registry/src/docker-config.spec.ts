import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { readDockerConfigCredentials } from './docker-config.js';

describe(readDockerConfigCredentials, () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'attestor-docker-config-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads auth and username/password entries, keyed by host', async () => {
    const path = join(dir, 'config.json');
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

  it('returns no credentials for a missing file', async () => {
    expect((await readDockerConfigCredentials(join(dir, 'missing.json'))).size).toBe(0);
  });

  it('names the file, not the secret, when an entry is broken', async () => {
    const path = join(dir, 'broken.json');
    await writeFile(
      path,
      JSON.stringify({ auths: { r: { auth: Buffer.from('no-colon-secret').toString('base64') } } }),
    );
    const error = await readDockerConfigCredentials(path).catch((caught: unknown) => caught);
    expect(String(error)).toContain(`${path}: auths["r"].auth is not base64 of user:password`);
    expect(String(error)).not.toContain('no-colon-secret');
  });

  it('refuses a file that is not JSON', async () => {
    const path = join(dir, 'text.json');
    await writeFile(path, 'not json');
    await expect(readDockerConfigCredentials(path)).rejects.toThrow(`${path}: not valid JSON`);
  });
});
