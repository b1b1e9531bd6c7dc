import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { test } from '@attestor/testing/fixtures';
import { describe, expect } from 'vitest';

import { loadConfigFile } from './config-file-source.js';

describe(loadConfigFile, () => {
  test('loads and validates a file', async ({ tempDir }) => {
    const path = join(tempDir, 'agent.yaml');
    const text = 'section: WorkloadAttestation\nschema: v1\nspec:\n  docker:\n    enabled: true\n';
    await writeFile(path, text);
    const loaded = await loadConfigFile(path);
    expect(loaded).toMatchObject({
      kind: 'loaded',
      path,
      sha256: createHash('sha256').update(text).digest('hex'),
      result: { ok: true, config: { docker: { enabled: true } } },
    });
  });

  test('says when the file is missing', async ({ tempDir }) => {
    const path = join(tempDir, 'nope.yaml');
    expect(await loadConfigFile(path)).toStrictEqual({ kind: 'missing', path });
  });

  test('says why a file is unreadable', async ({ tempDir }) => {
    expect(await loadConfigFile(tempDir)).toStrictEqual({
      kind: 'unreadable',
      path: tempDir,
      reason: `${tempDir}: not a regular file`,
    });
  });

  test('reports text that is not UTF-8 as an invalid file, naming the offset', async ({
    tempDir,
  }) => {
    const path = join(tempDir, 'latin1.yaml');
    await writeFile(path, Buffer.from('section: caf\xe9\n', 'latin1'));
    const loaded = await loadConfigFile(path);
    expect(loaded).toMatchObject({
      kind: 'loaded',
      result: {
        ok: false,
        errors: [
          {
            severity: 'error',
            path: 'yaml',
            message: 'not valid UTF-8 (first invalid byte at offset 12)',
          },
        ],
      },
    });
  });
});
