import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { test } from '@attestor/testing/fixtures';
import { describe, expect } from 'vitest';

import { CLI_BIN, NODE, run } from './processes.js';

describe('attestor CLI (built binary)', () => {
  test('is runnable as npx attestor from the repository root', async () => {
    const result = await run('npx', ['--no-install', 'attestor', '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('  config validate ');
  });

  test('validates a file and exits 0', async ({ tempDir }) => {
    const path = join(tempDir, 'ok.yaml');
    await writeFile(
      path,
      'section: WorkloadAttestation\nschema: v1\nspec:\n  docker:\n    enabled: true\n    includeEnvVars: [APP_]\n',
    );
    const result = await run(NODE, [CLI_BIN, 'config', 'validate', path]);
    expect(result).toStrictEqual({ code: 0, stdout: `${path}: valid\n`, stderr: '' });
  });

  test('lists every error of every file with field paths and exits 1', async ({ tempDir }) => {
    const bad = join(tempDir, 'bad.yaml');
    await writeFile(
      bad,
      [
        'section: WorkloadAttestation',
        'schema: v1',
        'spec:',
        '  docker:',
        '    enabled: true',
        '    podmanSocketPathTemplate: unix:///run/user/podman.sock',
        '    sigstore:',
        '      enabled: true',
        '      rekorURL: http://rekor.example',
        '---',
        'section: Agnet',
        'schema: v1',
        'spec: {}',
        '',
      ].join('\n'),
    );
    const result = await run(NODE, [CLI_BIN, 'config', 'validate', bad]);
    expect(result.code).toBe(1);
    expect(result.stderr.split('\n')).toStrictEqual([
      `${bad}:6: spec.docker.podmanSocketPathTemplate: must contain exactly one %d placeholder, found 0 in "unix:///run/user/podman.sock"`,
      `${bad}:7: spec.docker.sigstore.allowedIdentities: required when enabled is true`,
      `${bad}:9: spec.docker.sigstore.rekorURL: must be an https URL, got "http://rekor.example"`,
      `${bad}:11: section: unknown section "Agnet"; did you mean Agent?`,
      `${bad}: invalid (4 errors)`,
      '',
    ]);
  });

  test('locates this test process (not in a container here) from the real /proc', async () => {
    const result = await run(NODE, [CLI_BIN, 'locate', '--pid', String(process.pid)]);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toHaveProperty('containerId');
  });
});
