import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';

import { ESLint } from 'eslint';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * Proves that the hexagon's rules are enforced by lint, not by review: each fixture below is a
 * deliberate violation written into a real package, linted with the workspace's own ESLint
 * configuration, and must fail with @nx/enforce-module-boundaries. A conforming fixture must
 * pass, so that the check cannot succeed by failing everything.
 */
const root = join(import.meta.dirname, '..', '..');
const FIXTURE_DIR = '__boundary_fixtures__';
/** Tags and dependencies are checked by Nx; Node I/O built-ins in pure code by no-restricted-imports. */
const BOUNDARY_RULES = ['@nx/enforce-module-boundaries', 'no-restricted-imports'];

interface Fixture {
  readonly name: string;
  readonly packageDir: string;
  readonly source: string;
  readonly allowed: boolean;
}

const fixtures: Fixture[] = [
  {
    name: 'domain imports undici',
    packageDir: 'packages/cgroup',
    source: "import { request } from 'undici';\nexport const x = request;\n",
    allowed: false,
  },
  {
    name: 'domain imports yaml',
    packageDir: 'packages/config',
    source: "import { parse } from 'yaml';\nexport const x = parse;\n",
    allowed: false,
  },
  {
    name: 'domain imports inversify',
    packageDir: 'packages/attributes',
    source: "import { Container } from 'inversify';\nexport const x = Container;\n",
    allowed: false,
  },
  {
    name: 'domain imports prom-client',
    packageDir: 'packages/sigstore-policy',
    source: "import { Registry } from 'prom-client';\nexport const x = Registry;\n",
    allowed: false,
  },
  {
    name: 'domain imports sigstore',
    packageDir: 'packages/sigstore-policy',
    source: "import { verify } from 'sigstore';\nexport const x = verify;\n",
    allowed: false,
  },
  {
    name: 'domain imports node:fs',
    packageDir: 'packages/env-filter',
    source: "import { readFileSync } from 'node:fs';\nexport const x = readFileSync;\n",
    allowed: false,
  },
  {
    name: 'domain imports an adapter',
    packageDir: 'packages/cgroup',
    source:
      "import { ProcfsProcessTable } from '@attestor/adapter-procfs';\nexport const x = ProcfsProcessTable;\n",
    allowed: false,
  },
  {
    name: 'domain imports an app',
    packageDir: 'packages/identity-glob',
    source: "import { main } from '@attestor/cli';\nexport const x = main;\n",
    allowed: false,
  },
  {
    name: 'adapter imports another adapter',
    packageDir: 'packages/adapter-procfs',
    source:
      "import { SystemClock } from '@attestor/adapter-node-process';\nexport const x = SystemClock;\n",
    allowed: false,
  },
  {
    name: 'adapter imports inversify',
    packageDir: 'packages/adapter-procfs',
    source: "import { Container } from 'inversify';\nexport const x = Container;\n",
    allowed: false,
  },
  {
    name: 'ports import a domain package',
    packageDir: 'packages/ports',
    source:
      "import { containerIdFromCgroup } from '@attestor/cgroup';\nexport const x = containerIdFromCgroup;\n",
    allowed: false,
  },
  {
    name: 'app imports another app',
    packageDir: 'apps/agent',
    source: "import { main } from '@attestor/cli';\nexport const x = main;\n",
    allowed: false,
  },
  {
    name: 'domain imports the composition package',
    packageDir: 'packages/workload-attestor',
    source:
      "import { createSignatureVerification } from '@attestor/composition';\nexport const x = createSignatureVerification;\n",
    allowed: false,
  },
  {
    name: 'composition imports inversify (its container modules)',
    packageDir: 'packages/composition',
    source: "import { ContainerModule } from 'inversify';\nexport const x = ContainerModule;\n",
    allowed: true,
  },
  {
    name: 'adapter imports the composition package',
    packageDir: 'packages/adapter-procfs',
    source: "import { Ports } from '@attestor/composition';\nexport const x = Ports;\n",
    allowed: false,
  },
  {
    name: 'adapter-io imports an adapter',
    packageDir: 'packages/adapter-io',
    source:
      "import { SystemClock } from '@attestor/adapter-node-process';\nexport const x = SystemClock;\n",
    allowed: false,
  },
  {
    name: 'domain imports adapter-io',
    packageDir: 'packages/cgroup',
    source:
      "import { readBoundedText } from '@attestor/adapter-io';\nexport const x = readBoundedText;\n",
    allowed: false,
  },
  {
    name: 'adapter imports adapter-io (allowed)',
    packageDir: 'packages/adapter-yaml-config',
    source:
      "import { readBoundedText } from '@attestor/adapter-io';\nexport const x = readBoundedText;\n",
    allowed: true,
  },
  {
    name: 'domain imports ports (allowed)',
    packageDir: 'packages/runtime-resolver',
    source:
      "import type { RuntimeEndpoint } from '@attestor/ports';\nexport type X = RuntimeEndpoint;\n",
    allowed: true,
  },
  {
    name: 'adapter imports ports (allowed)',
    packageDir: 'packages/adapter-procfs',
    source:
      "import { ProcessTableError } from '@attestor/ports';\nexport const x = ProcessTableError;\n",
    allowed: true,
  },
  {
    // Adapters may use the pure domain packages as helpers (the TTL cache, image references).
    name: 'adapter imports a domain package (allowed)',
    packageDir: 'packages/adapter-oci-registry',
    source: "import { TtlCache } from '@attestor/ttl-cache';\nexport const x = TtlCache;\n",
    allowed: true,
  },
];

const fileOf = (fixture: Fixture, index: number): string =>
  join(root, fixture.packageDir, FIXTURE_DIR, `fixture-${String(index)}.ts`);

describe('module boundaries', () => {
  const results = new Map<string, ESLint.LintResult>();

  beforeAll(async () => {
    await Promise.all(
      fixtures.map(async (fixture, index) => {
        const file = fileOf(fixture, index);
        await mkdir(dirname(file), { recursive: true });
        await writeFile(file, fixture.source);
      }),
    );
    try {
      // The fixtures are ignored by the workspace's own lint runs; here they are the point.
      const eslint = new ESLint({ cwd: root, ignore: false });
      const linted = await eslint.lintFiles(fixtures.map(fileOf));
      for (const result of linted) results.set(result.filePath, result);
    } finally {
      await removeFixtures();
    }
  }, 120_000);

  afterAll(removeFixtures);

  it.each(fixtures.map((fixture, index) => [fixture.name, fixture, index] as const))(
    '%s',
    (_name, fixture, index) => {
      const result = results.get(fileOf(fixture, index));
      expect(result, `no lint result for ${relative(root, fileOf(fixture, index))}`).toBeDefined();
      const boundaryErrors = (result?.messages ?? []).filter(
        (message) => message.ruleId !== null && BOUNDARY_RULES.includes(message.ruleId),
      );
      if (fixture.allowed) {
        expect(result?.messages.filter((message) => message.severity === 2)).toStrictEqual([]);
      } else {
        expect(boundaryErrors.map((message) => message.severity)).toContain(2);
      }
    },
  );
});

async function removeFixtures(): Promise<void> {
  await Promise.all(
    [...new Set(fixtures.map((fixture) => fixture.packageDir))].map((dir) =>
      rm(join(root, dir, FIXTURE_DIR), { recursive: true, force: true }),
    ),
  );
}
