import { lintAllowedIdentities } from '@attestor/identity-glob';
import {
  checkSocketPathLength,
  RuntimeResolverError,
  socketPathFromUrl,
  validatePodmanSocketTemplate,
} from '@attestor/runtime-resolver';

import {
  type AgentConfig,
  DEFAULT_AGENT_CONFIG,
  DEFAULT_DOCKER_CONFIG,
  DEFAULT_REKOR_URL,
  DEFAULT_TUF_CACHE_PATH,
  DEFAULT_TUF_MIRROR_URL,
  DEFAULT_VERIFICATION_TIMEOUT_MS,
  type DockerAttestationConfig,
  type LogLevel,
  type RegistrySettings,
  type SigstoreConfig,
} from './model.js';
import {
  childPath,
  describeNode,
  type IssueCollector,
  MapReader,
  quote,
  readStringList,
} from './reader.js';

function socketUrl(
  reader: MapReader,
  key: string,
  fallback: string,
  issues: IssueCollector,
): string {
  const value = reader.string(key, fallback);
  try {
    socketPathFromUrl(value);
  } catch (error) {
    if (!RuntimeResolverError.is(error)) throw error;
    issues.error(reader.pathOf(key), error.message, reader.entry(key)?.line);
    return fallback;
  }
  return value;
}

function readSigstore(reader: MapReader, issues: IssueCollector): SigstoreConfig {
  const enabled = reader.boolean('enabled', undefined);
  if (!reader.has('enabled')) {
    issues.error(
      reader.pathOf('enabled'),
      'required when the sigstore block is present',
      reader.line,
    );
  }
  const allowedIdentities = readAllowedIdentities(reader, issues);
  if (enabled === true && !reader.has('allowedIdentities')) {
    issues.error(reader.pathOf('allowedIdentities'), 'required when enabled is true', reader.line);
  }
  const rekorURL = reader.string('rekorURL', DEFAULT_REKOR_URL);
  if (reader.has('rekorURL') && !isHttpsUrl(rekorURL)) {
    issues.error(
      reader.pathOf('rekorURL'),
      `must be an https URL, got ${quote(rekorURL)}`,
      reader.entry('rekorURL')?.line,
    );
  }
  const skipProvenance = reader.boolean('skipProvenance', false);
  const skipTransparencyLog = reader.boolean('skipTransparencyLog', false);
  const trustedRootPath = absolutePath(reader, 'trustedRootPath', issues);
  const tufMirrorURL = reader.string('tufMirrorURL', DEFAULT_TUF_MIRROR_URL);
  if (reader.has('tufMirrorURL') && !isHttpsUrl(tufMirrorURL) && !isLoopbackHttpUrl(tufMirrorURL)) {
    issues.error(
      reader.pathOf('tufMirrorURL'),
      `must be an https URL (plain http only on loopback), got ${quote(tufMirrorURL)}`,
      reader.entry('tufMirrorURL')?.line,
    );
  }
  const tufRootPath = absolutePath(reader, 'tufRootPath', issues);
  const tufCachePath = absolutePath(reader, 'tufCachePath', issues) ?? DEFAULT_TUF_CACHE_PATH;
  const dockerConfigPath = absolutePath(reader, 'dockerConfigPath', issues);
  const registries = readRegistries(reader, issues);
  const verificationTimeoutMs = readDuration(
    reader,
    'verificationTimeout',
    DEFAULT_VERIFICATION_TIMEOUT_MS,
    issues,
  );
  reader.finish();
  if (allowedIdentities !== undefined) {
    for (const warning of lintAllowedIdentities(allowedIdentities)) {
      const issuerPath = childPath(reader.pathOf('allowedIdentities'), warning.issuer);
      const line = reader.entry('allowedIdentities')?.value;
      issues.warning(
        issuerPath,
        warning.message,
        line?.kind === 'map' ? line.entries.find((e) => e.key === warning.issuer)?.line : undefined,
      );
    }
  }
  return {
    enabled: enabled ?? false,
    allowedIdentities: allowedIdentities ?? new Map(),
    rekorURL,
    skipProvenance,
    skipTransparencyLog,
    registries,
    verificationTimeoutMs,
    tufMirrorURL,
    tufCachePath,
    ...(trustedRootPath === undefined ? {} : { trustedRootPath }),
    ...(tufRootPath === undefined ? {} : { tufRootPath }),
    ...(dockerConfigPath === undefined ? {} : { dockerConfigPath }),
  };
}

export function absolutePath(
  reader: MapReader,
  key: string,
  issues: IssueCollector,
): string | undefined {
  const path = reader.string(key, undefined);
  if (path !== undefined && !path.startsWith('/')) {
    issues.error(
      reader.pathOf(key),
      `must be an absolute path, got ${quote(path)}`,
      reader.entry(key)?.line,
    );
    return undefined;
  }
  return path;
}

const DURATION = /^(\d{1,6})(ms|s|m|h)$/;
const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** The bounds of a duration field, and how its error message states them. */
export interface DurationBounds {
  readonly minMs: number;
  readonly maxMs: number;
  /** `from 1ms to 5m such as 10s or 500ms` */
  readonly described: string;
}

const UP_TO_5_MINUTES: DurationBounds = {
  minMs: 1,
  maxMs: 5 * 60 * 1000,
  described: 'from 1ms to 5m such as 10s or 500ms',
};

/** A duration such as `500ms`, `10s`, `2m` or `1h`, within `bounds` (by default 1 ms to 5 min). */
export function readDuration(
  reader: MapReader,
  key: string,
  fallback: number,
  issues: IssueCollector,
  bounds: DurationBounds = UP_TO_5_MINUTES,
): number {
  const text = reader.string(key, undefined);
  if (text === undefined) return fallback;
  const match = DURATION.exec(text);
  const unit = UNIT_MS[match?.[2] ?? ''] ?? Number.NaN;
  const ms = Number(match?.[1]) * unit;
  if (!Number.isInteger(ms) || ms < bounds.minMs || ms > bounds.maxMs) {
    issues.error(
      reader.pathOf(key),
      `must be a duration ${bounds.described}, got ${quote(text)}`,
      reader.entry(key)?.line,
    );
    return fallback;
  }
  return ms;
}

const REGISTRY_HOST =
  /^(?:\[[0-9a-fA-F:.]+\]|[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?)(?::\d{1,5})?$/;

/** `registries`: host[:port] -> {insecure, caFile}. */
function readRegistries(reader: MapReader, issues: IssueCollector): Map<string, RegistrySettings> {
  const registries = new Map<string, RegistrySettings>();
  const entry = reader.entry('registries');
  if (entry === undefined) return registries;
  const map = MapReader.of(entry.value, reader.pathOf('registries'), issues, entry.line);
  if (map === undefined) return registries;
  for (const registryEntry of map.node.entries) {
    const path = childPath(map.path, registryEntry.key);
    if (!REGISTRY_HOST.test(registryEntry.key)) {
      issues.error(
        path,
        'must be a registry host[:port] such as registry.example:5000, without a scheme or path',
        registryEntry.line,
      );
      continue;
    }
    const settings = MapReader.of(registryEntry.value, path, issues, registryEntry.line);
    if (settings === undefined) continue;
    const insecure = settings.boolean('insecure', false);
    const caFile = absolutePath(settings, 'caFile', issues);
    settings.finish();
    registries.set(registryEntry.key, { insecure, ...(caFile === undefined ? {} : { caFile }) });
  }
  return registries;
}

function isLoopbackHttpUrl(text: string): boolean {
  if (!URL.canParse(text)) return false;
  const url = new URL(text);
  return url.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
}

function isHttpsUrl(text: string): boolean {
  if (!URL.canParse(text)) return false;
  const url = new URL(text);
  return (
    url.protocol === 'https:' && url.hostname !== '' && url.username === '' && url.password === ''
  );
}

function readAllowedIdentities(
  reader: MapReader,
  issues: IssueCollector,
): Map<string, string[]> | undefined {
  const entry = reader.entry('allowedIdentities');
  if (entry === undefined) return undefined;
  const path = reader.pathOf('allowedIdentities');
  const map = MapReader.of(entry.value, path, issues, entry.line);
  if (map === undefined) return undefined;
  const identities = new Map<string, string[]>();
  if (map.node.entries.length === 0) {
    issues.error(
      path,
      'must contain at least one issuer with at least one subject',
      entry.value.line ?? entry.line,
    );
  }
  for (const issuerEntry of map.node.entries) {
    const issuerPath = childPath(path, issuerEntry.key);
    if (issuerEntry.key.trim() === '')
      issues.error(issuerPath, 'issuer pattern must not be empty', issuerEntry.line);
    const subjects = readStringList(issuerEntry.value, issuerPath, issues, issuerEntry.line) ?? [];
    if (issuerEntry.value.kind === 'sequence' && issuerEntry.value.items.length === 0) {
      issues.error(
        issuerPath,
        'must list at least one subject pattern (use ["*"] to accept any)',
        issuerEntry.line,
      );
    }
    subjects.forEach((subject, index) => {
      if (subject === '')
        issues.error(
          `${issuerPath}[${String(index)}]`,
          'subject pattern must not be empty',
          issuerEntry.line,
        );
    });
    identities.set(issuerEntry.key, subjects);
  }
  return identities;
}

function readIncludeEnvVars(reader: MapReader, issues: IssueCollector): string[] {
  const prefixes = reader.stringList('includeEnvVars') ?? [];
  const line = reader.entry('includeEnvVars')?.line;
  const kept: string[] = [];
  prefixes.forEach((prefix, index) => {
    const path = `${reader.pathOf('includeEnvVars')}[${String(index)}]`;
    if (prefix === '')
      issues.error(path, 'must not be empty (an empty prefix would expose every variable)', line);
    else if (prefix.includes('='))
      issues.error(path, `must be a name prefix without '=', got ${quote(prefix)}`, line);
    else if (!kept.includes(prefix)) kept.push(prefix);
  });
  return kept;
}

function readDockerSection(reader: MapReader, issues: IssueCollector): DockerAttestationConfig {
  const enabled = reader.boolean('enabled', DEFAULT_DOCKER_CONFIG.enabled);
  const dockerSocketPath = socketUrl(
    reader,
    'dockerSocketPath',
    DEFAULT_DOCKER_CONFIG.dockerSocketPath,
    issues,
  );
  const podmanSocketPath = socketUrl(
    reader,
    'podmanSocketPath',
    DEFAULT_DOCKER_CONFIG.podmanSocketPath,
    issues,
  );
  let podmanSocketPathTemplate = reader.string(
    'podmanSocketPathTemplate',
    DEFAULT_DOCKER_CONFIG.podmanSocketPathTemplate,
  );
  try {
    validatePodmanSocketTemplate(podmanSocketPathTemplate);
  } catch (error) {
    if (!RuntimeResolverError.is(error)) throw error;
    issues.error(
      reader.pathOf('podmanSocketPathTemplate'),
      error.message,
      reader.entry('podmanSocketPathTemplate')?.line,
    );
    podmanSocketPathTemplate = DEFAULT_DOCKER_CONFIG.podmanSocketPathTemplate;
  }
  const includeEnvVars = readIncludeEnvVars(reader, issues);
  const rootlessPodmanDiscovery = reader.boolean(
    'rootlessPodmanDiscovery',
    DEFAULT_DOCKER_CONFIG.rootlessPodmanDiscovery,
  );
  const attestHostPidContainers = reader.boolean(
    'attestHostPidContainers',
    DEFAULT_DOCKER_CONFIG.attestHostPidContainers,
  );
  const attestationTimeoutMs = readDuration(
    reader,
    'attestationTimeout',
    DEFAULT_DOCKER_CONFIG.attestationTimeoutMs,
    issues,
  );
  const sigstoreEntry = reader.entry('sigstore');
  let sigstore: SigstoreConfig | undefined;
  if (sigstoreEntry !== undefined) {
    const sigstoreReader = MapReader.of(
      sigstoreEntry.value,
      reader.pathOf('sigstore'),
      issues,
      sigstoreEntry.line,
    );
    if (sigstoreReader !== undefined) sigstore = readSigstore(sigstoreReader, issues);
  }
  reader.finish();
  if (sigstore !== undefined && sigstore.verificationTimeoutMs > attestationTimeoutMs) {
    issues.warning(
      `${reader.pathOf('sigstore')}.verificationTimeout`,
      `is longer than attestationTimeout (${String(attestationTimeoutMs)} ms), which cuts every verification short`,
      reader.entry('sigstore')?.line,
    );
  }
  return {
    enabled,
    dockerSocketPath,
    podmanSocketPath,
    podmanSocketPathTemplate,
    includeEnvVars,
    rootlessPodmanDiscovery,
    attestHostPidContainers,
    attestationTimeoutMs,
    ...(sigstore === undefined ? {} : { sigstore }),
  };
}

/** `spec` of section WorkloadAttestation v1. */
export function readWorkloadAttestationSpec(
  spec: MapReader,
  issues: IssueCollector,
): DockerAttestationConfig {
  const dockerEntry = spec.entry('docker');
  let docker = DEFAULT_DOCKER_CONFIG;
  if (dockerEntry !== undefined) {
    const reader = MapReader.of(dockerEntry.value, spec.pathOf('docker'), issues, dockerEntry.line);
    if (reader !== undefined) docker = readDockerSection(reader, issues);
  }
  spec.finish();
  return docker;
}

const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

/** `spec` of section Agent v1. */
export function readAgentSpec(spec: MapReader, issues: IssueCollector): AgentConfig {
  const apiSocketPath = spec.string('apiSocketPath', DEFAULT_AGENT_CONFIG.apiSocketPath);
  if (!apiSocketPath.startsWith('/')) {
    issues.error(
      spec.pathOf('apiSocketPath'),
      `must be an absolute path, got ${quote(apiSocketPath)}`,
      spec.entry('apiSocketPath')?.line,
    );
  } else {
    try {
      checkSocketPathLength(apiSocketPath);
    } catch (error) {
      if (!RuntimeResolverError.is(error)) throw error;
      issues.error(spec.pathOf('apiSocketPath'), error.message, spec.entry('apiSocketPath')?.line);
    }
  }
  let apiSocketMode = DEFAULT_AGENT_CONFIG.apiSocketMode;
  const modeEntry = spec.entry('apiSocketMode');
  if (modeEntry !== undefined) {
    const { value } = modeEntry;
    if (
      value.kind === 'scalar' &&
      typeof value.value === 'string' &&
      /^0?[0-7]{3}$/.test(value.value)
    ) {
      apiSocketMode = parseInt(value.value, 8);
    } else {
      issues.error(
        spec.pathOf('apiSocketMode'),
        `must be a quoted octal mode such as "0600", got ${describeNode(value)}`,
        modeEntry.line,
      );
    }
  }
  const logLevel = spec.string('logLevel', DEFAULT_AGENT_CONFIG.logLevel);
  const knownLevel = LOG_LEVELS.find((level) => level === logLevel);
  if (knownLevel === undefined) {
    issues.error(
      spec.pathOf('logLevel'),
      `must be one of ${LOG_LEVELS.join(', ')}, got ${quote(logLevel)}`,
      spec.entry('logLevel')?.line,
    );
  }
  const metricsListenAddress = readListenAddress(spec, 'metricsListenAddress', issues);
  spec.finish();
  return {
    apiSocketPath,
    apiSocketMode,
    logLevel: knownLevel ?? DEFAULT_AGENT_CONFIG.logLevel,
    ...(metricsListenAddress === undefined ? {} : { metricsListenAddress }),
  };
}

/** `host:port` or `[ipv6]:port`, port 1-65535. */
function readListenAddress(
  spec: MapReader,
  key: string,
  issues: IssueCollector,
): { host: string; port: number } | undefined {
  const text = spec.string(key, undefined);
  if (text === undefined) return undefined;
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([A-Za-z0-9.-]+)):(\d{1,5})$/.exec(text);
  const host = match?.[1] ?? match?.[2];
  const port = Number(match?.[3]);
  // The URL parser checks an IPv6 literal and a host name the way a listener would need them.
  const usableHost =
    host !== undefined &&
    URL.canParse(`http://${match?.[1] === undefined ? host : `[${host}]`}/`) &&
    (match?.[2] === undefined || !/^[.-]|[.-]$|\.\./.test(host));
  if (!usableHost || !Number.isInteger(port) || port < 1 || port > 65535) {
    issues.error(
      spec.pathOf(key),
      `must be host:port such as 127.0.0.1:9465, got ${quote(text)}`,
      spec.entry(key)?.line,
    );
    return undefined;
  }
  return { host, port };
}
