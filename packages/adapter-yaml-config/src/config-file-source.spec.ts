import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { loadConfigFile } from './config-file-source.js';

describe(loadConfigFile, () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'attestor-source-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('loads and validates a file', async () => {
    const path = join(dir, 'agent.yaml');
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

  it('says when the file is missing', async () => {
    const path = join(dir, 'nope.yaml');
    expect(await loadConfigFile(path)).toStrictEqual({ kind: 'missing', path });
  });

  it('says why a file is unreadable', async () => {
    expect(await loadConfigFile(dir)).toStrictEqual({
      kind: 'unreadable',
      path: dir,
      reason: `${dir}: not a regular file`,
    });
  });

  it('reports text that is not UTF-8 as an invalid file, naming the offset', async () => {
    const path = join(dir, 'latin1.yaml');
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
