/**
 * CLI start-up (part of `npm run bench`): the wall time of `attestor --version` and
 * `attestor locate --pid 1` from the release artifact (dist/package, made by `npm run
 * package`) and from the repository's build, beside a floor measured in the same run: the
 * bundled Node starting and exiting (`node -e 0`). Median and best of 15 runs each.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const RUNS = 15;

function wall(command: string, args: readonly string[]): { median: number; best: number } {
  const samples: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const started = performance.now();
    const result = spawnSync(command, args, { stdio: 'ignore' });
    if (result.status !== 0)
      throw new Error(`${command} ${args.join(' ')} exited ${String(result.status)}`);
    samples.push(performance.now() - started);
  }
  samples.sort((a, b) => a - b);
  return { median: samples[Math.floor(RUNS / 2)] ?? Number.NaN, best: samples[0] ?? Number.NaN };
}

export function startupBenchmark(): string[] {
  const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
    version: string;
  };
  const tree = join(ROOT, 'dist', 'package', `attestor-${version}-linux-x64`);
  if (!existsSync(tree))
    return [`CLI start-up: no unpacked artifact at ${tree} (npm run package, then unpack it)`];
  const node = join(tree, 'lib', 'node');
  const artifact = join(tree, 'bin', 'attestor');
  const repository = join(ROOT, 'apps', 'cli', 'bin', 'attestor.js');
  const rows: [string, { median: number; best: number }][] = [
    ['floor: the bundled node -e 0', wall(node, ['-e', '0'])],
    ['artifact: attestor --version', wall(artifact, ['--version'])],
    ['artifact: attestor locate --pid 1', wall(artifact, ['locate', '--pid', '1'])],
    ['repository build: attestor --version', wall(node, [repository, '--version'])],
    ['repository build: attestor locate --pid 1', wall(node, [repository, 'locate', '--pid', '1'])],
  ];
  const floor = rows[0]?.[1].median ?? Number.NaN;
  return [
    'CLI start-up                                   median ms  best ms',
    ...rows.map(
      ([name, { median, best }]) =>
        `${name.padEnd(46)}${median.toFixed(0).padStart(10)}${best.toFixed(0).padStart(9)}  ${(median / floor).toFixed(2)}x floor`,
    ),
  ];
}
