import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { Ports } from '@attestor/composition';
import {
  buildTrustedRoot,
  signArtifact,
  TestCertificateAuthority,
  TestTransparencyLog,
  TestTufRepository,
} from '@attestor/sigstore-test-stack';
import {
  ConfigTextMother,
  ContainerDetailsMother,
  containerId,
  FakeContainerRuntime,
  FakeProcessTable,
  ProcessMother,
} from '@attestor/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { Cli } from './cli.js';
import { createCliContainer } from './composition-root.js';
import { EXIT_CODE_TABLE } from './exit-codes.js';

const ID = 'e'.repeat(64);

function cli(
  processTable?: FakeProcessTable,
  containerRuntime?: FakeContainerRuntime,
  defaultConfigPath = '/nonexistent/agent.yaml',
) {
  const out: string[] = [];
  const err: string[] = [];
  const container = createCliContainer({
    version: '9.9.9',
    output: { stdout: (text) => out.push(text), stderr: (text) => err.push(text) },
    defaultConfigPath,
  });
  // The fakes replace the real adapters the way any rebinding would.
  if (processTable !== undefined)
    container.rebind(Ports.ProcessTable).toConstantValue(processTable);
  if (containerRuntime !== undefined)
    container.rebind(Ports.ContainerRuntime).toConstantValue(containerRuntime);
  return {
    run: (argv: string[]) => container.get(Cli).run(argv),
    stdout: () => out.join(''),
    stderr: () => err.join(''),
  };
}

describe('Cli', () => {
  let dir = '';
  const file = (name: string) => join(dir, name);
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'attestor-cli-'));
    await writeFile(
      file('good.yaml'),
      'section: WorkloadAttestation\nschema: v1\nspec:\n  docker:\n    enabled: true\n',
    );
    await writeFile(
      file('bad.yaml'),
      'section: WorkloadAttestation\nschema: v1\nspec:\n  docker:\n    enabled: maybe\n    includeEnvVar: [APP_]\n    podmanSocketPathTemplate: unix:///run/x.sock\n',
    );
    await writeFile(
      file('warn.yaml'),
      'section: WorkloadAttestation\nschema: v1\nspec:\n  docker:\n    sigstore:\n      enabled: true\n      allowedIdentities:\n        "https://token.actions.githubusercontent.com": ["*"]\n',
    );
    await writeFile(file('docker.cgroup'), `12:pids:/docker/${ID}\n0::/\n`);
    await writeFile(file('host.cgroup'), '0::/init.scope\n');
    await writeFile(file('broken.cgroup'), 'not a cgroup line\n');
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  describe('having --help', () => {
    it('prints the usage and exits 0', async () => {
      const c = cli();
      expect(await c.run(['--help'])).toBe(0);
      expect(c.stdout()).toContain('  config validate ');
      expect(c.stdout()).toContain('  svid fetch ');
      expect(c.stdout()).toContain('  5   negative verdict');
    });

    it('prints the usage and exits 2 without a command', async () => {
      expect(await cli().run([])).toBe(2);
    });
  });

  describe('having an unknown command or flag', () => {
    it.each([
      [['frobnicate']],
      [['locate', '--bogus']],
      [['config']],
      [['config', 'check']],
      [['config', 'validate']],
    ])('exits 2 for %j', async (argv) => {
      const c = cli();
      expect(await c.run(argv)).toBe(2);
      expect(c.stderr()).toMatch(/Run 'attestor [a-z ]*--help' for usage\.\n$/);
    });
  });

  describe('config validate', () => {
    it('exits 0 for a valid file', async () => {
      const c = cli();
      expect(await c.run(['config', 'validate', file('good.yaml')])).toBe(0);
      expect(c.stdout()).toBe(`${file('good.yaml')}: valid\n`);
    });

    it('lists every error with its path and line, and exits 1', async () => {
      const c = cli();
      expect(await c.run(['config', 'validate', file('good.yaml'), file('bad.yaml')])).toBe(1);
      const bad = file('bad.yaml');
      expect(c.stderr()).toBe(
        [
          `${bad}:5: spec.docker.enabled: must be true or false, got string "maybe"`,
          `${bad}:7: spec.docker.podmanSocketPathTemplate: must contain exactly one %d placeholder, found 0 in "unix:///run/x.sock"`,
          `${bad}:6: spec.docker.includeEnvVar: unknown field; did you mean includeEnvVars?`,
          `${bad}: invalid (3 errors)`,
          '',
        ].join('\n'),
      );
    });

    it('prints warnings but exits 0', async () => {
      const c = cli();
      expect(await c.run(['config', 'validate', file('warn.yaml')])).toBe(0);
      expect(c.stderr()).toContain(
        'warning: spec.docker.sigstore.allowedIdentities["https://token.actions.githubusercontent.com"]',
      );
    });

    it('exits 3 for a missing file', async () => {
      const c = cli();
      expect(await c.run(['config', 'validate', file('missing.yaml')])).toBe(3);
      expect(c.stderr()).toBe(`${file('missing.yaml')}: no such file\n`);
    });

    it('exits 1 for text that is not UTF-8, naming the offset (invalid input, not unreadable)', async () => {
      await writeFile(file('latin1.yaml'), Buffer.from('section: caf\xe9\n', 'latin1'));
      const c = cli();
      expect(await c.run(['config', 'validate', file('latin1.yaml')])).toBe(1);
      expect(c.stderr()).toContain(
        `${file('latin1.yaml')}: yaml: not valid UTF-8 (first invalid byte at offset 12)`,
      );
    });
  });

  describe('locate', () => {
    it('prints the container of a cgroup file', async () => {
      const c = cli();
      expect(await c.run(['locate', '--cgroup-file', file('docker.cgroup')])).toBe(0);
      expect(JSON.parse(c.stdout())).toStrictEqual({ containerId: ID, runtime: 'docker' });
    });

    it('prints containerId null for a host process', async () => {
      const c = cli();
      expect(await c.run(['locate', '--cgroup-file', file('host.cgroup')])).toBe(0);
      expect(JSON.parse(c.stdout())).toStrictEqual({ containerId: null });
    });

    it('includes the rootless uid when the cgroup shows it', async () => {
      const table = new FakeProcessTable().set(
        ProcessMother.inContainer(ID, {
          pid: 77,
          cgroup: `0::/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-${ID}.scope/container\n`,
        }),
      );
      const c = cli(table);
      expect(await c.run(['locate', '--pid', '77'])).toBe(0);
      expect(JSON.parse(c.stdout())).toStrictEqual({
        containerId: ID,
        runtime: 'podman',
        rootlessUid: 1000,
      });
    });

    it('exits 1 for a malformed cgroup file, quoting the line', async () => {
      const c = cli();
      expect(await c.run(['locate', '--cgroup-file', file('broken.cgroup')])).toBe(1);
      expect(c.stderr()).toContain('"not a cgroup line"');
    });

    it('exits 3 for a process that does not exist', async () => {
      const c = cli(new FakeProcessTable());
      expect(await c.run(['locate', '--pid', '4242'])).toBe(3);
      expect(c.stderr()).toBe('attestor locate: process_not_found: process 4242 does not exist\n');
    });

    it.each([
      [['locate']],
      [['locate', '--pid', '1', '--cgroup-file', 'x']],
      [['locate', '--pid', 'abc']],
      [['locate', '--pid', '0']],
    ])('exits 2 for %j', async (argv) => {
      expect(await cli().run(argv)).toBe(2);
    });
  });

  describe('attest', () => {
    const id = containerId(0xfeed);
    function world() {
      const table = new FakeProcessTable()
        .set(ProcessMother.onHost({ pid: process.pid, pidNamespace: 1n }))
        .set(ProcessMother.inContainer(id, { pid: 4242 }));
      const runtime = new FakeContainerRuntime().addContainer(
        '/var/run/docker.sock',
        ContainerDetailsMother.running({
          id,
          initPid: 4242,
          labels: { 'com.example.app': 'payments' },
          env: ['APP_VERSION=1.2.3', 'SECRET_KEY=abc'],
        }),
      );
      return { table, runtime };
    }

    it('prints the attestation as JSON with the embedded default configuration', async () => {
      const { table, runtime } = world();
      const c = cli(table, runtime);
      expect(await c.run(['attest', '--pid', '4242'])).toBe(0);
      expect(JSON.parse(c.stdout())).toMatchObject({
        pid: 4242,
        kind: 'attested',
        containerId: id,
        runtime: { kind: 'docker', socket: '/var/run/docker.sock' },
        attributes: {
          'docker.container.label["com.example.app"]': 'payments',
          'docker.runtime': 'docker',
        },
      });
      expect(c.stdout()).not.toContain('SECRET_KEY');
    });

    it('applies includeEnvVars from --config and prints text', async () => {
      const { table, runtime } = world();
      const path = file('env.yaml');
      await writeFile(
        path,
        'section: WorkloadAttestation\nschema: v1\nspec:\n  docker:\n    enabled: true\n    includeEnvVars: [APP_]\n',
      );
      const c = cli(table, runtime);
      expect(await c.run(['attest', '--pid', '4242', '--config', path, '--output', 'text'])).toBe(
        0,
      );
      expect(c.stdout()).toContain(`pid 4242: container ${id} (docker at /var/run/docker.sock)\n`);
      expect(c.stdout()).toContain('docker.container.env.APP_VERSION = 1.2.3\n');
    });

    describe('with --identity', () => {
      const identityConfig = async (name: string, pathTemplate: string): Promise<string> => {
        const path = file(name);
        await writeFile(path, ConfigTextMother.withIdentity(pathTemplate));
        return path;
      };

      it('prints the SPIFFE ID built from the attributes', async () => {
        const { table, runtime } = world();
        const path = await identityConfig(
          'identity.yaml',
          '/workloads/{{docker.container.label["com.example.app"]}}',
        );
        const c = cli(table, runtime);
        expect(await c.run(['attest', '--pid', '4242', '--config', path, '--identity'])).toBe(0);
        expect(JSON.parse(c.stdout())).toStrictEqual({
          pid: 4242,
          containerId: id,
          spiffeId: 'spiffe://example.org/workloads/payments',
        });
        const text = cli(table, runtime);
        expect(
          await text.run([
            'attest',
            '--pid',
            '4242',
            '--config',
            path,
            '--identity',
            '--output',
            'text',
          ]),
        ).toBe(0);
        expect(text.stdout()).toBe('spiffe://example.org/workloads/payments\n');
      });

      it('exits 4 naming the attribute when the template references one the workload lacks', async () => {
        const { table, runtime } = world();
        const path = await identityConfig(
          'identity-signed.yaml',
          '/signed/{{docker.image.signature.subject}}',
        );
        const c = cli(table, runtime);
        expect(await c.run(['attest', '--pid', '4242', '--config', path, '--identity'])).toBe(4);
        expect(c.stderr()).toContain(
          'attestor attest: missing_attribute: missing attribute docker.image.signature.subject (referenced at column 9)\n',
        );
        expect(c.stdout()).toBe('');
      });

      it('exits 1 without a WorkloadIdentity section', async () => {
        const { table, runtime } = world();
        const c = cli(table, runtime);
        expect(await c.run(['attest', '--pid', '4242', '--identity'])).toBe(1);
        expect(c.stderr()).toContain(
          '--identity needs a configuration with a WorkloadIdentity section',
        );
      });
    });

    it('exits 1 listing the errors of an invalid --config', async () => {
      const c = cli(...(Object.values(world()) as [FakeProcessTable, FakeContainerRuntime]));
      expect(await c.run(['attest', '--pid', '4242', '--config', file('bad.yaml')])).toBe(1);
      expect(c.stderr()).toContain(
        'spec.docker.includeEnvVar: unknown field; did you mean includeEnvVars?',
      );
    });

    it('exits 3 naming the socket when the runtime is down', async () => {
      const { table, runtime } = world();
      runtime.setDown('/var/run/docker.sock');
      const c = cli(table, runtime);
      expect(await c.run(['attest', '--pid', '4242'])).toBe(3);
      expect(c.stderr()).toContain('attestor attest: runtime_unavailable:');
      expect(c.stderr()).toContain('/var/run/docker.sock');
    });

    it('exits 4 when the process is not in the container the runtime describes', async () => {
      const { table, runtime } = world();
      table.set(ProcessMother.inContainer(id, { pid: 5000, pidNamespace: 99n }));
      const c = cli(table, runtime);
      expect(await c.run(['attest', '--pid', '5000'])).toBe(4);
      expect(c.stderr()).toContain('pid_namespace_mismatch');
    });

    it('prints not-in-a-container for a host process and exits 0', async () => {
      const { table, runtime } = world();
      table.set(ProcessMother.onHost({ pid: 77, uid: 0 }));
      const c = cli(table, runtime);
      expect(await c.run(['attest', '--pid', '77', '--output', 'text'])).toBe(0);
      expect(c.stdout()).toBe('pid 77: not in a container\n');
    });

    it.each([
      [['attest']],
      [['attest', '--pid', 'x']],
      [['attest', '--pid', '1', '--output', 'yaml']],
    ])('exits 2 for %j', async (argv) => {
      expect(await cli().run(argv)).toBe(2);
    });
  });

  describe('policy check', () => {
    const GITHUB = 'https://token.actions.githubusercontent.com';
    async function policyFile(): Promise<string> {
      const path = file('policy.yaml');
      await writeFile(
        path,
        [
          'section: WorkloadAttestation',
          'schema: v1',
          'spec:',
          '  docker:',
          '    sigstore:',
          '      enabled: true',
          '      allowedIdentities:',
          `        "${GITHUB}":`,
          '          - "https://github.com/myorg/*/.github/workflows/release.yaml@refs/heads/main"',
          '        "https://*.github.com*": ["x"]',
          '',
        ].join('\n'),
      );
      return path;
    }

    it('names the patterns that allow an identity and exits 0', async () => {
      const c = cli();
      const code = await c.run([
        'policy',
        'check',
        '--config',
        await policyFile(),
        '--issuer',
        GITHUB,
        '--subject',
        'https://github.com/myorg/api/.github/workflows/release.yaml@refs/heads/main',
      ]);
      expect(code).toBe(0);
      expect(c.stdout()).toBe(
        `allowed: issuer pattern "${GITHUB}", subject pattern "https://github.com/myorg/*/.github/workflows/release.yaml@refs/heads/main"\n`,
      );
      expect(c.stderr()).toContain(
        'warning: issuer pattern "https://*.github.com*" has a wildcard after the host',
      );
    });

    it('says no pattern allows an identity and exits 5, in JSON', async () => {
      const c = cli();
      const code = await c.run([
        'policy',
        'check',
        '--config',
        await policyFile(),
        '--issuer',
        GITHUB,
        '--subject',
        'https://github.com/evil/x/.github/workflows/release.yaml@refs/heads/main',
        '--output',
        'json',
      ]);
      expect(code).toBe(5);
      expect(JSON.parse(c.stdout())).toMatchObject({
        allowed: false,
        warnings: [expect.stringContaining('wildcard after the host')],
      });
    });

    it('exits 5 when no allowedIdentities are configured', async () => {
      const c = cli();
      expect(await c.run(['policy', 'check', '--issuer', 'i', '--subject', 's'])).toBe(5);
      expect(c.stdout()).toBe('no allowedIdentities are configured: no signer is allowed\n');
    });

    it.each([[['policy']], [['policy', 'check', '--issuer', 'i']], [['policy', 'explain']]])(
      'exits 2 for %j',
      async (argv) => {
        expect(await cli().run(argv)).toBe(2);
      },
    );
  });

  describe('verify-image', () => {
    it('exits 1 when the configuration has no sigstore block', async () => {
      const c = cli();
      expect(
        await c.run(['verify-image', '127.0.0.1:5000/team/app:1', '--config', file('good.yaml')]),
      ).toBe(1);
      expect(c.stderr()).toBe(
        'attestor verify-image: no_sigstore_block: the configuration has no spec.docker.sigstore block (or give --certificate-identity and --certificate-oidc-issuer)\n',
      );
    });

    it.each([
      [['verify-image']],
      [['verify-image', 'a', 'b']],
      [['verify-image', 'a', '--output', 'yaml']],
    ])('exits 2 for %j', async (argv) => {
      expect(await cli().run(argv)).toBe(2);
    });
  });

  describe('sigstore verify-bundle', () => {
    const IDENTITY = { subject: 'https://ci.example/release', issuer: 'https://issuer.example' };

    it('exits 0 for a bundle that verifies and 5 for the wrong identity', async () => {
      const ca = await TestCertificateAuthority.create();
      const log = new TestTransparencyLog('rekor.test.invalid');
      await writeFile(
        file('trusted_root.json'),
        JSON.stringify(buildTrustedRoot({ ca, log, logBaseUrl: 'https://rekor.test.invalid' })),
      );
      await writeFile(file('artifact.txt'), 'release tarball');
      const { bundle } = await signArtifact(Buffer.from('release tarball'), IDENTITY, ca, log);
      await writeFile(file('artifact.sigstore.json'), JSON.stringify(bundle));
      const args = (identity: string) => [
        'sigstore',
        'verify-bundle',
        '--bundle',
        file('artifact.sigstore.json'),
        '--certificate-identity',
        identity,
        '--certificate-oidc-issuer',
        IDENTITY.issuer,
        '--trusted-root',
        file('trusted_root.json'),
        file('artifact.txt'),
      ];
      const good = cli();
      expect(await good.run(args(IDENTITY.subject))).toBe(0);
      expect(good.stdout()).toBe('verified\n');
      const bad = cli();
      expect(await bad.run(args('https://ci.example/other'))).toBe(5);
      expect(bad.stderr()).toMatch(
        /^attestor sigstore verify-bundle: identity_mismatch: not verified: the bundle was signed by .* not the expected identity\n$/,
      );
    });

    it('exits 3, naming the mirror, when the public trusted root cannot be fetched', async () => {
      await writeFile(file('k.pem'), 'not a key');
      await writeFile(file('b.json'), '{}');
      const c = cli();
      // The public TUF repository is not reachable from these machines.
      expect(
        await c.run([
          'sigstore',
          'verify-bundle',
          '--bundle',
          file('b.json'),
          '--key',
          file('k.pem'),
          file('b.json'),
        ]),
      ).toBe(3);
      expect(c.stderr()).toContain(
        'cannot get the Sigstore trusted root through TUF from https://tuf-repo-cdn.sigstore.dev',
      );
    });

    it.each([
      [['sigstore', 'verify-bundle', 'x']],
      [
        [
          'sigstore',
          'verify-bundle',
          '--bundle',
          'b',
          '--key',
          'k',
          '--certificate-identity',
          'i',
          'x',
        ],
      ],
      [['sigstore', 'verify-bundle', '--bundle', 'b', '--certificate-identity', 'i', 'x']],
      [['sigstore', 'sign']],
    ])('exits 2 for %j', async (argv) => {
      expect(await cli().run(argv)).toBe(2);
    });
  });
});

describe('sigstore trusted-root', () => {
  it('prints the trusted root a TUF repository serves, verified against its root.json', async () => {
    const ca = await TestCertificateAuthority.create();
    const log = new TestTransparencyLog('rekor.test.invalid');
    const trustedRoot = JSON.stringify(
      buildTrustedRoot({ ca, log, logBaseUrl: 'https://rekor.test.invalid' }),
    );
    const repository = await TestTufRepository.start(trustedRoot);
    const dir = await mkdtemp(join(tmpdir(), 'attestor-cli-tuf-'));
    try {
      await writeFile(join(dir, 'root.json'), repository.rootJson);
      const c = cli();
      expect(
        await c.run([
          'sigstore',
          'trusted-root',
          '--tuf-mirror',
          repository.url,
          '--tuf-root',
          join(dir, 'root.json'),
        ]),
      ).toBe(0);
      // The same trust material (the protobuf JSON form leaves out the empty lists).
      const { ctlogs, timestampAuthorities, ...material } = JSON.parse(trustedRoot) as Record<
        string,
        unknown
      >;
      expect([ctlogs, timestampAuthorities]).toStrictEqual([[], []]);
      expect(JSON.parse(c.stdout())).toStrictEqual(material);
    } finally {
      await repository.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('exits 3 when the repository cannot be reached, naming it', async () => {
    const c = cli();
    expect(
      await c.run(['sigstore', 'trusted-root', '--tuf-mirror', 'http://127.0.0.1:9', '-o', 'json']),
    ).toBe(2);
    const d = cli();
    expect(await d.run(['sigstore', 'trusted-root', '--tuf-mirror', 'http://127.0.0.1:9'])).toBe(3);
    expect(d.stderr()).toContain('attestor sigstore trusted-root: network_error: ');
    expect(d.stderr()).toContain('http://127.0.0.1:9');
  });
});

describe('the command-line conventions', () => {
  function plain() {
    const out: string[] = [];
    const err: string[] = [];
    const container = createCliContainer({
      version: '9.9.9',
      output: { stdout: (text) => out.push(text), stderr: (text) => err.push(text) },
      defaultConfigPath: '/nonexistent/agent.yaml',
    });
    return {
      run: (argv: string[]) => container.get(Cli).run(argv),
      stdout: () => out.join(''),
      stderr: () => err.join(''),
    };
  }

  const COMMANDS = [
    'config validate',
    'attest',
    'verify-image',
    'sigstore verify-bundle',
    'sigstore trusted-root',
    'policy check',
    'locate',
    'svid fetch',
    'svid jwt',
    'svid validate',
    'agent status',
    'agent attest',
  ];

  it.each(COMMANDS)('answers --help, -h and help alike for %s, exit 0', async (name) => {
    const words = name.split(' ');
    const answers: string[] = [];
    for (const argv of [
      [...words, '--help'],
      [...words, '-h'],
      ['help', ...words],
    ]) {
      const c = plain();
      expect(await c.run(argv)).toBe(0);
      expect(c.stderr()).toBe('');
      answers.push(c.stdout());
    }
    expect(answers[0]).toMatch(new RegExp(`^Usage: attestor ${name}( [A-Z_.]+)? \\[options\\]\\n`));
    expect(answers[0]).toContain('-h, --help');
    expect(new Set(answers).size).toBe(1);
  });

  it('lists every command in the global help', async () => {
    const c = plain();
    expect(await c.run(['help'])).toBe(0);
    for (const name of COMMANDS) expect(c.stdout()).toContain(`  ${name} `);
  });

  it('prints the version for "version" and "--version", and as JSON', async () => {
    for (const argv of [['version'], ['--version']]) {
      const c = plain();
      expect(await c.run(argv)).toBe(0);
      expect(c.stdout()).toBe('9.9.9\n');
    }
    const c = plain();
    expect(await c.run(['version', '-o', 'json'])).toBe(0);
    expect(JSON.parse(c.stdout())).toStrictEqual({ version: '9.9.9' });
  });

  it('takes -c for --config and -o for --output', async () => {
    const c = plain();
    expect(
      await c.run([
        'policy',
        'check',
        '--issuer',
        'i',
        '--subject',
        's',
        '-c',
        '/nope.yaml',
        '-o',
        'json',
      ]),
    ).toBe(3);
    expect(JSON.parse(c.stdout())).toStrictEqual({
      error: { code: 'file_not_found', message: '/nope.yaml: no such file' },
    });
    expect(c.stderr()).toBe('');
  });

  it('gives usage errors as JSON when JSON is asked for', async () => {
    const c = plain();
    expect(await c.run(['locate', '--bogus', '--output=json'])).toBe(2);
    const { error } = JSON.parse(c.stdout()) as { error: { code: string; message: string } };
    expect(error.code).toBe('usage');
    expect(error.message).toContain("'--bogus'");
  });

  it('keeps errors on stderr where JSON is only the default output', async () => {
    const c = plain();
    expect(await c.run(['attest', '--pid', '1', '--config', '/nope.yaml'])).toBe(3);
    expect(c.stdout()).toBe('');
    expect(c.stderr()).toBe('attestor attest: file_not_found: /nope.yaml: no such file\n');
  });

  it.each([
    ['--certificate-identity-regexp', '--certificate-identity'],
    ['--certificate-oidc-issuer-regexp', '--certificate-oidc-issuer'],
  ])('refuses cosign’s %s with a pointer to globs', async (flag, instead) => {
    const c = plain();
    expect(await c.run(['verify-image', 'registry.example/app:1', flag, '.*'])).toBe(2);
    expect(c.stderr()).toContain(
      `${flag} is not supported: attestor matches signers with anchored globs`,
    );
    expect(c.stderr()).toContain(`give the pattern to ${instead}`);
  });

  it('refuses one of --certificate-identity and --certificate-oidc-issuer without the other', async () => {
    const c = plain();
    expect(
      await c.run(['verify-image', 'registry.example/app:1', '--certificate-identity', 'x']),
    ).toBe(2);
    expect(c.stderr()).toContain(
      '--certificate-identity and --certificate-oidc-issuer go together',
    );
  });

  it('documents in the README the exit codes every command follows', async () => {
    const readme = await readFile(join(import.meta.dirname, '..', '..', '..', 'README.md'), 'utf8');
    const table = readme.slice(readme.indexOf('| exit code | meaning |'));
    const codes = [...table.slice(0, table.indexOf('\n\n')).matchAll(/^\| (\d+) \|/gm)].map(
      (match) => Number(match[1]),
    );
    expect(codes).toStrictEqual(EXIT_CODE_TABLE.map(([code]) => code));
  });
});
