import { spawn } from 'node:child_process';
import { chmod, copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { e2eEnvironment, runtimeAccess, type RuntimeUnderTest } from './environment.js';
import { AGENT_BIN, Background, CLI_BIN, NODE, run } from './processes.js';

/**
 * The SPIFFE Workload API as a workload sees it: a client that is not the agent's code and
 * not its gRPC library (buf curl, a static Go binary on connect-go, in a FROM scratch image)
 * runs inside real Docker, rootful Podman and rootless Podman containers, with the agent's
 * socket directory mounted read-only. What it receives is checked by openssl and by Python's
 * PyJWT (Debian's python3-jwt), not by this code.
 */

const ROOT = join(import.meta.dirname, '..', '..');
const BUF = join(
  dirname(createRequire(import.meta.url).resolve('@bufbuild/buf-linux-x64/package.json')),
  'bin',
  'buf',
);
const PROTO = join(ROOT, 'packages', 'workload-api', 'proto', 'workload.proto');
const CLIENT_IMAGE = 'attestor-e2e-spiffe-client:1';
const PYTHON = '/usr/bin/python3';
const TRUST_DOMAIN = 'example.org';

/** The pretty-printed JSON messages buf curl writes one after another. */
function messages(stdout: string): Record<string, unknown>[] {
  return stdout
    .split(/^\}$/m)
    .map((part) => part.trim())
    .filter((part) => part !== '')
    .map((part) => JSON.parse(`${part}\n}`) as Record<string, unknown>);
}

interface X509SvidMessage {
  readonly spiffeId: string;
  readonly x509Svid: string;
  readonly x509SvidKey: string;
  readonly bundle: string;
  readonly hint?: string;
}

function svidsOf(message: Record<string, unknown> | undefined): X509SvidMessage[] {
  return (message?.['svids'] ?? []) as X509SvidMessage[];
}

describe('the SPIFFE Workload API in real containers', { timeout: 180_000 }, () => {
  const environment = e2eEnvironment();
  let dir = '';
  let configPath = '';
  let agent: Background | undefined;
  let socketDirectory = '';

  const config = (options: { ttl?: string; paymentsPath?: string } = {}) =>
    [
      'section: WorkloadAttestation',
      'schema: v1',
      'spec:',
      '  docker:',
      '    enabled: true',
      '---',
      'section: Agent',
      'schema: v1',
      'spec:',
      `  apiSocketPath: ${join(dir, 'agent.sock')}`,
      '---',
      'section: WorkloadIdentity',
      'schema: v1',
      'spec:',
      `  trustDomain: ${TRUST_DOMAIN}`,
      `  workloadApiSocketPath: ${join(socketDirectory, 'api.sock')}`,
      `  stateDirectory: ${join(dir, 'state')}`,
      `  x509SvidTtl: ${options.ttl ?? '1h'}`,
      '  identities:',
      '    - name: payments',
      '      match:',
      `        'docker.container.label["com.example.app"]': payments`,
      `      pathTemplate: '${options.paymentsPath ?? '/workloads/{{docker.container.label["com.example.app"]}}'}'`,
      '      x509Subject: { organization: Example }',
      `      jwtClaims: { team: '{{docker.container.label["com.example.team"]}}' }`,
      // Sigstore is off here, so this identity's template can never render.
      '    - name: signed',
      '      match:',
      `        'docker.container.label["com.example.app"]': signed`,
      `      pathTemplate: '/signed/{{docker.image.signature.subject | segment}}'`,
      // The only identity a rootless user's containers can get: named after that user.
      '    - name: rootless',
      '      match:',
      '        docker.runtime: podman-rootless',
      `        docker.runtime.owner_uid: ${String(environment.rootlessUid)}`,
      `      pathTemplate: '/rootless/{{docker.runtime.owner_uid}}/{{docker.container.label["com.example.app"]}}'`,
      '',
    ].join('\n');

  async function startAgent(): Promise<Background> {
    const started = new Background(NODE, [AGENT_BIN, '--config', configPath]);
    await started.waitForLog('"msg":"agent started"');
    return started;
  }

  async function stopAgent(): Promise<void> {
    if (agent === undefined) return;
    agent.child.kill('SIGTERM');
    expect(await agent.exited).toBe(0);
    agent = undefined;
  }

  /** `buf curl` arguments for one Workload API call over the socket at `socket`. */
  function curlArgs(
    socket: string,
    method: string,
    options: {
      data?: unknown;
      timeout?: string;
      header?: boolean;
      /** The proto to read the schema from; `reflection` asks the server instead. */
      schema?: string;
      service?: string;
    } = {},
  ): string[] {
    return [
      ...(options.timeout === undefined ? [] : ['--timeout', options.timeout]),
      'curl',
      '--protocol',
      'grpc',
      '--http2-prior-knowledge',
      '--unix-socket',
      socket,
      ...(options.schema === 'reflection'
        ? []
        : ['--schema', options.schema ?? '/proto/workload.proto']),
      ...(options.header === false ? [] : ['-H', 'workload.spiffe.io: true']),
      ...(options.data === undefined ? [] : ['--data', JSON.stringify(options.data)]),
      `http://localhost/${options.service ?? 'SpiffeWorkloadAPI'}/${method}`,
    ];
  }

  /** The runtime CLI's `run` of the client in a new container with `labels`. */
  function runArgs(runtime: RuntimeUnderTest, labels: Record<string, string>): string[] {
    return [
      ...runtimeAccess(runtime, environment).cli.slice(1),
      'run',
      '--rm',
      '--network=none',
      '-v',
      `${socketDirectory}:/run/spiffe:ro`,
      '-e',
      'SPIFFE_ENDPOINT_SOCKET=unix:///run/spiffe/api.sock',
      ...Object.entries(labels).flatMap(([key, value]) => ['--label', `${key}=${value}`]),
      CLIENT_IMAGE,
    ];
  }

  /** Calls `method` from inside a new container of `runtime`. */
  async function fromContainer(
    runtime: RuntimeUnderTest,
    labels: Record<string, string>,
    method: string,
    options: Parameters<typeof curlArgs>[2] = {},
  ) {
    const [command] = runtimeAccess(runtime, environment).cli;
    return run(
      command ?? 'false',
      [...runArgs(runtime, labels), ...curlArgs('/run/spiffe/api.sock', method, options)],
      120_000,
    );
  }

  const PAYMENTS = { 'com.example.app': 'payments', 'com.example.team': 'billing' };

  async function pem(name: string, base64: string, kind: 'x509' | 'pkey'): Promise<string> {
    const der = join(dir, `${name}.der`);
    const out = join(dir, `${name}.pem`);
    await writeFile(der, Buffer.from(base64, 'base64'));
    const converted = await run('openssl', [kind, '-inform', 'der', '-in', der, '-out', out]);
    expect(converted.code, converted.stderr).toBe(0);
    return out;
  }

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'attestor-e2e-workload-api-'));
    // The rootless user's Podman mounts the socket directory: it must be able to reach it.
    await chmod(dir, 0o755);
    socketDirectory = join(dir, 'workload');
    configPath = join(dir, 'agent.yaml');
    const context = join(dir, 'client');
    await mkdir(join(context, 'proto'), { recursive: true });
    await copyFile(BUF, join(context, 'buf'));
    await copyFile(PROTO, join(context, 'proto', 'workload.proto'));
    await writeFile(
      join(context, 'Dockerfile'),
      'FROM scratch\nCOPY buf /buf\nCOPY proto /proto\nENV HOME=/ BUF_CACHE_DIR=/\nENTRYPOINT ["/buf"]\n',
    );
    for (const runtime of ['docker', 'podman', 'podman-rootless'] as const) {
      const [command, ...prefix] = runtimeAccess(runtime, environment).cli;
      const built = await run(
        command ?? 'false',
        [...prefix, 'build', '-t', CLIENT_IMAGE, context],
        240_000,
      );
      expect(built.code, `${runtime} build: ${built.stderr}`).toBe(0);
    }
    await writeFile(configPath, config());
    agent = await startAgent();
  }, 600_000);

  afterAll(async () => {
    await stopAgent();
    await rm(dir, { recursive: true, force: true });
  });

  it('gives a Docker container its X.509-SVID, chaining to the bundle (openssl)', async () => {
    const called = await fromContainer('docker', PAYMENTS, 'FetchX509SVID', { timeout: '3s' });
    const [first] = messages(called.stdout);
    const svids = svidsOf(first);
    expect(svids.map(({ spiffeId, hint }) => [spiffeId, hint])).toStrictEqual([
      [`spiffe://${TRUST_DOMAIN}/workloads/payments`, 'payments'],
    ]);
    const [svid] = svids;
    if (svid === undefined) throw new Error(`no SVID: ${called.stderr}`);
    const certificate = await pem('svid', svid.x509Svid, 'x509');
    const bundle = await pem('bundle', svid.bundle, 'x509');
    const key = await pem('key', svid.x509SvidKey, 'pkey');
    const verified = await run('openssl', ['verify', '-CAfile', bundle, certificate]);
    expect(verified.stdout.trim()).toBe(`${certificate}: OK`);
    const text = (await run('openssl', ['x509', '-noout', '-text', '-in', certificate])).stdout;
    expect(text).toContain(`URI:spiffe://${TRUST_DOMAIN}/workloads/payments`);
    expect(text).toContain('Subject: O = Example');
    // The key is the certificate's.
    const fromKey = (await run('openssl', ['pkey', '-in', key, '-pubout'])).stdout;
    const fromCertificate = (
      await run('openssl', ['x509', '-in', certificate, '-noout', '-pubkey'])
    ).stdout;
    expect(fromKey).toBe(fromCertificate);
  });

  it('gives it a JWT-SVID that PyJWT validates against the JWK Set it is served', async () => {
    const audience = 'https://api.example';
    const jwt = await fromContainer('docker', PAYMENTS, 'FetchJWTSVID', {
      data: { audience: [audience] },
    });
    expect(jwt.code, jwt.stderr).toBe(0);
    const [response] = messages(jwt.stdout);
    const [token] = ((response?.['svids'] ?? []) as { svid: string }[]).map(({ svid }) => svid);
    const bundles = await fromContainer('docker', PAYMENTS, 'FetchJWTBundles', { timeout: '3s' });
    const [bundleMessage] = messages(bundles.stdout);
    const jwks = Buffer.from(
      ((bundleMessage?.['bundles'] ?? {}) as Record<string, string>)[`spiffe://${TRUST_DOMAIN}`] ??
        '',
      'base64',
    ).toString();
    await writeFile(join(dir, 'jwks.json'), jwks);
    const script = [
      'import json, sys, jwt',
      `keys = jwt.PyJWKSet.from_json(open(${JSON.stringify(join(dir, 'jwks.json'))}).read())`,
      'token = sys.argv[1]',
      'kid = jwt.get_unverified_header(token)["kid"]',
      'key = next(k for k in keys.keys if k.key_id == kid)',
      `print(json.dumps(jwt.decode(token, key.key, algorithms=["ES256"], audience=${JSON.stringify(audience)})))`,
    ].join('\n');
    const decoded = await run(PYTHON, ['-c', script, token ?? '']);
    expect(decoded.code, decoded.stderr).toBe(0);
    expect(JSON.parse(decoded.stdout)).toMatchObject({
      sub: `spiffe://${TRUST_DOMAIN}/workloads/payments`,
      aud: audience,
      team: 'billing',
    });
    // The CLI on the host validates it through the agent (validation needs no identity).
    const endpoint = { SPIFFE_ENDPOINT_SOCKET: `unix://${join(socketDirectory, 'api.sock')}` };
    const validated = await run(
      NODE,
      [CLI_BIN, 'svid', 'validate', '--audience', audience, token ?? '', '-o', 'json'],
      30_000,
      endpoint,
    );
    expect(validated.code, validated.stderr).toBe(0);
    expect(JSON.parse(validated.stdout)).toMatchObject({
      valid: true,
      spiffeId: `spiffe://${TRUST_DOMAIN}/workloads/payments`,
    });
    const wrongAudience = await run(
      NODE,
      [CLI_BIN, 'svid', 'validate', '--audience', 'https://other.example', token ?? ''],
      30_000,
      endpoint,
    );
    expect(wrongAudience.code).toBe(5);
  });

  it('gives a rootful Podman container its X.509-SVID', async () => {
    const called = await fromContainer('podman', PAYMENTS, 'FetchX509SVID', { timeout: '3s' });
    expect(svidsOf(messages(called.stdout)[0]).map(({ spiffeId }) => spiffeId)).toStrictEqual([
      `spiffe://${TRUST_DOMAIN}/workloads/payments`,
    ]);
  });

  it("gives a rootless Podman container only its user's identity, never the rootful one it claims", async () => {
    // The label says payments; the socket that vouches for it is the user's own.
    const called = await fromContainer('podman-rootless', PAYMENTS, 'FetchX509SVID', {
      timeout: '3s',
    });
    expect(svidsOf(messages(called.stdout)[0]).map(({ spiffeId }) => spiffeId)).toStrictEqual([
      `spiffe://${TRUST_DOMAIN}/rootless/${String(environment.rootlessUid)}/payments`,
    ]);
  });

  it('denies a container that matches no identity, and a request without the metadata', async () => {
    const unmatched = await fromContainer(
      'docker',
      { 'com.example.app': 'other' },
      'FetchX509SVID',
      {
        timeout: '3s',
      },
    );
    expect(unmatched.stdout).toBe('');
    expect(unmatched.stderr).toContain('"code": "permission_denied"');
    const bare = await fromContainer('docker', PAYMENTS, 'FetchX509SVID', {
      timeout: '3s',
      header: false,
    });
    expect(bare.stderr).toContain('"code": "invalid_argument"');
  });

  it('denies a workload that lacks an attribute its identity needs, naming it', async () => {
    const called = await fromContainer('docker', { 'com.example.app': 'signed' }, 'FetchX509SVID', {
      timeout: '3s',
    });
    expect(called.stdout).toBe('');
    expect(called.stderr).toContain('"code": "permission_denied"');
    expect(called.stderr).toContain('missing attribute docker.image.signature.subject');
    expect(agent?.stderr).toContain('"identity":"signed"');
    expect(agent?.stderr).toContain('"attribute":"docker.image.signature.subject"');
  });

  it('serves gRPC reflection and health on the same socket', async () => {
    // No schema in hand: the client learns the Workload API from the server itself.
    const reflected = await fromContainer('docker', PAYMENTS, 'FetchX509SVID', {
      timeout: '3s',
      schema: 'reflection',
    });
    expect(svidsOf(messages(reflected.stdout)[0]).map(({ spiffeId }) => spiffeId)).toStrictEqual([
      `spiffe://${TRUST_DOMAIN}/workloads/payments`,
    ]);
    const health = await fromContainer('docker', {}, 'Check', {
      schema: 'reflection',
      service: 'grpc.health.v1.Health',
      header: false,
      data: { service: '' },
    });
    expect(health.code, health.stderr).toBe(0);
    expect(messages(health.stdout)).toStrictEqual([{ status: 'SERVING' }]);
  });

  it('denies a process on the host, whatever it sends', async () => {
    const fromHost = await run(
      BUF,
      curlArgs(join(socketDirectory, 'api.sock'), 'FetchJWTSVID', {
        schema: PROTO,
        data: { audience: ['a'], spiffe_id: `spiffe://${TRUST_DOMAIN}/workloads/payments` },
      }),
    );
    expect(fromHost.stdout).toBe('');
    expect(fromHost.stderr).toContain('"code": "permission_denied"');
    const cli = await run(NODE, [
      CLI_BIN,
      'svid',
      'fetch',
      '--socket',
      join(socketDirectory, 'api.sock'),
    ]);
    expect(cli.code).toBe(4);
    expect(cli.stderr).toContain('is not in a container (PermissionDenied)');
  });

  it('pushes a rotated SVID on the open stream, and a re-issued one after a reload', async () => {
    await writeFile(configPath, config({ ttl: '4s' }));
    agent?.child.kill('SIGHUP');
    await agent?.waitForLog('"msg":"configuration reloaded"');
    const [command] = runtimeAccess('docker', environment).cli;
    const stream = spawn(
      command ?? 'false',
      [
        ...runArgs('docker', PAYMENTS),
        ...curlArgs('/run/spiffe/api.sock', 'FetchX509SVID', { timeout: '12s' }),
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    stream.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const ended = new Promise((resolve) => stream.once('close', resolve));
    const waitFor = async (done: () => boolean, what: string) => {
      const deadline = Date.now() + 60_000;
      while (!done()) {
        if (Date.now() > deadline)
          throw new Error(`timed out waiting for ${what}; got:\n${stdout}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    };
    try {
      // Rotation at half the 4 s lifetime: a second message within a few seconds.
      await waitFor(() => messages(stdout).length >= 2, 'a rotated SVID');
      const [first, second] = messages(stdout);
      expect(svidsOf(second)[0]?.spiffeId).toBe(`spiffe://${TRUST_DOMAIN}/workloads/payments`);
      expect(svidsOf(second)[0]?.x509Svid).not.toBe(svidsOf(first)[0]?.x509Svid);
      // A reload that changes the identity's template re-issues on the same stream.
      await writeFile(
        configPath,
        config({ ttl: '1h', paymentsPath: '/v2/{{docker.container.label["com.example.app"]}}' }),
      );
      agent?.child.kill('SIGHUP');
      await waitFor(
        () =>
          messages(stdout).some(
            (message) => svidsOf(message)[0]?.spiffeId === `spiffe://${TRUST_DOMAIN}/v2/payments`,
          ),
        'an SVID re-issued after the reload',
      );
    } finally {
      stream.kill();
      await ended;
      await writeFile(configPath, config());
      agent?.child.kill('SIGHUP');
    }
  }, 120_000);

  it('issues nothing more to a stream whose container is stopped', async () => {
    await writeFile(configPath, config({ ttl: '4s' }));
    agent?.child.kill('SIGHUP');
    await agent?.waitForLog('"msg":"configuration reloaded"');
    const docker = runtimeAccess('docker', environment).cli;
    const [command, ...prefix] = docker;
    const name = `attestor-e2e-stream-${String(process.pid)}`;
    const args = runArgs('docker', PAYMENTS);
    const runAt = args.indexOf('run');
    const stream = spawn(
      command ?? 'false',
      [
        ...args.slice(0, runAt + 1),
        '--name',
        name,
        ...args.slice(runAt + 1),
        ...curlArgs('/run/spiffe/api.sock', 'FetchX509SVID', { timeout: '60s' }),
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    stream.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const ended = new Promise((resolve) => stream.once('close', resolve));
    try {
      const deadline = Date.now() + 60_000;
      while (messages(stdout).length < 2) {
        if (Date.now() > deadline) throw new Error(`no rotated SVID; got:\n${stdout}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const inspected = await run(command ?? 'false', [
        ...prefix,
        'inspect',
        '-f',
        '{{.State.Pid}}',
        name,
      ]);
      const pid = Number(inspected.stdout.trim());
      expect(pid).toBeGreaterThan(0);
      const issuedTo = () =>
        (agent?.stderr ?? '')
          .split('\n')
          .filter(
            (line) =>
              line.includes('"msg":"identity issued"') && line.includes(`"pid":${String(pid)},`),
          ).length;
      expect(issuedTo()).toBeGreaterThanOrEqual(2);
      const killed = await run(command ?? 'false', [...prefix, 'kill', name]);
      expect(killed.code, killed.stderr).toBe(0);
      await ended;
      const before = issuedTo();
      // Three rotation periods (2 s each, half the 4 s lifetime): a live stream would get three.
      await new Promise((resolve) => setTimeout(resolve, 6_000));
      expect(issuedTo()).toBe(before);
    } finally {
      stream.kill();
      await ended;
      await run(command ?? 'false', [...prefix, 'rm', '-f', name]);
      await writeFile(configPath, config());
      agent?.child.kill('SIGHUP');
    }
  }, 120_000);

  it('keeps its CA across a restart', async () => {
    const bundles = async () => {
      const called = await run(
        BUF,
        curlArgs(join(socketDirectory, 'api.sock'), 'FetchX509Bundles', {
          schema: PROTO,
          timeout: '2s',
        }),
      );
      const [message] = messages(called.stdout);
      return (message?.['bundles'] ?? {}) as Record<string, string>;
    };
    const before = await bundles();
    expect(Object.keys(before)).toStrictEqual([`spiffe://${TRUST_DOMAIN}`]);
    await stopAgent();
    agent = await startAgent();
    expect(await bundles()).toStrictEqual(before);
    const caKey = await readFile(join(dir, 'state', 'ca.key'), 'utf8');
    expect(caKey).toContain('BEGIN PRIVATE KEY');
  });
});
