// @ts-check
/**
 * A local Nx plugin: a `test` target for every project with tests, run by Vitest from the
 * workspace's one vitest.config.ts (whose `unit` and `e2e` projects pick the files), with
 * coverage of the project's own sources. Domain packages must keep 95 % of lines and branches
 * covered; the others are measured and reported. @nx/vitest would infer a target per
 * vitest.config, but it does not support Vitest 5 and wants a config file per project.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

import { createNodesFromFiles } from '@nx/devkit';

const DOMAIN_COVERAGE = 95;

/** @param {string} dir */
function hasFiles(dir, suffix) {
  if (!existsSync(dir)) return false;
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).some((name) =>
    name.endsWith(suffix),
  );
}

/**
 * @param {string} manifestPath
 * @param {string} workspaceRoot
 */
function testTarget(manifestPath, workspaceRoot) {
  const projectRoot = dirname(manifestPath);
  const manifest = JSON.parse(readFileSync(join(workspaceRoot, manifestPath), 'utf8'));
  const tags = manifest.nx?.tags ?? [];
  const src = join(workspaceRoot, projectRoot, 'src');
  const report = `tmp/vitest/${projectRoot.replaceAll('/', '-')}.json`;
  const reporters = `--reporter=default --reporter=json --outputFile=${report}`;
  if (tags.includes('type:e2e')) {
    if (!hasFiles(src, '.e2e.ts')) return undefined;
    return {
      // Against the real runtimes and registry: nothing to cache.
      command: `vitest run --project e2e ${reporters}`,
      options: { cwd: '{workspaceRoot}' },
      cache: false,
      dependsOn: [{ projects: ['@attestor/agent', '@attestor/cli'], target: 'build' }],
    };
  }
  if (!hasFiles(src, '.spec.ts')) return undefined;
  const thresholds = tags.includes('type:domain')
    ? ` --coverage.thresholds.lines=${DOMAIN_COVERAGE} --coverage.thresholds.branches=${DOMAIN_COVERAGE}`
    : '';
  return {
    command:
      `vitest run --project unit ${reporters} --coverage.enabled` +
      ` --coverage.include='${projectRoot}/src/**/*.ts' --coverage.exclude='**/index.ts'` +
      ` --coverage.reportsDirectory=coverage/${projectRoot}` +
      `${thresholds} ${projectRoot}/`,
    options: { cwd: '{workspaceRoot}' },
    cache: true,
    inputs: [
      'default',
      '^production',
      '{workspaceRoot}/vitest.config.ts',
      { externalDependencies: ['vitest'] },
    ],
    outputs: [`{workspaceRoot}/coverage/${projectRoot}`, `{workspaceRoot}/${report}`],
  };
}

export const createNodesV2 = [
  '{packages/*,apps/*,tools,e2e}/package.json',
  (/** @type {readonly string[]} */ files, _options, /** @type {any} */ context) =>
    createNodesFromFiles(
      (/** @type {string} */ file) => {
        const target = testTarget(file, context.workspaceRoot);
        return target === undefined
          ? {}
          : { projects: { [dirname(file)]: { targets: { test: target } } } };
      },
      files,
      _options,
      context,
    ),
];
