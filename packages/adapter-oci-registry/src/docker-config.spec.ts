import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { rejection } from '@attestor/testing';
import { test } from '@attestor/testing/fixtures';
import { describe, expect } from 'vitest';

import { DockerConfigError, readDockerConfigCredentials } from './docker-config.js';

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
    const error = await rejection(DockerConfigError, readDockerConfigCredentials(path));
    expect(error.code).toBe('malformed');
    expect(error.message).toBe(`${path}: auths["r"].auth is not base64 of user:password`);
  });

  test('refuses a file that is not JSON', async ({ tempDir }) => {
    const path = join(tempDir, 'text.json');
    await writeFile(path, 'not json');
    const error = await rejection(DockerConfigError, readDockerConfigCredentials(path));
    expect(error.code).toBe('not_json');
    expect(error.message).toBe(`${path}: not valid JSON`);
  });

  test.for([
    ['a list', '["x"]', 'the file is not an object'],
    ['auths that are a list', '{"auths":["x"]}', 'auths is not an object'],
    ['an entry that is a string', '{"auths":{"r":"s3cret"}}', 'auths["r"] is not an object'],
    ['an auth that is a number', '{"auths":{"r":{"auth":12}}}', 'auths["r"].auth is not a string'],
    [
      'a password without a user',
      '{"auths":{"r":{"password":"s3cret"}}}',
      'auths["r"].username is not a string',
    ],
  ] as const)(
    'refuses %s, naming the field and never the value',
    async ([, text, expected], { tempDir }) => {
      const path = join(tempDir, 'config.json');
      await writeFile(path, text);
      const error = await rejection(DockerConfigError, readDockerConfigCredentials(path));
      expect(error.code).toBe('malformed');
      expect(error.message).toBe(`${path}: ${expected}`);
    },
  );
});
