import { createHash, randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { type AddressInfo, connect, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import {
  buildTrustedRoot,
  publishCosignArtifacts,
  type PublishOptions,
  TestCertificateAuthority,
  TestCtLog,
  TestRekorServer,
  TestTransparencyLog,
  TestTufRepository,
} from '@attestor/sigstore-test-stack';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

import { e2eEnvironment } from './environment.js';
import { writeBusyboxImageContext } from './images.js';
import {
  AGENT_BIN,
  Background,
  CLI_BIN,
  dockerCli,
  freePort,
  getJson,
  NODE,
  run,
  startPrometheus,
} from './processes.js';

const ISSUER = 'https://token.actions.githubusercontent.com';
const SUBJECT = 'https://github.com/myorg/app/.github/workflows/release.yaml@refs/heads/main';

interface AttestBody {
  readonly kind?: string;
  readonly containerId?: string;
  readonly attributes?: Record<string, string>;
}

/**
 * Sigstore verification end to end: an image pushed to the real registry, signed with the
 * offline Sigstore stack in cosign's formats, run by the real Docker, attested by the built
 * agent.
 */
describe('Sigstore image verification through the agent', { timeout: 180_000 }, () => {
  const environment = e2eEnvironment();
  const registry = environment.registry;
  const repository = `attestor-e2e/signed-${randomUUID().slice(0, 8)}`;
  const reference = `${registry}/${repository}:1`;
  let dir = '';
  let configPath = '';
  let metricsPort = 0;
  let apiSocket = '';
  let agent: Background | undefined;
  let containerId = '';
  let pid = 0;
  let ca: TestCertificateAuthority;
  let log: TestTransparencyLog;
  let rekor: TestRekorServer;
  const containers: string[] = [];

  /**
   * Builds a distinct image (a label makes the digest its own), pushes it, and attaches what
   * `options` asks for in cosign's formats. Returns the repo digest.
   */
  async function publish(ref: string, variant: string, options: PublishOptions): Promise<string> {
    const context = join(dir, `image-${variant}`);
    await writeBusyboxImageContext(context, environment.busybox, variant);
    await docker('build', '-q', '-t', ref, context);
    await docker('push', '-q', ref);
    const repoDigest = await docker(
      'image',
      'inspect',
      '--format',
      '{{index .RepoDigests 0}}',
      ref,
    );
    const imageDigest = repoDigest.slice(repoDigest.indexOf('@') + 1);
    const repo = repoDigest.slice(registry.length + 1, repoDigest.indexOf('@'));
    await publishCosignArtifacts(
      registry,
      repo,
      imageDigest,
      { subject: SUBJECT, issuer: ISSUER },
      ca,
      log,
      options,
    );
    return imageDigest;
  }

  /**
   * Rewrites the configuration and waits until the agent has applied exactly the new text (its
   * SHA-256 in the "configuration applied" line), so that a reload which read the file earlier
   * cannot pass for this one. Exactly one reload happens: the file watcher's when the content
   * changed, a SIGHUP's when it did not.
   */
  async function reloadWith(write: () => Promise<void>): Promise<void> {
    const previous = await readFile(configPath).catch(() => Buffer.alloc(0));
    const offset = (agent?.stderr ?? '').length;
    await write();
    const text = await readFile(configPath);
    const sha256 = createHash('sha256').update(text).digest('hex');
    if (text.equals(previous)) agent?.child.kill('SIGHUP');
    await vi.waitFor(
      () => {
        expect((agent?.stderr ?? '').slice(offset)).toContain(`"configSha256":"${sha256}"`);
      },
      { timeout: 10_000 },
    );
  }

  /** Starts a container of `ref` and returns its init PID. */
  async function start(ref: string): Promise<number> {
    const id = await docker('run', '-d', ref);
    containers.push(id);
    return Number(await docker('inspect', '--format', '{{.State.Pid}}', id));
  }

  async function attestPid(target: number): Promise<AttestBody> {
    return (await getJson(apiSocket, `/v1/attest?pid=${String(target)}`)).body as AttestBody;
  }
  /** The agent's /metrics text, through its API socket. */
  const scrape = async (): Promise<string> =>
    (await run('curl', ['-s', '--unix-socket', apiSocket, 'http://agent/metrics'])).stdout;
  const docker = dockerCli(environment.dockerSocket);
  const writeConfig = (subjects: readonly string[], skipProvenance: boolean) =>
    writeFile(
      configPath,
      [
        'section: WorkloadAttestation',
        'schema: v1',
        'spec:',
        '  docker:',
        '    enabled: true',
        '    sigstore:',
        '      enabled: true',
        '      allowedIdentities:',
        `        "${ISSUER}": [${subjects.map((subject) => JSON.stringify(subject)).join(', ')}]`,
        `      skipProvenance: ${String(skipProvenance)}`,
        `      rekorURL: ${rekor.url}`,
        `      trustedRootPath: ${join(dir, 'trusted_root.json')}`,
        '      verificationTimeout: 10s',
        '      registries:',
        `        "${registry}": { insecure: true }`,
        '---',
        'section: Agent',
        'schema: v1',
        'spec:',
        `  apiSocketPath: ${apiSocket}`,
        `  metricsListenAddress: 127.0.0.1:${String(metricsPort)}`,
        '---',
        // An identity that only a verified signature can give.
        'section: WorkloadIdentity',
        'schema: v1',
        'spec:',
        '  trustDomain: e2e.test',
        `  workloadApiSocketPath: ${join(dir, 'workload', 'api.sock')}`,
        `  stateDirectory: ${join(dir, 'state')}`,
        "  pathTemplate: '/signed/{{docker.image.signature.log_index}}'",
        '',
      ].join('\n'),
    );
  const attest = async (): Promise<AttestBody> =>
    (await getJson(apiSocket, `/v1/attest?pid=${String(pid)}`)).body as AttestBody;
  const signatureAttributes = (body: AttestBody) =>
    Object.fromEntries(
      Object.entries(body.attributes ?? {}).filter(([name]) =>
        name.startsWith('docker.image.signature.'),
      ),
    );

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'attestor-e2e-sigstore-'));
    configPath = join(dir, 'agent.yaml');
    metricsPort = await freePort();
    apiSocket = join(dir, 'agent.sock');
    // Like the public Sigstore root, this one lists a CT log: every certificate must embed an SCT.
    const ctLog = new TestCtLog();
    ca = await TestCertificateAuthority.create(undefined, { ctLog });
    log = new TestTransparencyLog('rekor.test.invalid');
    rekor = await TestRekorServer.start(log, ca);
    await writeFile(
      join(dir, 'trusted_root.json'),
      JSON.stringify(
        buildTrustedRoot({ ca, log, ctLog, logBaseUrl: 'https://rekor.test.invalid' }),
      ),
    );
    await publish(reference, 'signed', { signature: 'valid', provenance: true });

    containerId = await docker('run', '-d', reference);
    pid = Number(await docker('inspect', '--format', '{{.State.Pid}}', containerId));
    await writeConfig([SUBJECT], false);
    // The agent trusts the loopback Rekor's certificate the standard Node way.
    await writeFile(join(dir, 'rekor-ca.pem'), ca.rootPem);
    agent = new Background(NODE, [AGENT_BIN, '--config', configPath], {
      NODE_EXTRA_CA_CERTS: join(dir, 'rekor-ca.pem'),
    });
    await agent.waitForLog('"msg":"agent started"');
  }, 300_000);

  afterAll(async () => {
    if (containerId !== '') await docker('rm', '-f', containerId).catch(() => undefined);
    if (containers.length > 0) await docker('rm', '-f', ...containers).catch(() => undefined);
    await docker('rmi', reference).catch(() => undefined);
    if (agent !== undefined) {
      agent.child.kill('SIGTERM');
      await agent.exited;
    }
    await rekor.stop().catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  });

  it('emits every signature attribute for a signed image with provenance', async () => {
    const body = await attest();
    expect(body.kind).toBe('attested');
    expect(signatureAttributes(body)).toMatchObject({
      'docker.image.signature.subject': SUBJECT,
      'docker.image.signature.issuer': ISSUER,
      'docker.image.signature.value': expect.any(String) as unknown,
      'docker.image.signature.log_id': expect.stringMatching(/^[0-9a-f]{64}$/) as unknown,
      'docker.image.signature.log_index': expect.stringMatching(/^\d+$/) as unknown,
      'docker.image.signature.integrated_time': expect.stringMatching(/^\d+$/) as unknown,
      'docker.image.signature.signed_entry_timestamp': expect.any(String) as unknown,
    });
    // Readiness names the trusted root the configuration loaded.
    expect(await getJson(apiSocket, '/readyz')).toMatchObject({
      status: 200,
      body: {
        sigstore: {
          enabled: true,
          trustedRoot: { source: 'file', path: join(dir, 'trusted_root.json'), state: 'loaded' },
        },
      },
    });
    expect(await getJson(apiSocket, `/v1/identity?pid=${String(pid)}`)).toStrictEqual({
      status: 200,
      body: {
        pid,
        containerId: body.containerId,
        spiffeId: `spiffe://e2e.test/signed/${String(body.attributes?.['docker.image.signature.log_index'])}`,
      },
    });
  });

  it('verifies the image with attestor verify-image, and exits 0 only when verified', async () => {
    const verified = await run(NODE, [
      CLI_BIN,
      'verify-image',
      reference,
      '--config',
      configPath,
      '--output',
      'json',
    ]);
    expect(verified.stderr).toBe('');
    expect(verified.code).toBe(0);
    expect(JSON.parse(verified.stdout)).toMatchObject({
      result: 'verified',
      signer: { subject: SUBJECT, issuer: ISSUER },
      provenanceSigner: { subject: SUBJECT, issuer: ISSUER },
      attributes: { 'docker.image.signature.subject': SUBJECT },
    });
    const missing = await run(NODE, [
      CLI_BIN,
      'verify-image',
      `${registry}/${repository}:missing`,
      '--config',
      configPath,
    ]);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toContain('is not an image reference the registry knows');
  });

  it('verifies with cosign’s flags and no configuration file, and exits 5 for another signer', async () => {
    const flags = (identity: string) => [
      CLI_BIN,
      'verify-image',
      reference,
      '--certificate-identity',
      identity,
      '--certificate-oidc-issuer',
      ISSUER,
      '--trusted-root',
      join(dir, 'trusted_root.json'),
      '--rekor-url',
      rekor.url,
      '--allow-http-registry',
      '-o',
      'json',
    ];
    const verified = await run(NODE, flags(SUBJECT));
    expect(verified.stderr).toBe('');
    expect(verified.code).toBe(0);
    expect(JSON.parse(verified.stdout)).toMatchObject({
      result: 'verified',
      signer: { subject: SUBJECT, issuer: ISSUER },
    });
    const other = await run(NODE, flags('https://github.com/other/repo/.github/workflows/*'));
    expect(other.code).toBe(5);
    expect(JSON.parse(other.stdout)).toMatchObject({ result: 'identity_mismatch' });
  });

  it('gets the trusted root through TUF when no trustedRootPath is set', async () => {
    const repository = await TestTufRepository.start(
      await readFile(join(dir, 'trusted_root.json'), 'utf8'),
    );
    try {
      await writeFile(join(dir, 'tuf-root.json'), repository.rootJson);
      const tufConfig = join(dir, 'tuf.yaml');
      await writeFile(
        tufConfig,
        (await readFile(configPath, 'utf8')).replace(
          `      trustedRootPath: ${join(dir, 'trusted_root.json')}`,
          `      tufMirrorURL: ${repository.url}\n      tufRootPath: ${join(dir, 'tuf-root.json')}\n      tufCachePath: ${join(dir, 'tuf-cache')}`,
        ),
      );
      const verified = await run(
        NODE,
        [CLI_BIN, 'verify-image', reference, '--config', tufConfig, '--output', 'json'],
        60_000,
        {
          NODE_EXTRA_CA_CERTS: join(dir, 'rekor-ca.pem'),
        },
      );
      expect(verified.stderr).toBe('');
      expect(JSON.parse(verified.stdout)).toMatchObject({
        result: 'verified',
        signer: { subject: SUBJECT },
      });
    } finally {
      await repository.stop();
    }
  });

  it('serves the second attestation from the cache, as the metrics show', async () => {
    // Standalone: a reload empties the cache, and only what this test does is counted.
    await reloadWith(() => writeConfig([SUBJECT], false));
    const count = (text: string, pattern: RegExp): number =>
      Number(pattern.exec(text)?.[1] ?? Number.NaN);
    const hits =
      /spirl_agent_sigstore_verification_cache_total\{result="hit",attestor="docker"\} (\d+)/;
    const verified =
      /spirl_agent_sigstore_image_verification_total\{result="verified",attestor="docker"\} (\d+)/;
    const signatureCounts = /spirl_agent_sigstore_signature_count_count\{attestor="docker"\} (\d+)/;
    const before = await scrape();
    await attest();
    await attest();
    const after = await scrape();
    expect(count(after, verified) - (count(before, verified) || 0)).toBe(1);
    expect(count(after, signatureCounts) - (count(before, signatureCounts) || 0)).toBe(1);
    expect(count(after, hits) - (count(before, hits) || 0)).toBe(1);
  });

  it('drops the cache on reload: the next attestation verifies the image again', async () => {
    const metric = async (pattern: RegExp): Promise<number> => {
      // A series that has no sample yet (this test run alone) counts 0.
      return Number(pattern.exec(await scrape())?.[1] ?? 0);
    };
    const verified =
      /spirl_agent_sigstore_image_verification_total\{result="verified",attestor="docker"\} (\d+)/;
    const misses =
      /spirl_agent_sigstore_verification_cache_total\{result="miss",attestor="docker"\} (\d+)/;
    const [verifiedBefore, missesBefore] = [await metric(verified), await metric(misses)];
    // The same policy, rewritten: the reload alone must drop the cached success.
    await reloadWith(() => writeConfig([SUBJECT], false));
    expect(signatureAttributes(await attest())).toHaveProperty(
      'docker.image.signature.subject',
      SUBJECT,
    );
    expect(await metric(verified)).toBe(verifiedBefore + 1);
    expect(await metric(misses)).toBe(missesBefore + 1);
  });

  it('emits the signature attributes for a cosign v3 signature (a bundle referrer, no legacy signature)', async () => {
    const ref = `${registry}/${repository}-v3:1`;
    await publish(ref, 'v3', { signature: 'none', bundleSignature: true, provenance: true });
    try {
      const body = await attestPid(await start(ref));
      expect(signatureAttributes(body)).toMatchObject({
        'docker.image.signature.subject': SUBJECT,
        'docker.image.signature.log_index': expect.stringMatching(/^\d+$/) as unknown,
      });
    } finally {
      await docker('rmi', '-f', ref).catch(() => undefined);
    }
  });

  it.each([
    ['v0.2', 'legacy .att', { legacyProvenance: true, provenance: false }],
    ['v0.2', 'v3 bundle', { legacyProvenance: false, provenance: true }],
    ['v1', 'legacy .att', { legacyProvenance: true, provenance: false }],
  ] as const)(
    'emits the signature attributes for SLSA provenance %s in the cosign %s format',
    async (version, _format, where) => {
      const variant = `prov-${version.replace('.', '')}-${where.legacyProvenance ? 'att' : 'v3'}`;
      const ref = `${registry}/${repository}-${variant}:1`;
      await publish(ref, variant, { signature: 'valid', provenanceVersion: version, ...where });
      try {
        const body = await attestPid(await start(ref));
        expect(signatureAttributes(body)).toHaveProperty(
          ['docker.image.signature.subject'],
          SUBJECT,
        );
      } finally {
        await docker('rmi', '-f', ref).catch(() => undefined);
      }
    },
  );

  it.each([
    ['an unsigned image', 'unsigned', { signature: 'none', provenance: false }, 'not_signed'],
    [
      'a signed image without provenance',
      'noprov',
      { signature: 'valid', provenance: false },
      'not_signed',
    ],
    ['a tampered signature', 'tampered', { signature: 'tampered', provenance: true }, 'error'],
  ] as const)(
    'attests %s without signature attributes, counting the result',
    async (_name, variant, options, result) => {
      const ref = `${registry}/${repository}-${variant}:1`;
      const imageDigest = await publish(ref, variant, options);
      try {
        const target = await start(ref);
        const body = await attestPid(target);
        expect(body.kind).toBe('attested');
        expect(signatureAttributes(body)).toStrictEqual({});
        // Attestation is fail-open; an identity built from a signature attribute is not.
        expect(await getJson(apiSocket, `/v1/identity?pid=${String(target)}`)).toMatchObject({
          status: 422,
          body: {
            error: { code: 'missing_attribute', attribute: 'docker.image.signature.log_index' },
          },
        });
        expect(agent?.stderr).toContain(
          `"image":"${registry}/${repository}-${variant}@${imageDigest}","result":"${result}"`,
        );
        expect(await scrape()).toMatch(
          new RegExp(
            `spirl_agent_sigstore_image_verification_total\\{result="${result}",attestor="docker"\\} [1-9]`,
          ),
        );
      } finally {
        await docker('rmi', '-f', ref).catch(() => undefined);
      }
    },
  );

  it('fails keyless signatures when skipTransparencyLog is true, as the specification warns', async () => {
    await reloadWith(async () => {
      await writeFile(
        configPath,
        (await readFile(configPath, 'utf8')).replace(
          '      skipProvenance: false',
          '      skipProvenance: false\n      skipTransparencyLog: true',
        ),
      );
    });
    await vi.waitFor(
      async () => {
        expect(signatureAttributes(await attest())).toStrictEqual({});
      },
      { timeout: 15_000, interval: 250 },
    );
    await reloadWith(() => writeConfig([SUBJECT], false));
    await vi.waitFor(
      async () => {
        expect(signatureAttributes(await attest())).toHaveProperty(
          ['docker.image.signature.subject'],
          SUBJECT,
        );
      },
      { timeout: 15_000, interval: 250 },
    );
  });

  it('omits every signature attribute when the signer is not allowed (after a reload)', async () => {
    await reloadWith(() => writeConfig(['https://github.com/other/*'], false));
    await vi.waitFor(
      async () => {
        const body = await attest();
        expect(body.kind).toBe('attested');
        expect(signatureAttributes(body)).toStrictEqual({});
      },
      { timeout: 15_000, interval: 250 },
    );
    expect(agent?.stderr).toContain('"result":"identity_mismatch"');
  });

  it('gives up at the verification deadline when the registry stalls, and still attests; a caller that hangs up cancels', async () => {
    // A TCP proxy in front of the registry, so that an image can be pushed through it and the
    // proxy then made to stall (accept connections, never answer).
    let stalled = false;
    const sockets = new Set<Socket>();
    const proxy = createServer((client) => {
      sockets.add(client);
      client.on('close', () => sockets.delete(client));
      if (stalled) return;
      const upstream = connect(5000, '127.0.0.1');
      sockets.add(upstream);
      client.pipe(upstream).pipe(client);
      upstream.on('error', () => client.destroy());
      client.on('error', () => upstream.destroy());
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const proxyHost = `127.0.0.1:${String((proxy.address() as AddressInfo).port)}`;
    const ref = `${proxyHost}/${repository}-stall:1`;
    try {
      const context = join(dir, 'image-stall');
      await writeBusyboxImageContext(context, environment.busybox, 'stall');
      await docker('build', '-q', '-t', ref, context);
      await docker('push', '-q', ref);
      const target = await start(ref);
      stalled = true;
      for (const socket of sockets) socket.destroy();
      const original = await readFile(configPath, 'utf8');
      await reloadWith(() =>
        writeFile(
          configPath,
          original
            .replace('verificationTimeout: 10s', 'verificationTimeout: 1s')
            .replace(
              '      registries:',
              `      registries:\n        "${proxyHost}": { insecure: true }`,
            ),
        ),
      );
      const started = Date.now();
      const body = await attestPid(target);
      expect(body.kind).toBe('attested');
      expect(signatureAttributes(body)).toStrictEqual({});
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(agent?.stderr).toContain('"result":"timeout"');

      // A caller that hangs up while its verification waits on the stalled registry stops
      // waiting; the verification is counted as cancelled, long before its 30 s deadline.
      await reloadWith(() =>
        writeFile(
          configPath,
          original
            .replace('verificationTimeout: 10s', 'verificationTimeout: 30s')
            .replace(
              '      registries:',
              `      registries:\n        "${proxyHost}": { insecure: true }`,
            ),
        ),
      );
      const hangUp = await run('curl', [
        '-s',
        '--max-time',
        '1',
        '--unix-socket',
        apiSocket,
        `http://agent/v1/attest?pid=${String(target)}`,
      ]);
      expect(hangUp.code).toBe(28); // curl's "operation timed out": it closed the connection
      await vi.waitFor(
        async () => {
          expect(await scrape()).toMatch(
            /spirl_agent_sigstore_image_verification_total\{result="cancelled",attestor="docker"\} 1\b/,
          );
        },
        { timeout: 5_000 },
      );
      // The shared verification itself is not over: it runs on to its deadline for other callers.
      expect(agent?.stderr.split('"result":"timeout"')).toHaveLength(2);
      await reloadWith(() => writeFile(configPath, original));
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => proxy.close(resolve));
      await docker('rmi', '-f', ref).catch(() => undefined);
    }
  });

  it('asks Rekor for the log entry of a signature that carries none, and fails open when Rekor is down', async () => {
    // Back to the allowed signer (an earlier test reloaded another policy).
    await reloadWith(() => writeConfig([SUBJECT], false));
    const ref = `${registry}/${repository}-rekor:1`;
    await publish(ref, 'rekor', { signature: 'valid', provenance: true, rekorAnnotation: false });
    const target = await start(ref);
    try {
      expect(signatureAttributes(await attestPid(target))).toHaveProperty(
        ['docker.image.signature.subject'],
        SUBJECT,
      );
      const downRef = `${registry}/${repository}-rekordown:1`;
      const downDigest = await publish(downRef, 'rekordown', {
        signature: 'valid',
        provenance: true,
        rekorAnnotation: false,
      });
      await rekor.stop();
      const body = await attestPid(await start(downRef));
      expect(body.kind).toBe('attested');
      expect(signatureAttributes(body)).toStrictEqual({});
      expect(agent?.stderr).toContain(
        `"image":"${registry}/${repository}-rekordown@${downDigest}","result":"network_error"`,
      );
      await docker('rmi', '-f', downRef).catch(() => undefined);
    } finally {
      await docker('rmi', '-f', ref).catch(() => undefined);
    }
  });

  it('lets a real Prometheus scrape all four Sigstore metrics', async () => {
    // Two attestations of a signed image: a verification (or, when an earlier one is still
    // cached, a cache hit) by this test itself, so every metric has a sample without it.
    await attest();
    await attest();
    const prometheus = await startPrometheus(dir, metricsPort);
    await using server = prometheus.server;
    const names = [
      'spirl_agent_sigstore_image_verification_total',
      'spirl_agent_sigstore_image_verification_duration_seconds_count',
      'spirl_agent_sigstore_signature_count_count',
      'spirl_agent_sigstore_verification_cache_total',
    ];
    await vi.waitFor(
      async () => {
        expect(server.child.exitCode).toBeNull();
        for (const name of names) {
          const result = await prometheus.query(name);
          expect(result.length, name).toBeGreaterThan(0);
          expect(
            result.every((sample) => sample.metric['attestor'] === 'docker'),
            name,
          ).toBe(true);
        }
      },
      { timeout: 60_000, interval: 500 },
    );
  });
});
