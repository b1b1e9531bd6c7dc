/**
 * `npm run package`: the artifact an operator installs. One tarball for linux x64 that needs
 * nothing from the repository or the host's Node:
 *
 *   attestor-<version>-linux-x64/
 *     bin/attestor, bin/attestor-agent   shell wrappers
 *     lib/node                           the pinned Node binary the tests run on
 *     lib/attestor/*.mjs                 the agent and the CLI, bundled (esbuild), in chunks so
 *                                        that `attestor --version` loads only what it needs
 *     lib/attestor/node_modules/         koffi and its linux-x64 binary, which find their
 *                                        native module by path and so are not bundled
 *     share/attestor/                    the systemd unit and the README
 *
 * beside it its SHA-256 (`sha256sum -c` format). Run after `tsc -b` (the bundle starts from
 * the built bins). Prints the paths and sizes.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmod, cp, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import { join, relative } from 'node:path';

import { build, type BuildOptions, type Plugin } from 'esbuild';

import { AGENT_ENVIRONMENT, AGENT_NODE_FLAGS } from './agent-node-flags.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const OUT = join(ROOT, 'dist', 'package');

/** For an ES module bundle whose CommonJS dependencies call require() for Node's own modules. */
const REQUIRE_BANNER = {
  js: "import { createRequire as __attestorRequire } from 'node:module'; const require = __attestorRequire(import.meta.url);",
};

/** Node's own modules, with or without the node: prefix. */
const BUILTIN = new RegExp(`^(${builtinModules.join('|')}|node:.+)$`);

/**
 * Bundles load Node's own modules with require(), never with `import`. Node's ES module facade
 * for a builtin reads each of its exports once, lazy getters included: `import { createServer }
 * from 'node:http'` reads http's WebSocket and so loads Node's internal copy of undici, which
 * the agent never uses (14 MiB of RSS in a bare process, 2 MiB in the agent, which loads much
 * of the rest anyway). require() leaves lazy exports lazy, and esbuild's interop reads a
 * property only when the code does.
 */
const REQUIRE_BUILTINS: Plugin = {
  name: 'require-builtins',
  setup(build) {
    build.onResolve({ filter: BUILTIN }, ({ path, kind, namespace }) =>
      namespace === 'require-builtin'
        ? { path, external: true }
        : kind === 'import-statement' || kind === 'dynamic-import'
          ? { path, namespace: 'require-builtin' }
          : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'require-builtin' }, ({ path }) => ({
      contents: `module.exports = require(${JSON.stringify(path)});`,
      loader: 'js',
    }));
  },
};

/**
 * How every file that runs on the artifact's Node is bundled: the agent and the CLI, and the
 * bench's floors and clients, so that they are measured as the agent is.
 */
export const NODE_BUNDLE = {
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node24',
  banner: REQUIRE_BANNER,
  plugins: [REQUIRE_BUILTINS],
  // V8 keeps the source of every chunk it loads, and keeps a whole chunk at two bytes a
  // character when one comment in it is not ASCII. Minified (identifiers kept, so stack traces
  // still name functions), the agent holds 5 MiB of source instead of 9.
  minifyWhitespace: true,
  minifySyntax: true,
} as const satisfies BuildOptions;

/**
 * A wrapper that runs one entry point on the bundled Node with `flags`, wherever the tree is
 * unpacked.
 */
function wrapper(
  entry: string,
  flags: readonly string[],
  environment: Readonly<Record<string, string>>,
): string {
  const exports = Object.entries(environment).map(
    ([name, value]) => `export ${name}="\${${name}:-${value}}"\n`,
  );
  return `#!/bin/sh
# Runs attestor on the Node binary shipped beside it; the host's Node is never used.
here=$(dirname "$(readlink -f "$0")")
${exports.join('')}exec "$here/../lib/node" ${flags.map((flag) => `${flag} `).join('')}"$here/../lib/attestor/${entry}" "$@"
`;
}

async function sha256(path: string): Promise<string> {
  return createHash('sha256')
    .update(await readFile(path))
    .digest('hex');
}

export async function packageArtifact(): Promise<{ tarball: string; checksum: string }> {
  const { version } = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as {
    version: string;
  };
  const name = `attestor-${version}-linux-x64`;
  const tree = join(OUT, name);
  await rm(OUT, { recursive: true, force: true });
  await mkdir(join(tree, 'bin'), { recursive: true });
  await mkdir(join(tree, 'lib', 'attestor'), { recursive: true });
  await mkdir(join(tree, 'share', 'attestor'), { recursive: true });

  await build({
    entryPoints: {
      'attestor-agent': join(ROOT, 'apps', 'agent', 'bin', 'attestor-agent.js'),
      attestor: join(ROOT, 'apps', 'cli', 'bin', 'attestor.js'),
    },
    outdir: join(tree, 'lib', 'attestor'),
    outExtension: { '.js': '.mjs' },
    ...NODE_BUNDLE,
    splitting: true,
    // Koffi finds its native module by path: it is shipped as a package beside the bundle.
    external: ['koffi'],
    define: { __ATTESTOR_VERSION__: JSON.stringify(version) },
    legalComments: 'linked',
    logLevel: 'warning',
  });
  const modules = join(tree, 'lib', 'attestor', 'node_modules');
  await cp(join(ROOT, 'node_modules', 'koffi'), join(modules, 'koffi'), { recursive: true });
  await cp(
    join(ROOT, 'node_modules', '@koromix', 'koffi-linux-x64'),
    join(modules, '@koromix', 'koffi-linux-x64'),
    { recursive: true },
  );
  // Its musl build is not for these hosts.
  await rm(join(modules, '@koromix', 'koffi-linux-x64', 'musl_x64'), {
    recursive: true,
    force: true,
  });
  await cp(join(ROOT, 'node_modules', 'node', 'bin', 'node'), join(tree, 'lib', 'node'));
  for (const [file, entry, flags, environment] of [
    ['attestor', 'attestor.mjs', [], {}],
    ['attestor-agent', 'attestor-agent.mjs', AGENT_NODE_FLAGS, AGENT_ENVIRONMENT],
  ] as const) {
    await writeFile(join(tree, 'bin', file), wrapper(entry, flags, environment));
    await chmod(join(tree, 'bin', file), 0o755);
  }
  await cp(join(ROOT, 'deploy', 'systemd'), join(tree, 'share', 'attestor', 'systemd'), {
    recursive: true,
  });
  await cp(join(ROOT, 'README.md'), join(tree, 'share', 'attestor', 'README.md'));

  const tarball = join(OUT, `${name}.tar.gz`);
  // Reproducible: sorted names, fixed owner and time.
  execFileSync('tar', [
    '--sort=name',
    '--owner=0',
    '--group=0',
    '--numeric-owner',
    '--mtime=@0',
    '-czf',
    tarball,
    '-C',
    OUT,
    name,
  ]);
  const checksum = `${tarball}.sha256`;
  await writeFile(checksum, `${await sha256(tarball)}  ${name}.tar.gz\n`);
  return { tarball, checksum };
}

if (import.meta.main) {
  const { tarball, checksum } = await packageArtifact();
  const size = (await stat(tarball)).size;
  process.stdout.write(
    `${relative(process.cwd(), tarball)} (${(size / 1024 / 1024).toFixed(1)} MiB)\n${relative(process.cwd(), checksum)}\n`,
  );
}
