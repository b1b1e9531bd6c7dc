import { describe, expect, it } from 'vitest';

import { type ConfigNode, formatIssue } from './config-node.js';
import { type ConfigLoadResult, loadConfig } from './load-config.js';
import { DEFAULT_AGENT_CONFIG, DEFAULT_DOCKER_CONFIG } from './model.js';
import { nearestName } from './suggest.js';

/** Builds a config tree from a plain value (no lines): the shape a YAML file would give. */
function node(value: unknown): ConfigNode {
  if (Array.isArray(value)) return { kind: 'sequence', items: value.map(node) };
  if (value !== null && typeof value === 'object') {
    return {
      kind: 'map',
      entries: Object.entries(value).map(([key, child]) => ({ key, value: node(child) })),
    };
  }
  if (
    typeof value === 'string' ||
    typeof value === 'number' ||
    typeof value === 'boolean' ||
    value === null
  ) {
    return { kind: 'scalar', value };
  }
  throw new TypeError(`cannot build a node from ${typeof value}`);
}

const attestation = (spec: unknown) => node({ section: 'WorkloadAttestation', schema: 'v1', spec });
const docker = (fields: Record<string, unknown>) => attestation({ docker: fields });

function errorsOf(result: ConfigLoadResult): string[] {
  expect(result.ok).toBe(false);
  return result.ok ? [] : result.errors.map((issue) => formatIssue(issue));
}

function configOf(result: ConfigLoadResult) {
  if (!result.ok) throw new Error(result.errors.map((issue) => formatIssue(issue)).join('\n'));
  return result.config;
}

const GITHUB = 'https://token.actions.githubusercontent.com';

describe(loadConfig, () => {
  describe('having no document', () => {
    it('returns the defaults: Docker attestation disabled', () => {
      expect(configOf(loadConfig([]))).toStrictEqual({
        docker: DEFAULT_DOCKER_CONFIG,
        agent: DEFAULT_AGENT_CONFIG,
      });
    });
  });

  describe('having the specification minimal example', () => {
    it('enables Docker with every default of the specification', () => {
      expect(configOf(loadConfig([docker({ enabled: true })])).docker).toStrictEqual({
        enabled: true,
        dockerSocketPath: 'unix:///var/run/docker.sock',
        podmanSocketPath: 'unix:///run/podman/podman.sock',
        podmanSocketPathTemplate: 'unix:///run/user/%d/podman/podman.sock',
        includeEnvVars: [],
        rootlessPodmanDiscovery: true,
        attestHostPidContainers: false,
        attestationTimeoutMs: 15_000,
      });
    });
  });

  describe('having the specification env example', () => {
    it('reads includeEnvVars', () => {
      const config = configOf(
        loadConfig([
          docker({ enabled: true, includeEnvVars: ['APP_', 'SERVICE_', 'ENVIRONMENT'] }),
        ]),
      );
      expect(config.docker.includeEnvVars).toStrictEqual(['APP_', 'SERVICE_', 'ENVIRONMENT']);
    });
  });

  describe('having the specification sigstore example', () => {
    it('reads the block with its defaults', () => {
      const config = configOf(
        loadConfig([
          docker({
            enabled: true,
            sigstore: {
              enabled: true,
              allowedIdentities: {
                [GITHUB]: [
                  'https://github.com/myorg/myrepo/.github/workflows/release.yaml@refs/heads/main',
                  'https://github.com/myorg/*/.github/workflows/release.yaml@refs/heads/main',
                ],
              },
            },
          }),
        ]),
      );
      expect(config.docker.sigstore).toStrictEqual({
        enabled: true,
        allowedIdentities: new Map([
          [
            GITHUB,
            [
              'https://github.com/myorg/myrepo/.github/workflows/release.yaml@refs/heads/main',
              'https://github.com/myorg/*/.github/workflows/release.yaml@refs/heads/main',
            ],
          ],
        ]),
        rekorURL: 'https://rekor.sigstore.dev',
        skipProvenance: false,
        skipTransparencyLog: false,
        registries: new Map(),
        verificationTimeoutMs: 10_000,
        tufMirrorURL: 'https://tuf-repo-cdn.sigstore.dev',
        tufCachePath: '/var/lib/attestor/tuf',
      });
    });

    it('reads explicit values', () => {
      const sigstore = configOf(
        loadConfig([
          docker({
            sigstore: {
              enabled: false,
              allowedIdentities: { 'https://idp.example': ['ci@example.com'] },
              rekorURL: 'https://rekor.internal.example:8443',
              skipProvenance: true,
              skipTransparencyLog: true,
            },
          }),
        ]),
      ).docker.sigstore;
      expect(sigstore).toMatchObject({
        enabled: false,
        rekorURL: 'https://rekor.internal.example:8443',
        skipProvenance: true,
        skipTransparencyLog: true,
      });
    });
  });

  describe('having the sigstore additions', () => {
    const sigstore = (fields: Record<string, unknown>) =>
      loadConfig([docker({ sigstore: { enabled: false, ...fields } })]);

    it('reads trustedRootPath, registries, dockerConfigPath and verificationTimeout', () => {
      const config = configOf(
        sigstore({
          trustedRootPath: '/etc/attestor/trusted_root.json',
          dockerConfigPath: '/root/.docker/config.json',
          verificationTimeout: '1500ms',
          registries: {
            '127.0.0.1:5000': { insecure: true },
            'registry.internal': { caFile: '/etc/ssl/internal.pem' },
          },
        }),
      ).docker.sigstore;
      expect(config).toMatchObject({
        trustedRootPath: '/etc/attestor/trusted_root.json',
        dockerConfigPath: '/root/.docker/config.json',
        verificationTimeoutMs: 1500,
      });
      expect(config?.registries).toStrictEqual(
        new Map([
          ['127.0.0.1:5000', { insecure: true }],
          ['registry.internal', { insecure: false, caFile: '/etc/ssl/internal.pem' }],
        ]),
      );
    });

    it('reads the TUF settings', () => {
      const config = configOf(
        sigstore({
          tufMirrorURL: 'http://127.0.0.1:8080',
          tufRootPath: '/etc/attestor/root.json',
          tufCachePath: '/tmp/tuf',
        }),
      ).docker.sigstore;
      expect(config).toMatchObject({
        tufMirrorURL: 'http://127.0.0.1:8080',
        tufRootPath: '/etc/attestor/root.json',
        tufCachePath: '/tmp/tuf',
      });
      expect(errorsOf(sigstore({ tufMirrorURL: 'http://tuf.example' }))).toStrictEqual([
        'spec.docker.sigstore.tufMirrorURL: must be an https URL (plain http only on loopback), got "http://tuf.example"',
      ]);
    });

    it('reads attestationTimeout, and warns when verificationTimeout is longer', () => {
      const result = loadConfig([
        docker({
          enabled: true,
          attestationTimeout: '5s',
          sigstore: {
            enabled: true,
            allowedIdentities: { 'https://issuer.example': ['me'] },
            verificationTimeout: '10s',
          },
        }),
      ]);
      expect(result.ok && result.config.docker.attestationTimeoutMs).toBe(5_000);
      expect(result.warnings.map((warning) => `${warning.path}: ${warning.message}`)).toStrictEqual(
        [
          'spec.docker.sigstore.verificationTimeout: is longer than attestationTimeout (5000 ms), which cuts every verification short',
        ],
      );
    });

    it.each([
      ['10s', 10_000],
      ['2m', 120_000],
      ['5m', 300_000],
      ['1ms', 1],
    ])('reads the duration %s', (text, ms) => {
      expect(
        configOf(sigstore({ verificationTimeout: text })).docker.sigstore?.verificationTimeoutMs,
      ).toBe(ms);
    });

    it.each([
      [
        { verificationTimeout: '10' },
        'spec.docker.sigstore.verificationTimeout: must be a duration from 1ms to 5m such as 10s or 500ms, got "10"',
      ],
      [
        { verificationTimeout: '6m' },
        'spec.docker.sigstore.verificationTimeout: must be a duration from 1ms to 5m such as 10s or 500ms, got "6m"',
      ],
      [
        { verificationTimeout: '0s' },
        'spec.docker.sigstore.verificationTimeout: must be a duration from 1ms to 5m such as 10s or 500ms, got "0s"',
      ],
      [
        { trustedRootPath: 'root.json' },
        'spec.docker.sigstore.trustedRootPath: must be an absolute path, got "root.json"',
      ],
      [
        { registries: { 'https://r.example': {} } },
        'spec.docker.sigstore.registries["https://r.example"]: must be a registry host[:port] such as registry.example:5000, without a scheme or path',
      ],
      [
        { registries: { 'r.example': { insecure: 'yes' } } },
        'spec.docker.sigstore.registries["r.example"].insecure: must be true or false, got string "yes"',
      ],
      [
        { registries: { 'r.example': { insecur: true } } },
        'spec.docker.sigstore.registries["r.example"].insecur: unknown field; did you mean insecure?',
      ],
    ])('reports %j', (fields, message) => {
      expect(errorsOf(sigstore(fields))).toStrictEqual([message]);
    });
  });

  describe('having field errors', () => {
    it.each([
      [
        { podmanSocketPathTemplate: 'unix:///run/user/podman.sock' },
        'spec.docker.podmanSocketPathTemplate: must contain exactly one %d placeholder, found 0 in "unix:///run/user/podman.sock"',
      ],
      [
        { podmanSocketPathTemplate: 'unix:///run/%d/%s' },
        'spec.docker.podmanSocketPathTemplate: must contain no % directive other than %d, found "%s" in "unix:///run/%d/%s"',
      ],
      [
        { dockerSocketPath: 'tcp://127.0.0.1:2375' },
        'spec.docker.dockerSocketPath: must be a unix:// URL, got "tcp://127.0.0.1:2375"',
      ],
      [
        { podmanSocketPath: 'unix://relative.sock' },
        'spec.docker.podmanSocketPath: must be a unix:// URL with an absolute path (unix:///run/...), got "unix://relative.sock"',
      ],
      [{ enabled: 'yes' }, 'spec.docker.enabled: must be true or false, got string "yes"'],
      [
        { includeEnvVars: 'APP_' },
        'spec.docker.includeEnvVars: must be a list of strings, got string "APP_"',
      ],
      [
        { includeEnvVars: ['APP_', 7] },
        'spec.docker.includeEnvVars[1]: must be a string, got number 7',
      ],
      [
        { includeEnvVars: [''] },
        'spec.docker.includeEnvVars[0]: must not be empty (an empty prefix would expose every variable)',
      ],
      [
        { includeEnvVars: ['A=B'] },
        `spec.docker.includeEnvVars[0]: must be a name prefix without '=', got "A=B"`,
      ],
      [
        { includeEnvVar: ['APP_'] },
        'spec.docker.includeEnvVar: unknown field; did you mean includeEnvVars?',
      ],
      [{ Enabled: true }, 'spec.docker.Enabled: unknown field; did you mean enabled?'],
      [
        { sigstore: {} },
        'spec.docker.sigstore.enabled: required when the sigstore block is present',
      ],
      [
        { sigstore: null },
        'spec.docker.sigstore.enabled: required when the sigstore block is present',
      ],
      [
        { sigstore: { enabled: true } },
        'spec.docker.sigstore.allowedIdentities: required when enabled is true',
      ],
      [
        { sigstore: { enabled: true, allowedIdentities: {} } },
        'spec.docker.sigstore.allowedIdentities: must contain at least one issuer with at least one subject',
      ],
      [
        { sigstore: { enabled: true, allowedIdentities: { [GITHUB]: [] } } },
        `spec.docker.sigstore.allowedIdentities["${GITHUB}"]: must list at least one subject pattern (use ["*"] to accept any)`,
      ],
      [
        { sigstore: { enabled: true, allowedIdentities: ['x'] } },
        'spec.docker.sigstore.allowedIdentities: must be a mapping, got a list',
      ],
      [
        { sigstore: { enabled: false, rekorURL: 'http://rekor.example' } },
        'spec.docker.sigstore.rekorURL: must be an https URL, got "http://rekor.example"',
      ],
      [
        { sigstore: { enabled: false, rekorURL: 'rekor.example' } },
        'spec.docker.sigstore.rekorURL: must be an https URL, got "rekor.example"',
      ],
      [
        { sigstore: { enabled: false, rekorUrl: 'https://x' } },
        'spec.docker.sigstore.rekorUrl: unknown field; did you mean rekorURL?',
      ],
      [{ sigstore: 'on' }, 'spec.docker.sigstore: must be a mapping, got string "on"'],
    ])('reports %j', (fields, message) => {
      expect(errorsOf(loadConfig([docker(fields)]))).toStrictEqual([message]);
    });

    it('reports every error of a document at once', () => {
      expect(
        errorsOf(
          loadConfig([
            docker({
              enabled: 1,
              dockerSocketPath: '/var/run/docker.sock',
              includeEnvVar: [],
              sigstore: { enabled: true },
            }),
          ]),
        ),
      ).toStrictEqual([
        'spec.docker.enabled: must be true or false, got number 1',
        'spec.docker.dockerSocketPath: must be a unix:// URL, got "/var/run/docker.sock"',
        'spec.docker.sigstore.allowedIdentities: required when enabled is true',
        'spec.docker.includeEnvVar: unknown field; did you mean includeEnvVars?',
      ]);
    });
  });

  describe('having policy warnings', () => {
    it('keeps the configuration valid and returns the warnings', () => {
      const result = loadConfig([
        docker({
          enabled: true,
          sigstore: {
            enabled: true,
            allowedIdentities: { [GITHUB]: ['*'], 'https://*.github.com*': ['x'] },
          },
        }),
      ]);
      expect(result.ok).toBe(true);
      expect(result.warnings.map((warning) => [warning.path, warning.severity])).toStrictEqual([
        [`spec.docker.sigstore.allowedIdentities["${GITHUB}"]`, 'warning'],
        ['spec.docker.sigstore.allowedIdentities["https://*.github.com*"]', 'warning'],
      ]);
    });
  });

  it('quotes at most 200 characters of a value in an error (a 300 kB value made a 300 kB line)', () => {
    const huge = `h${'x'.repeat(300_000)}`;
    const [error] = errorsOf(loadConfig([docker({ enabled: true, dockerSocketPath: huge })]));
    expect(error).toBe(
      `spec.docker.dockerSocketPath: must be a unix:// URL, got "${huge.slice(0, 200)}..."`,
    );
  });

  describe('having no attestation on', () => {
    it.each([
      ['an empty file', []],
      ['docker disabled', [docker({ enabled: false })]],
      ['only an Agent section', [node({ section: 'Agent', schema: 'v1', spec: {} })]],
    ])('is valid with %s, and warns that every attestation will be refused', (_case, documents) => {
      const result = loadConfig(documents);
      expect(result.ok).toBe(true);
      expect(result.warnings).toStrictEqual([
        {
          severity: 'warning',
          path: 'spec.docker.enabled',
          message:
            'no attestation is on: Docker attestation is off (the default is false), so every attestation is refused with attestation_disabled',
        },
      ]);
    });

    it('does not warn when Docker attestation is on', () => {
      expect(loadConfig([docker({ enabled: true })]).warnings).toStrictEqual([]);
    });
  });

  describe('having section errors', () => {
    it.each([
      [
        node({ section: 'WorkloadAttestaton', schema: 'v1', spec: {} }),
        'section: unknown section "WorkloadAttestaton"; did you mean WorkloadAttestation?',
      ],
      [
        node({ section: 'Other', schema: 'v1', spec: {} }),
        'section: unknown section "Other"; known sections: WorkloadAttestation, Agent, WorkloadIdentity',
      ],
      [
        node({ schema: 'v1', spec: {} }),
        'section: required (one of WorkloadAttestation, Agent, WorkloadIdentity)',
      ],
      [
        node({ section: 'WorkloadAttestation', schema: 'v2', spec: {} }),
        'schema: unsupported schema version "v2" for section WorkloadAttestation (supported: v1)',
      ],
      [
        node({ section: 'WorkloadAttestation', schema: 1, spec: {} }),
        'schema: unsupported schema version 1 for section WorkloadAttestation (supported: v1)',
      ],
      [
        node({ section: 'WorkloadAttestation', spec: {} }),
        'schema: required (supported for WorkloadAttestation: v1)',
      ],
      [node({ section: 'WorkloadAttestation', schema: 'v1' }), 'spec: required'],
      [
        node({ section: 'WorkloadAttestation', schema: 'v1', spec: {}, extra: 1 }),
        'extra: unknown field; known fields: section, schema, spec',
      ],
      [
        node({ section: 'WorkloadAttestation', schema: 'v1', spec: { dokcer: {} } }),
        'spec.dokcer: unknown field; did you mean docker?',
      ],
      [node(['a list']), ': must be a mapping, got a list'],
    ])('reports %#', (document, message) => {
      expect(errorsOf(loadConfig([document]))).toStrictEqual([message]);
    });

    it('refuses a section given twice', () => {
      const errors = errorsOf(loadConfig([docker({}), docker({})]));
      expect(errors).toStrictEqual([
        'section: section WorkloadAttestation appears more than once (first at line ?)',
      ]);
    });

    it('accepts a null spec as an empty one', () => {
      expect(
        configOf(loadConfig([node({ section: 'WorkloadAttestation', schema: 'v1', spec: null })]))
          .docker,
      ).toStrictEqual(DEFAULT_DOCKER_CONFIG);
    });
  });

  describe('having the Agent section', () => {
    it('reads its fields', () => {
      const config = configOf(
        loadConfig([
          node({
            section: 'Agent',
            schema: 'v1',
            spec: { apiSocketPath: '/tmp/a.sock', apiSocketMode: '0660', logLevel: 'debug' },
          }),
        ]),
      );
      expect(config.agent).toStrictEqual({
        apiSocketPath: '/tmp/a.sock',
        apiSocketMode: 0o660,
        logLevel: 'debug',
      });
    });

    it('reads a metrics listen address', () => {
      const read = (address: string) =>
        configOf(
          loadConfig([
            node({ section: 'Agent', schema: 'v1', spec: { metricsListenAddress: address } }),
          ]),
        ).agent.metricsListenAddress;
      expect(read('127.0.0.1:9465')).toStrictEqual({ host: '127.0.0.1', port: 9465 });
      expect(read('[::1]:9465')).toStrictEqual({ host: '::1', port: 9465 });
      expect(read('localhost:1')).toStrictEqual({ host: 'localhost', port: 1 });
    });

    it.each([
      [
        { metricsListenAddress: '9465' },
        'spec.metricsListenAddress: must be host:port such as 127.0.0.1:9465, got "9465"',
      ],
      [
        { metricsListenAddress: '127.0.0.1:70000' },
        'spec.metricsListenAddress: must be host:port such as 127.0.0.1:9465, got "127.0.0.1:70000"',
      ],
      [
        { metricsListenAddress: 'http://127.0.0.1:9465' },
        'spec.metricsListenAddress: must be host:port such as 127.0.0.1:9465, got "http://127.0.0.1:9465"',
      ],
      [
        { apiSocketMode: 600 },
        'spec.apiSocketMode: must be a quoted octal mode such as "0600", got number 600',
      ],
      [
        { apiSocketMode: '0999' },
        'spec.apiSocketMode: must be a quoted octal mode such as "0600", got string "0999"',
      ],
      [
        { apiSocketPath: 'agent.sock' },
        'spec.apiSocketPath: must be an absolute path, got "agent.sock"',
      ],
      [
        { logLevel: 'verbose' },
        'spec.logLevel: must be one of debug, info, warn, error, got "verbose"',
      ],
      [
        { metricsListenAddress: '[:::::::.]:80' },
        'spec.metricsListenAddress: must be host:port such as 127.0.0.1:9465, got "[:::::::.]:80"',
      ],
      [
        { metricsListenAddress: 'a..b:80' },
        'spec.metricsListenAddress: must be host:port such as 127.0.0.1:9465, got "a..b:80"',
      ],
      [
        { apiSocketPath: `/run/${'a'.repeat(110)}.sock` },
        `spec.apiSocketPath: the socket path is 120 bytes, longer than the 107 a unix socket address holds: "/run/${'a'.repeat(55)}..."`,
      ],
    ])('reports %j', (spec, message) => {
      expect(errorsOf(loadConfig([node({ section: 'Agent', schema: 'v1', spec })]))).toStrictEqual([
        message,
      ]);
    });
  });

  describe('having the WorkloadIdentity section', () => {
    const identity = (spec: unknown) => node({ section: 'WorkloadIdentity', schema: 'v1', spec });

    it.each([
      ['/', 'spec.pathTemplate: has segment 1 that is empty'],
      ['//', 'spec.pathTemplate: has segment 1 that is empty'],
      ['/a/../b', 'spec.pathTemplate: has segment 2 that is ".."'],
      ['/a/{{docker.container.image}}/', 'spec.pathTemplate: has segment 3 that is empty'],
    ])('refuses the path template %j, which no value can make valid', (pathTemplate, message) => {
      expect(
        errorsOf(loadConfig([identity({ trustDomain: 'example.org', pathTemplate })])),
      ).toStrictEqual([message]);
    });

    it('reads the specification template example', () => {
      const config = configOf(
        loadConfig([
          identity({
            trustDomain: 'example.org',
            pathTemplate: '/workloads/{{docker.container.label["com.example.app"]}}',
          }),
        ]),
      );
      // The single-template form is one identity, `default`, for every rootful container.
      expect(config.workloadIdentity).toStrictEqual({
        trustDomain: 'example.org',
        workloadApiSocketPath: '/run/attestor/workload/api.sock',
        stateDirectory: '/var/lib/attestor',
        x509SvidTtlMs: 3_600_000,
        jwtSvidTtlMs: 300_000,
        identities: [
          {
            name: 'default',
            match: [],
            admitsRootless: false,
            pathTemplate: '/workloads/{{docker.container.label["com.example.app"]}}',
            x509Subject: {},
            jwtClaims: {},
          },
        ],
      });
    });

    it('reads allowRootlessRuntimes', () => {
      const config = configOf(
        loadConfig([
          identity({
            trustDomain: 'example.org',
            pathTemplate: '/w',
            allowRootlessRuntimes: true,
          }),
        ]),
      );
      expect(config.workloadIdentity?.identities[0]?.admitsRootless).toBe(true);
    });

    it.each([
      [
        { trustDomain: 'example.org', pathTemplate: '/w/{{docker.container.image' },
        `spec.pathTemplate: column 4: '{{' is not closed by '}}'`,
      ],
      [
        { trustDomain: 'example.org', pathTemplate: '/w/{{docker.container.imag}}' },
        'spec.pathTemplate: column 4: unknown attribute docker.container.imag',
      ],
      [
        { trustDomain: 'example.org', pathTemplate: 'w/x' },
        "spec.pathTemplate: must start with '/'",
      ],
      [
        { trustDomain: 'Example.org', pathTemplate: '/x' },
        'spec.trustDomain: must be a lower-case DNS name such as example.org, got "Example.org"',
      ],
      [{ pathTemplate: '/x' }, 'spec.trustDomain: required'],
    ])('reports %j', (spec, message) => {
      expect(errorsOf(loadConfig([identity(spec)]))).toStrictEqual([message]);
    });
  });

  describe('having WorkloadIdentity identities', () => {
    const identity = (spec: unknown) => node({ section: 'WorkloadIdentity', schema: 'v1', spec });
    const payments = {
      name: 'payments',
      match: {
        'docker.container.label["com.example.app"]': 'payments',
        'docker.image.signature.issuer': GITHUB,
      },
      pathTemplate: '/workloads/{{docker.container.label["com.example.app"]}}',
      x509Subject: {
        organization: 'Example',
        commonName: '{{docker.container.label["com.example.app"]}}',
      },
      jwtClaims: { team: '{{docker.container.label["com.example.team"]}}' },
    };

    it("reads the issue's example, with every default and TTL", () => {
      const config = configOf(
        loadConfig([
          identity({
            trustDomain: 'example.org',
            workloadApiSocketPath: '/run/spiffe/api.sock',
            stateDirectory: '/srv/attestor',
            x509SvidTtl: '30m',
            jwtSvidTtl: '2m',
            identities: [payments],
          }),
        ]),
      );
      expect(config.workloadIdentity).toStrictEqual({
        trustDomain: 'example.org',
        workloadApiSocketPath: '/run/spiffe/api.sock',
        stateDirectory: '/srv/attestor',
        x509SvidTtlMs: 1_800_000,
        jwtSvidTtlMs: 120_000,
        identities: [
          {
            name: 'payments',
            match: [
              { attribute: 'docker.container.label["com.example.app"]', pattern: 'payments' },
              { attribute: 'docker.image.signature.issuer', pattern: GITHUB },
            ],
            admitsRootless: false,
            pathTemplate: '/workloads/{{docker.container.label["com.example.app"]}}',
            x509Subject: {
              organization: 'Example',
              commonName: '{{docker.container.label["com.example.app"]}}',
            },
            jwtClaims: { team: '{{docker.container.label["com.example.team"]}}' },
          },
        ],
      });
    });

    it('reads an upstream authority', () => {
      const config = configOf(
        loadConfig([
          identity({
            trustDomain: 'example.org',
            identities: [payments],
            authority: {
              certificateFile: '/etc/attestor/host.pem',
              keyFile: '/etc/attestor/host.key',
              bundleFile: '/etc/attestor/root.pem',
              jwtKeyFile: '/etc/attestor/jwt.key',
            },
          }),
        ]),
      );
      expect(config.workloadIdentity?.authority).toStrictEqual({
        certificateFile: '/etc/attestor/host.pem',
        keyFile: '/etc/attestor/host.key',
        bundleFile: '/etc/attestor/root.pem',
        jwtKeyFile: '/etc/attestor/jwt.key',
      });
    });

    it('admits rootless Podman only where match names docker.runtime with a pattern for it', () => {
      const config = configOf(
        loadConfig([
          identity({
            trustDomain: 'example.org',
            identities: [
              { name: 'rootful', pathTemplate: '/a' },
              {
                name: 'mine',
                match: { 'docker.runtime': 'podman-*', 'docker.runtime.owner_uid': 1000 },
                pathTemplate: '/b',
              },
              { name: 'docker', match: { 'docker.runtime': 'docker' }, pathTemplate: '/c' },
            ],
          }),
        ]),
      );
      const identities = config.workloadIdentity?.identities ?? [];
      expect(identities.map(({ name, admitsRootless }) => [name, admitsRootless])).toStrictEqual([
        ['rootful', false],
        ['mine', true],
        ['docker', false],
      ]);
      // A YAML number is its decimal text.
      expect(identities[1]?.match[1]).toStrictEqual({
        attribute: 'docker.runtime.owner_uid',
        pattern: '1000',
      });
    });

    it.each([
      [
        'both forms',
        { trustDomain: 'example.org', pathTemplate: '/a', identities: [payments] },
        'spec.pathTemplate: give either pathTemplate (one identity for every container) or identities, not both',
      ],
      [
        'an empty list',
        { trustDomain: 'example.org', identities: [] },
        'spec.identities: must be a list of at least one identity, got a list',
      ],
      [
        'two identities of one name',
        { trustDomain: 'example.org', identities: [payments, payments] },
        'spec.identities[1].name: "payments" is already the name of an identity',
      ],
      [
        'an identity without a path template',
        { trustDomain: 'example.org', identities: [{ name: 'x' }] },
        'spec.identities[0].pathTemplate: required',
      ],
      [
        'a match on an attribute that cannot exist',
        {
          trustDomain: 'example.org',
          identities: [{ name: 'x', match: { 'docker.container.imag': 'a' }, pathTemplate: '/a' }],
        },
        'spec.identities[0].match["docker.container.imag"]: not an attribute name that can exist',
      ],
      [
        'a match with an empty pattern',
        {
          trustDomain: 'example.org',
          identities: [{ name: 'x', match: { 'docker.runtime': '' }, pathTemplate: '/a' }],
        },
        'spec.identities[0].match["docker.runtime"]: must be a non-empty pattern string, got string ""',
      ],
      [
        'a registered JWT claim',
        {
          trustDomain: 'example.org',
          identities: [{ name: 'x', pathTemplate: '/a', jwtClaims: { sub: 'me' } }],
        },
        'spec.identities[0].jwtClaims.sub: sub is a registered claim that the agent sets; choose another name',
      ],
      [
        'an unknown subject field',
        {
          trustDomain: 'example.org',
          identities: [{ name: 'x', pathTemplate: '/a', x509Subject: { email: 'a' } }],
        },
        'spec.identities[0].x509Subject.email: unknown field; known fields: country, organization, organizationalUnit, commonName',
      ],
      [
        'allowRootlessRuntimes beside identities',
        { trustDomain: 'example.org', allowRootlessRuntimes: true, identities: [payments] },
        'spec.allowRootlessRuntimes: only for pathTemplate; with identities, an identity admits rootless Podman by naming docker.runtime in its match',
      ],
      [
        'a TTL out of range',
        { trustDomain: 'example.org', x509SvidTtl: '500ms', identities: [payments] },
        'spec.x509SvidTtl: must be a duration from 1s to 720h such as 1h or 30m, got "500ms"',
      ],
      [
        'identities that are a mapping',
        { trustDomain: 'example.org', identities: { payments } },
        'spec.identities: must be a list of at least one identity, got a mapping',
      ],
      [
        'an identity that is a string',
        { trustDomain: 'example.org', identities: ['payments'] },
        'spec.identities[0]: must be a mapping, got string "payments"',
      ],
      [
        'an identity without a name',
        { trustDomain: 'example.org', identities: [{ pathTemplate: '/a' }] },
        'spec.identities[0].name: required',
      ],
      [
        'a name with a slash',
        { trustDomain: 'example.org', identities: [{ name: 'a/b', pathTemplate: '/a' }] },
        "spec.identities[0].name: must be 1 to 64 letters, digits, '.', '_' or '-', got \"a/b\"",
      ],
      [
        'a path template without its leading slash',
        { trustDomain: 'example.org', identities: [{ name: 'x', pathTemplate: 'a' }] },
        "spec.identities[0].pathTemplate: must start with '/'",
      ],
      [
        'a path template that can never be a path',
        { trustDomain: 'example.org', identities: [{ name: 'x', pathTemplate: '/a//b' }] },
        'spec.identities[0].pathTemplate: has segment 2 that is empty',
      ],
      [
        'a path template that does not parse',
        { trustDomain: 'example.org', identities: [{ name: 'x', pathTemplate: '/a/{{' }] },
        "spec.identities[0].pathTemplate: column 4: '{{' is not closed by '}}'",
      ],
      [
        'a match that is a list',
        {
          trustDomain: 'example.org',
          identities: [{ name: 'x', match: ['docker.runtime'], pathTemplate: '/a' }],
        },
        'spec.identities[0].match: must be a mapping, got a list',
      ],
      [
        'a match pattern that is a fraction',
        {
          trustDomain: 'example.org',
          identities: [
            { name: 'x', match: { 'docker.runtime.owner_uid': 1.5 }, pathTemplate: '/a' },
          ],
        },
        'spec.identities[0].match["docker.runtime.owner_uid"]: must be a non-empty pattern string, got number 1.5',
      ],
      [
        'a subject template that does not parse',
        {
          trustDomain: 'example.org',
          identities: [{ name: 'x', pathTemplate: '/a', x509Subject: { commonName: '{{nope}}' } }],
        },
        'spec.identities[0].x509Subject.commonName: column 1: unknown attribute nope',
      ],
      [
        'a subject that is a string',
        {
          trustDomain: 'example.org',
          identities: [{ name: 'x', pathTemplate: '/a', x509Subject: 'CN=x' }],
        },
        'spec.identities[0].x509Subject: must be a mapping, got string "CN=x"',
      ],
      [
        'claims that are a list',
        {
          trustDomain: 'example.org',
          identities: [{ name: 'x', pathTemplate: '/a', jwtClaims: ['a'] }],
        },
        'spec.identities[0].jwtClaims: must be a mapping, got a list',
      ],
      [
        'a claim name with a space',
        {
          trustDomain: 'example.org',
          identities: [{ name: 'x', pathTemplate: '/a', jwtClaims: { 'a b': 'c' } }],
        },
        'spec.identities[0].jwtClaims["a b"]: a claim name is a letter or _, then letters, digits, _, . or -',
      ],
      [
        'a claim that is a number',
        {
          trustDomain: 'example.org',
          identities: [{ name: 'x', pathTemplate: '/a', jwtClaims: { a: 1 } }],
        },
        'spec.identities[0].jwtClaims.a: must be a string template, got number 1',
      ],
      [
        'a claim template that does not parse',
        {
          trustDomain: 'example.org',
          identities: [{ name: 'x', pathTemplate: '/a', jwtClaims: { a: '}}' } }],
        },
        "spec.identities[0].jwtClaims.a: column 1: '}}' without a matching '{{'",
      ],
      [
        'a single template that does not parse',
        { trustDomain: 'example.org', pathTemplate: '/a/{{' },
        "spec.pathTemplate: column 4: '{{' is not closed by '}}'",
      ],
      [
        'an authority without its key',
        {
          trustDomain: 'example.org',
          identities: [payments],
          authority: {
            certificateFile: '/etc/attestor/host.pem',
            bundleFile: '/etc/attestor/root.pem',
          },
        },
        'spec.authority.keyFile: required',
      ],
      [
        'an authority file named by a relative path',
        {
          trustDomain: 'example.org',
          identities: [payments],
          authority: { certificateFile: 'host.pem', keyFile: '/k', bundleFile: '/r' },
        },
        'spec.authority.certificateFile: must be an absolute path, got "host.pem"',
      ],
      [
        'a relative socket path',
        { trustDomain: 'example.org', workloadApiSocketPath: 'api.sock', identities: [payments] },
        'spec.workloadApiSocketPath: must be an absolute path, got "api.sock"',
      ],
    ])('refuses %s, naming the field', (_name, spec, message) => {
      expect(errorsOf(loadConfig([identity(spec)]))).toStrictEqual([message]);
    });
  });

  describe('linting WorkloadIdentity against the rest of the file', () => {
    const identity = (identities: unknown[]) =>
      node({
        section: 'WorkloadIdentity',
        schema: 'v1',
        spec: { trustDomain: 'example.org', identities },
      });
    const warningsOf = (...documents: ConfigNode[]) => {
      const result = loadConfig(documents);
      if (!result.ok) throw new Error(result.errors.map((issue) => formatIssue(issue)).join('\n'));
      return result.warnings.map((warning) => `${warning.path}: ${warning.message}`);
    };

    it('warns of templates and matches that the file itself keeps from ever holding', () => {
      expect(
        warningsOf(
          docker({ enabled: true, includeEnvVars: ['APP_'] }),
          identity([
            {
              name: 'a',
              match: { 'docker.container.env.STAGE': 'prod' },
              pathTemplate: '/a/{{docker.container.env.APP_NAME}}',
              x509Subject: { commonName: '{{docker.image.signature.subject | segment}}' },
              jwtClaims: { uid: '{{docker.runtime.owner_uid}}' },
            },
          ]),
        ),
      ).toStrictEqual([
        'spec.identities[0].match: this identity can never match: docker.container.env.STAGE is never produced: no spec.docker.includeEnvVars prefix matches STAGE',
        'spec.identities[0].x509Subject.commonName: this template can never render: docker.image.signature.subject is never produced: Sigstore verification is off',
        'spec.identities[0].jwtClaims.uid: this template can never render: docker.runtime.owner_uid is produced only for rootless Podman, which this identity never matches',
      ]);
    });

    it('warns of log attributes with skipTransparencyLog, and of unpinned rootless identities', () => {
      expect(
        warningsOf(
          docker({
            enabled: true,
            sigstore: {
              enabled: true,
              skipTransparencyLog: true,
              allowedIdentities: { 'https://issuer.example': ['https://ci.example/*'] },
            },
          }),
          identity([
            { name: 'signed', pathTemplate: '/s/{{docker.image.signature.log_index}}' },
            { name: 'mine', match: { 'docker.runtime': 'podman-rootless' }, pathTemplate: '/m' },
            {
              name: 'pinned',
              match: { 'docker.runtime': 'podman-rootless', 'docker.runtime.owner_uid': 1000 },
              pathTemplate: '/p/{{docker.runtime.owner_uid}}',
            },
          ]),
        ),
      ).toStrictEqual([
        'spec.identities[0].pathTemplate: this template can never render: docker.image.signature.log_index is never produced: skipTransparencyLog is on',
        'spec.identities[1].match: this identity admits rootless Podman without pinning docker.runtime.owner_uid: any user who runs their own Podman can claim it',
      ]);
    });
  });

  describe('having several documents', () => {
    it('combines their sections and numbers their issues', () => {
      const result = loadConfig([
        docker({ enabled: true }),
        node({ section: 'Agent', schema: 'v1', spec: { logLevel: 'loud' } }),
      ]);
      expect(result.ok).toBe(false);
      expect(result.ok ? [] : result.errors).toStrictEqual([
        {
          severity: 'error',
          path: 'spec.logLevel',
          message: 'must be one of debug, info, warn, error, got "loud"',
          document: 2,
        },
      ]);
    });
  });
});

describe(formatIssue, () => {
  it('prefixes the source and line', () => {
    expect(
      formatIssue(
        { severity: 'error', path: 'spec.docker.enabled', message: 'bad', line: 7 },
        'a.yaml',
      ),
    ).toBe('a.yaml:7: spec.docker.enabled: bad');
    expect(formatIssue({ severity: 'warning', path: 'p', message: 'm' }, 'a.yaml')).toBe(
      'a.yaml: warning: p: m',
    );
  });
});

describe(nearestName, () => {
  it.each([
    ['includeEnvVar', 'includeEnvVars'],
    ['enabeld', 'enabled'],
    ['ENABLED', 'enabled'],
    ['somethingElse', undefined],
  ])('suggests for %s', (unknown, expected) => {
    expect(nearestName(unknown, ['enabled', 'includeEnvVars', 'dockerSocketPath'])).toBe(expected);
  });
});

/**
 * Builds a config tree whose every node and entry has a line, numbered in document order,
 * as the YAML reader gives them: errors must then name the line of what they are about.
 */
function linedNode(value: unknown): ConfigNode {
  let next = 1;
  const build = (child: unknown): ConfigNode => {
    const line = next++;
    if (Array.isArray(child)) return { kind: 'sequence', items: child.map(build), line };
    if (child !== null && typeof child === 'object') {
      return {
        kind: 'map',
        entries: Object.entries(child).map(([key, grandchild]) => ({
          key,
          line: next,
          value: build(grandchild),
        })),
        line,
      };
    }
    return { ...node(child), line };
  };
  return build(value);
}

describe('loadConfig, naming lines and values', () => {
  const errors = (document: unknown) => errorsOf(loadConfig([linedNode(document)]));

  it.each([
    [{ section: null, schema: 'v1', spec: {} }, 'unknown section null; known sections:'],
    [
      { section: 'Qqqqqqqqqqqqqqqq', schema: 'v1', spec: {} },
      'unknown section "Qqqqqqqqqqqqqqqq"; known sections:',
    ],
    [
      { section: 'WorkloadAttestation', schema: ['v1'], spec: {} },
      'schema: unsupported schema version a non-string for section WorkloadAttestation',
    ],
    [
      { section: 'WorkloadAttestation', schema: 2, spec: {} },
      'schema: unsupported schema version 2 for section WorkloadAttestation (supported: v1)',
    ],
  ])('reports %j with its line', (document, message) => {
    const [first] = errors(document);
    expect(first).toMatch(/^\d+: /);
    expect(first).toContain(message);
  });

  it('names the line of a wrong value, the path of an odd key, and the kind of what it got', () => {
    const reported = errors({
      section: 'WorkloadAttestation',
      schema: 'v1',
      spec: { docker: { enabled: 'yes', 'odd key': 1, dockerSocketPath: null } },
    });
    expect(reported).toStrictEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^\d+: spec\.docker\.enabled: must be true or false, got string "yes"$/,
        ),
        expect.stringMatching(/^\d+: spec\.docker\["odd key"\]: unknown field/),
        expect.stringMatching(/^\d+: spec\.docker\.dockerSocketPath: must be a string, got null$/),
      ]),
    );
  });

  it('names the lines of sigstore registries and issuers that are not what they must be', () => {
    const reported = errors({
      section: 'WorkloadAttestation',
      schema: 'v1',
      spec: {
        docker: {
          enabled: true,
          sigstore: {
            enabled: true,
            allowedIdentities: { '': ['x'], 'https://issuer.example': [] },
            registries: { 'r.example': 'insecure' },
            rekorUrl: 'http://[::1',
          },
        },
      },
    });
    for (const message of [
      'issuer pattern must not be empty',
      'must list at least one subject pattern',
      'spec.docker.sigstore.registries["r.example"]: must be a mapping',
      'spec.docker.sigstore.rekorUrl',
    ])
      expect(reported.some((line) => /^\d+: /.test(line) && line.includes(message))).toBe(true);
  });

  it('names the line of a registries block that is not a mapping', () => {
    const reported = errors({
      section: 'WorkloadAttestation',
      schema: 'v1',
      spec: { docker: { enabled: true, sigstore: { enabled: true, registries: ['r.example'] } } },
    });
    expect(
      reported.some((line) =>
        /^\d+: spec\.docker\.sigstore\.registries: must be a mapping/.test(line),
      ),
    ).toBe(true);
  });

  it('names the lines of a WorkloadIdentity section that cannot make an identity', () => {
    const reported = errors({
      section: 'WorkloadIdentity',
      schema: 'v1',
      spec: { trustDomain: 'Not A Domain', pathTemplate: '/x/{{' },
    });
    expect(reported).toStrictEqual([
      expect.stringMatching(/^\d+: spec\.trustDomain: must be a lower-case DNS name/),
      expect.stringMatching(/^\d+: spec\.pathTemplate: column 4: /),
    ]);
  });

  it('warns, with the issuer’s line, about a policy that accepts anyone', () => {
    const result = loadConfig([
      linedNode({
        section: 'WorkloadAttestation',
        schema: 'v1',
        spec: {
          docker: {
            enabled: true,
            sigstore: { enabled: true, allowedIdentities: { '*': ['*'] } },
          },
        },
      }),
    ]);
    expect(result.ok).toBe(true);
    expect(result.warnings.map((issue) => formatIssue(issue))).toStrictEqual(
      expect.arrayContaining([
        expect.stringMatching(/^\d+: warning: spec\.docker\.sigstore\.allowedIdentities\["\*"\]: /),
      ]),
    );
  });
});

describe('loadConfig, having a list or nothing where a value must be', () => {
  it('says it got a list, and that a WorkloadIdentity without a path template lacks one', () => {
    expect(
      errorsOf(loadConfig([docker({ enabled: true, dockerSocketPath: ['unix:///a.sock'] })])),
    ).toStrictEqual(['spec.docker.dockerSocketPath: must be a string, got a list']);
    expect(
      errorsOf(
        loadConfig([
          node({ section: 'WorkloadIdentity', schema: 'v1', spec: { trustDomain: 'example.org' } }),
        ]),
      ),
    ).toStrictEqual(['spec.identities: required: at least one identity']);
  });
});

describe('nearestName, having no names to choose from', () => {
  it('suggests nothing', () => {
    expect(nearestName('anything', [])).toBeUndefined();
  });
});
