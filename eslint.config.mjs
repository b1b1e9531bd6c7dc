// @ts-check
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';

import js from '@eslint/js';
import nx from '@nx/eslint-plugin';
import prettier from 'eslint-config-prettier';
import simpleImportSort from 'eslint-plugin-simple-import-sort';
import tseslint from 'typescript-eslint';

// @nx/enforce-module-boundaries reads the project graph Nx caches, and without one it checks
// nothing and says so only in a log line per file: a fresh clone linted with plain `eslint`
// would pass any boundary violation. Make the graph first when it is missing, but only when
// the ESLint command line loaded this file: Nx loads it too, while it computes that very
// graph (@nx/eslint/plugin), and a second nx would wait on its lock for ever.
// argv[1] is the path the command was given: the .bin link or the bin file itself.
const loadedByEslintCli = /[\\/](?:\.bin[\\/]eslint|eslint[\\/]bin[\\/]eslint\.js)$/.test(
  process.argv[1] ?? '',
);
if (
  loadedByEslintCli &&
  !existsSync(new URL('./.nx/workspace-data/project-graph.json', import.meta.url))
) {
  execFileSync(new URL('./node_modules/.bin/nx', import.meta.url).pathname, ['show', 'projects'], {
    cwd: import.meta.dirname,
    stdio: 'ignore',
    env: { ...process.env, NX_DAEMON: 'false' },
  });
}

/** Infrastructure libraries: only adapters (and apps) may import them. */
const INFRASTRUCTURE = [
  'undici',
  'prom-client',
  'inversify',
  '@inversifyjs/*',
  'yaml',
  'sigstore',
  '@sigstore/*',
  'testcontainers',
];
/** Node built-ins that perform I/O: domain code is pure. */
const NODE_IO = [
  'fs',
  'node:fs',
  'fs/promises',
  'node:fs/promises',
  'net',
  'node:net',
  'http',
  'node:http',
  'https',
  'node:https',
  'child_process',
  'node:child_process',
  'dgram',
  'node:dgram',
  'dns',
  'node:dns',
];

/** Source globs of the projects with one of `tags`, read from their package.json `nx.tags`. */
function sourcesTagged(...tags) {
  return (
    readdirSync(new URL('./packages', import.meta.url))
      .filter((dir) => {
        const manifest = JSON.parse(
          readFileSync(new URL(`./packages/${dir}/package.json`, import.meta.url), 'utf8'),
        );
        return (manifest.nx?.tags ?? []).some((tag) => tags.includes(tag));
      })
      // The boundary spec's fixtures stand for sources of the package they are in.
      .flatMap((dir) => [
        `packages/${dir}/src/**/*.ts`,
        `packages/${dir}/__boundary_fixtures__/*.ts`,
      ])
  );
}

/**
 * The hexagon's dependency rules (see the README's architecture section). Tests may also use
 * the fakes and object mothers of packages tagged type:testing.
 * @param {{ inTests: boolean }} options
 */
function moduleBoundaries({ inTests }) {
  const testing = inTests ? ['type:testing'] : [];
  return {
    enforceBuildableLibDependency: false,
    banTransitiveDependencies: true,
    checkDynamicDependenciesExceptions: [],
    depConstraints: [
      {
        sourceTag: 'type:ports',
        onlyDependOnLibsWithTags: [],
        bannedExternalImports: [...INFRASTRUCTURE, ...NODE_IO],
      },
      {
        sourceTag: 'type:domain',
        onlyDependOnLibsWithTags: ['type:domain', 'type:ports', ...testing],
        bannedExternalImports: [...INFRASTRUCTURE, ...NODE_IO],
      },
      {
        // I/O helpers every adapter needs (bounded file reads): ports only, no other adapter.
        sourceTag: 'type:adapter-io',
        onlyDependOnLibsWithTags: ['type:ports', ...testing],
        bannedExternalImports: ['inversify', '@inversifyjs/*', 'testcontainers'],
      },
      {
        sourceTag: 'type:adapter',
        onlyDependOnLibsWithTags: ['type:ports', 'type:domain', 'type:adapter-io', ...testing],
        bannedExternalImports: ['inversify', '@inversifyjs/*', 'testcontainers'],
      },
      {
        sourceTag: 'type:testing',
        onlyDependOnLibsWithTags: ['type:ports'],
        bannedExternalImports: ['inversify', '@inversifyjs/*'],
      },
      {
        // Wiring shared by the apps: the Inversify container modules, one per side of the
        // hexagon, that bind adapters to ports and the use case to them.
        sourceTag: 'type:composition',
        onlyDependOnLibsWithTags: [
          'type:ports',
          'type:domain',
          'type:adapter',
          'type:adapter-io',
          ...testing,
        ],
      },
      {
        sourceTag: 'type:app',
        onlyDependOnLibsWithTags: [
          'type:ports',
          'type:domain',
          'type:adapter',
          'type:adapter-io',
          'type:composition',
          ...testing,
        ],
      },
      {
        sourceTag: 'type:e2e',
        onlyDependOnLibsWithTags: ['type:ports', 'type:domain', 'type:adapter', 'type:testing'],
      },
      {
        sourceTag: 'type:tools',
        onlyDependOnLibsWithTags: ['type:ports', 'type:domain', 'type:adapter', 'type:testing'],
      },
    ],
  };
}

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '**/dist/**',
      '**/out-tsc/**',
      '.nx/**',
      'coverage/**',
      'tmp/**',
      // Generated from a vendored .proto (packages/workload-api/buf.gen.yaml).
      '**/src/gen/**',
      // Written and linted (with ignore: false) by tools/src/module-boundaries.spec.ts only.
      '**/__boundary_fixtures__/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  ...tseslint.configs.stylisticTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: {
          allowDefaultProject: [
            '*.mjs',
            '*.ts',
            'tools/scripts/*.mjs',
            // The boundary spec's fixtures, outside every tsconfig so that no build sees them.
            '*/*/__boundary_fixtures__/*.ts',
          ],
          maximumDefaultProjectFileMatchCount_THIS_WILL_SLOW_DOWN_LINTING: 64,
        },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
  },
  {
    files: ['**/*.ts'],
    plugins: { '@nx': nx, 'simple-import-sort': simpleImportSort },
    rules: {
      'simple-import-sort/imports': 'error',
      'simple-import-sort/exports': 'error',
      'no-duplicate-imports': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      'no-console': 'error',
      '@nx/enforce-module-boundaries': ['error', moduleBoundaries({ inTests: false })],
    },
  },
  {
    // Domain and ports code is pure: @nx/enforce-module-boundaries does not cover Node
    // built-ins, so I/O modules are banned here.
    files: sourcesTagged('type:domain', 'type:ports'),
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: NODE_IO.map((name) => ({
            name,
            message: 'domain and ports packages do no I/O; use a port',
          })),
        },
      ],
    },
  },
  {
    // Tests may use non-null assertions on fixtures they just built.
    files: ['**/*.spec.ts', '**/*.e2e.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@nx/enforce-module-boundaries': ['error', moduleBoundaries({ inTests: true })],
    },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
  prettier,
);
