/**
 * The packages users reuse, as npm would hand them out: each is packed, its tarball is checked
 * (no build cache, no source map pointing at a file it lacks), the tarballs are installed
 * into a scratch project with nothing else, and every TypeScript example of their READMEs is
 * type-checked there against what was installed.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, normalize } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { run } from './processes.js';

const ROOT = join(import.meta.dirname, '..', '..');
const NPM = 'npm';
const TSC = join(ROOT, 'node_modules', '.bin', 'tsc');
/**
 * The packages users reuse (and ttl-cache, which sigstore-policy needs): those whose manifest
 * says they are published, as tools/scripts/test-oldest-node.sh also finds them.
 */
const PACKAGES = readdirSync(join(ROOT, 'packages')).filter(
  (name) =>
    (
      JSON.parse(readFileSync(join(ROOT, 'packages', name, 'package.json'), 'utf8')) as {
        publishConfig?: { access?: string };
      }
    ).publishConfig?.access === 'public',
);

interface Packed {
  readonly name: string;
  readonly filename: string;
  readonly files: readonly { path: string }[];
}

describe('the reusable packages, packed', () => {
  let scratch = '';
  let packed: Packed[] = [];

  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'attestor-pack-'));
    const result = await run(
      'npm',
      [
        'pack',
        '--json',
        '--pack-destination',
        scratch,
        ...PACKAGES.map((name) => `./packages/${name}`),
      ],
      120_000,
    );
    expect(result.code, result.stderr).toBe(0);
    packed = JSON.parse(result.stdout) as Packed[];
  }, 180_000);

  afterAll(async () => {
    await rm(scratch, { recursive: true, force: true });
  });

  it('packs every package the README names as reusable', () => {
    expect(PACKAGES).toEqual(
      expect.arrayContaining([
        'cgroup',
        'identity-glob',
        'env-filter',
        'attributes',
        'runtime-resolver',
        'sigstore-policy',
        'config',
        'ports',
        'ttl-cache',
      ]),
    );
  });

  it('leaves the build cache out of every tarball', () => {
    expect(packed.map(({ name }) => name).toSorted()).toStrictEqual(
      PACKAGES.map((name) => `@attestor/${name}`).toSorted(),
    );
    for (const { name, files } of packed)
      expect(
        files.filter(({ path }) => path.endsWith('.tsbuildinfo')),
        name,
      ).toStrictEqual([]);
  });

  it('ships the sources of every source map', async () => {
    for (const { name, files } of packed) {
      const paths = new Set(files.map(({ path }) => path));
      const directory = join(ROOT, 'packages', name.replace('@attestor/', ''));
      const maps = files.filter(({ path }) => path.endsWith('.map'));
      expect(maps.length, name).toBeGreaterThan(0);
      for (const { path } of maps) {
        const { sources } = JSON.parse(await readFile(join(directory, path), 'utf8')) as {
          sources: string[];
        };
        for (const source of sources)
          expect(
            paths.has(normalize(join(dirname(path), source))),
            `${name}: ${path} -> ${source}`,
          ).toBe(true);
      }
    }
  });

  it('type-checks every README example against the installed tarballs alone', async () => {
    const project = join(scratch, 'project');
    await mkdir(project);
    await writeFile(
      join(project, 'package.json'),
      JSON.stringify({
        name: 'scratch',
        private: true,
        type: 'module',
        dependencies: Object.fromEntries(
          packed.map(({ name, filename }) => [name, `file:${join(scratch, filename)}`]),
        ),
      }),
    );
    const installed = await run(
      NPM,
      ['install', '--offline', '--no-audit', '--no-fund', '--prefix', project],
      120_000,
    );
    expect(installed.code, installed.stderr).toBe(0);
    const examples: string[] = [];
    for (const name of PACKAGES) {
      const readme = await readFile(join(ROOT, 'packages', name, 'README.md'), 'utf8');
      for (const [index, [, code]] of [...readme.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].entries()) {
        const file = `${name}-${String(index)}.ts`;
        await writeFile(join(project, file), `${code ?? ''}\nexport {};\n`);
        examples.push(file);
      }
    }
    expect(examples.length).toBeGreaterThanOrEqual(PACKAGES.length);
    await writeFile(
      join(project, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'es2024',
          lib: ['es2024'],
          module: 'nodenext',
          moduleResolution: 'nodenext',
          strict: true,
          noEmit: true,
          skipLibCheck: false,
          // A Node project's own: the packages' types use Node's globals (AbortSignal).
          types: ['node'],
          typeRoots: [join(ROOT, 'node_modules', '@types')],
        },
        files: examples,
      }),
    );
    const checked = await run(TSC, ['-p', join(project, 'tsconfig.json')], 120_000);
    expect(checked.stdout + checked.stderr).toBe('');
    expect(checked.code).toBe(0);
  }, 240_000);
});
