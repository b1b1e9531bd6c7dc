import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';

import { NODE_BUNDLE } from './package.js';

const directory = mkdtempSync(join(tmpdir(), 'attestor-package-spec-'));
afterAll(() => {
  rmSync(directory, { recursive: true, force: true });
});

/**
 * Bundles `source` as the artifact is bundled (`withPlugins` false: without its plugins), runs
 * it on this Node and returns what it printed.
 */
async function bundleAndRun(name: string, source: string, withPlugins: boolean): Promise<string> {
  const outfile = join(directory, `${name}.mjs`);
  await build({
    ...NODE_BUNDLE,
    ...(withPlugins ? {} : { plugins: [] }),
    stdin: { contents: source, loader: 'js', resolveDir: directory },
    outfile,
    logLevel: 'error',
  });
  return execFileSync(process.execPath, [outfile], { encoding: 'utf8' }).trim();
}

const SERVES_HTTP = `
import { createServer } from 'node:http';
import * as path from 'node:path';
import fs from 'fs';
const server = createServer();
const loaded = process.moduleLoadList.includes('NativeModule internal/deps/undici/undici');
console.log(JSON.stringify({ loaded, server: typeof server.listen, join: path.join('a', 'b'), fs: typeof fs.readFileSync }));
`;

describe('the bundle loads Node’s own modules', () => {
  it('without loading Node’s internal undici for an import of node:http', async () => {
    expect(JSON.parse(await bundleAndRun('required', SERVES_HTTP, true))).toEqual({
      loaded: false,
      server: 'function',
      join: join('a', 'b'),
      fs: 'function',
    });
  });

  it('which an import statement would have loaded (what the plugin is for)', async () => {
    expect(JSON.parse(await bundleAndRun('imported', SERVES_HTTP, false))).toMatchObject({
      loaded: true,
    });
  });
});
