import {
  AttributeError,
  DOCKER_CONTAINER_ENV_PREFIX,
  DOCKER_RUNTIME,
  DOCKER_RUNTIME_OWNER_UID,
  isKnownAttributeName,
  parseTemplate,
  SIGNATURE_INTEGRATED_TIME,
  SIGNATURE_LOG_ID,
  SIGNATURE_LOG_INDEX,
  SIGNATURE_SIGNED_ENTRY_TIMESTAMP,
  spiffeIdPathTemplateProblem,
  type Template,
} from '@attestor/attributes';
import { IdentityGlob } from '@attestor/identity-glob';

import type { ConfigIssue } from './config-node.js';
import {
  DEFAULT_WORKLOAD_IDENTITY,
  type DockerAttestationConfig,
  type IdentityConfig,
  type IdentityMatch,
  type UpstreamAuthorityConfig,
  type WorkloadIdentityConfig,
  type X509SubjectTemplates,
} from './model.js';
import { childPath, describeNode, type IssueCollector, MapReader, quote } from './reader.js';
import { absolutePath, type DurationBounds, readDuration } from './sections.js';

const DNS_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
const IDENTITY_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const CLAIM_NAME = /^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/;

/** Claims the JWT-SVID standard and RFC 7519 give their meaning; templates may not set them. */
const REGISTERED_CLAIMS = new Set(['iss', 'sub', 'aud', 'exp', 'nbf', 'iat', 'jti']);

const SUBJECT_FIELDS = ['country', 'organization', 'organizationalUnit', 'commonName'] as const;

const X509_TTL: DurationBounds = {
  minMs: 1_000,
  maxMs: 30 * 24 * 3_600_000,
  described: 'from 1s to 720h such as 1h or 30m',
};
const JWT_TTL: DurationBounds = {
  minMs: 1_000,
  maxMs: 24 * 3_600_000,
  described: 'from 1s to 24h such as 5m',
};

/** `spec` of section WorkloadIdentity v1. */
export function readWorkloadIdentitySpec(
  spec: MapReader,
  issues: IssueCollector,
): WorkloadIdentityConfig | undefined {
  const trustDomain = readTrustDomain(spec, issues);
  const workloadApiSocketPath =
    absolutePath(spec, 'workloadApiSocketPath', issues) ??
    DEFAULT_WORKLOAD_IDENTITY.workloadApiSocketPath;
  const stateDirectory =
    absolutePath(spec, 'stateDirectory', issues) ?? DEFAULT_WORKLOAD_IDENTITY.stateDirectory;
  const x509SvidTtlMs = readDuration(
    spec,
    'x509SvidTtl',
    DEFAULT_WORKLOAD_IDENTITY.x509SvidTtlMs,
    issues,
    X509_TTL,
  );
  const jwtSvidTtlMs = readDuration(
    spec,
    'jwtSvidTtl',
    DEFAULT_WORKLOAD_IDENTITY.jwtSvidTtlMs,
    issues,
    JWT_TTL,
  );
  // The older form: one template for every rootful container, which still works.
  const pathTemplate = spec.string('pathTemplate', undefined);
  const allowRootlessRuntimes = spec.boolean('allowRootlessRuntimes', undefined);
  const identitiesEntry = spec.entry('identities');
  const authority = readAuthority(spec, issues);
  spec.finish();

  let identities: IdentityConfig[] = [];
  let valid = true;
  if (pathTemplate !== undefined && identitiesEntry !== undefined) {
    issues.error(
      spec.pathOf('pathTemplate'),
      'give either pathTemplate (one identity for every container) or identities, not both',
      spec.entry('pathTemplate')?.line,
    );
    valid = false;
  } else if (pathTemplate !== undefined) {
    const checked = checkPathTemplate(
      pathTemplate,
      spec.pathOf('pathTemplate'),
      spec.entry('pathTemplate')?.line,
      issues,
    );
    valid = checked;
    identities = [
      {
        name: 'default',
        match: [],
        admitsRootless: allowRootlessRuntimes === true,
        pathTemplate,
        x509Subject: {},
        jwtClaims: {},
      },
    ];
  } else if (identitiesEntry === undefined) {
    issues.error(spec.pathOf('identities'), 'required: at least one identity', spec.line);
    valid = false;
  } else {
    if (allowRootlessRuntimes !== undefined)
      issues.error(
        spec.pathOf('allowRootlessRuntimes'),
        'only for pathTemplate; with identities, an identity admits rootless Podman by naming docker.runtime in its match',
        spec.entry('allowRootlessRuntimes')?.line,
      );
    const read = readIdentities(
      identitiesEntry.value,
      spec.pathOf('identities'),
      issues,
      identitiesEntry.line,
    );
    if (read === undefined) valid = false;
    else identities = read;
  }
  if (trustDomain === undefined || !valid || authority === null) return undefined;
  return {
    trustDomain,
    workloadApiSocketPath,
    stateDirectory,
    x509SvidTtlMs,
    jwtSvidTtlMs,
    identities,
    ...(authority === undefined ? {} : { authority }),
  };
}

/** `authority`: the host's intermediate CA files; null when the block is invalid. */
function readAuthority(
  spec: MapReader,
  issues: IssueCollector,
): UpstreamAuthorityConfig | undefined | null {
  const entry = spec.entry('authority');
  if (entry === undefined) return undefined;
  const reader = MapReader.of(entry.value, spec.pathOf('authority'), issues, entry.line);
  if (reader === undefined) return null;
  const required = (key: string): string | undefined => {
    const path = absolutePath(reader, key, issues);
    if (path === undefined && !reader.has(key))
      issues.error(reader.pathOf(key), 'required', reader.line);
    return path;
  };
  const certificateFile = required('certificateFile');
  const keyFile = required('keyFile');
  const bundleFile = required('bundleFile');
  const jwtKeyFile = absolutePath(reader, 'jwtKeyFile', issues);
  reader.finish();
  if (certificateFile === undefined || keyFile === undefined || bundleFile === undefined)
    return null;
  return {
    certificateFile,
    keyFile,
    bundleFile,
    ...(jwtKeyFile === undefined ? {} : { jwtKeyFile }),
  };
}

function readTrustDomain(spec: MapReader, issues: IssueCollector): string | undefined {
  const trustDomain = spec.string('trustDomain', undefined);
  if (trustDomain === undefined) {
    issues.error(spec.pathOf('trustDomain'), 'required', spec.line);
    return undefined;
  }
  if (trustDomain.length > 255 || !trustDomain.split('.').every((label) => DNS_LABEL.test(label))) {
    issues.error(
      spec.pathOf('trustDomain'),
      `must be a lower-case DNS name such as example.org, got ${quote(trustDomain)}`,
      spec.entry('trustDomain')?.line,
    );
    return undefined;
  }
  return trustDomain;
}

/** `identities`: a list of identities with unique names; undefined when any is invalid. */
function readIdentities(
  node: MapReader['node']['entries'][number]['value'],
  path: string,
  issues: IssueCollector,
  line: number | undefined,
): IdentityConfig[] | undefined {
  if (node.kind !== 'sequence' || node.items.length === 0) {
    issues.error(
      path,
      `must be a list of at least one identity, got ${describeNode(node)}`,
      node.line ?? line,
    );
    return undefined;
  }
  const identities: IdentityConfig[] = [];
  const names = new Set<string>();
  let valid = true;
  for (const [index, item] of node.items.entries()) {
    const itemPath = `${path}[${String(index)}]`;
    const identity = readIdentity(item, itemPath, issues, item.line ?? line);
    if (identity === undefined) {
      valid = false;
      continue;
    }
    if (names.has(identity.name)) {
      issues.error(
        `${itemPath}.name`,
        `${quote(identity.name)} is already the name of an identity`,
        item.line,
      );
      valid = false;
    }
    names.add(identity.name);
    identities.push(identity);
  }
  return valid ? identities : undefined;
}

function readIdentity(
  node: MapReader['node']['entries'][number]['value'],
  path: string,
  issues: IssueCollector,
  line: number | undefined,
): IdentityConfig | undefined {
  const reader = MapReader.of(node, path, issues, line);
  if (reader === undefined) return undefined;
  let valid = true;
  const name = reader.string('name', undefined);
  if (name === undefined) {
    issues.error(reader.pathOf('name'), 'required', reader.line);
    valid = false;
  } else if (!IDENTITY_NAME.test(name)) {
    issues.error(
      reader.pathOf('name'),
      `must be 1 to 64 letters, digits, '.', '_' or '-', got ${quote(name)}`,
      reader.entry('name')?.line,
    );
    valid = false;
  }
  const match = readMatch(reader, issues);
  const pathTemplate = reader.string('pathTemplate', undefined);
  if (pathTemplate === undefined) {
    issues.error(reader.pathOf('pathTemplate'), 'required', reader.line);
    valid = false;
  } else if (
    !checkPathTemplate(
      pathTemplate,
      reader.pathOf('pathTemplate'),
      reader.entry('pathTemplate')?.line,
      issues,
    )
  ) {
    valid = false;
  }
  const x509Subject = readSubject(reader, issues);
  const jwtClaims = readClaims(reader, issues);
  reader.finish();
  if (
    !valid ||
    match === undefined ||
    x509Subject === undefined ||
    jwtClaims === undefined ||
    name === undefined ||
    pathTemplate === undefined
  )
    return undefined;
  const runtime = match.find((entry) => entry.attribute === DOCKER_RUNTIME);
  return {
    name,
    match,
    admitsRootless:
      runtime !== undefined && new IdentityGlob(runtime.pattern).matches('podman-rootless'),
    pathTemplate,
    x509Subject,
    jwtClaims,
  };
}

/**
 * `match`: attribute name -> identity glob. Names are written as in templates
 * (`docker.container.label["com.example.app"]`) and must be names that can exist. A YAML
 * number is read as its decimal text, so that `docker.runtime.owner_uid: 1000` works.
 */
function readMatch(reader: MapReader, issues: IssueCollector): IdentityMatch[] | undefined {
  const entry = reader.entry('match');
  if (entry === undefined) return [];
  const map = MapReader.of(entry.value, reader.pathOf('match'), issues, entry.line);
  if (map === undefined) return undefined;
  const match: IdentityMatch[] = [];
  let valid = true;
  for (const { key, value, line } of map.node.entries) {
    const path = childPath(map.path, key);
    let attribute: string | undefined;
    try {
      const template = parseTemplate(`{{${key}}}`, isKnownAttributeName);
      attribute = template.parts.length === 1 ? template.references[0] : undefined;
    } catch (error) {
      if (!AttributeError.is(error)) throw error;
    }
    if (attribute === undefined) {
      issues.error(path, 'not an attribute name that can exist', line);
      valid = false;
      continue;
    }
    let pattern: string | undefined;
    if (value.kind === 'scalar' && typeof value.value === 'string') pattern = value.value;
    else if (
      value.kind === 'scalar' &&
      typeof value.value === 'number' &&
      Number.isSafeInteger(value.value)
    )
      pattern = String(value.value);
    if (pattern === undefined || pattern === '') {
      issues.error(
        path,
        `must be a non-empty pattern string, got ${describeNode(value)}`,
        value.line ?? line,
      );
      valid = false;
      continue;
    }
    match.push({ attribute, pattern });
  }
  return valid ? match : undefined;
}

function readSubject(reader: MapReader, issues: IssueCollector): X509SubjectTemplates | undefined {
  const entry = reader.entry('x509Subject');
  if (entry === undefined) return {};
  const subject = MapReader.of(entry.value, reader.pathOf('x509Subject'), issues, entry.line);
  if (subject === undefined) return undefined;
  const fields: Record<string, string> = {};
  let valid = true;
  for (const field of SUBJECT_FIELDS) {
    const template = subject.string(field, undefined);
    if (template === undefined) continue;
    if (!checkTemplate(template, subject.pathOf(field), subject.entry(field)?.line, issues))
      valid = false;
    fields[field] = template;
  }
  subject.finish();
  return valid ? fields : undefined;
}

function readClaims(reader: MapReader, issues: IssueCollector): Record<string, string> | undefined {
  const entry = reader.entry('jwtClaims');
  if (entry === undefined) return {};
  const claims: [string, string][] = [];
  const map = MapReader.of(entry.value, reader.pathOf('jwtClaims'), issues, entry.line);
  if (map === undefined) return undefined;
  let valid = true;
  for (const { key, value, line } of map.node.entries) {
    const path = childPath(map.path, key);
    if (REGISTERED_CLAIMS.has(key)) {
      issues.error(
        path,
        `${key} is a registered claim that the agent sets; choose another name`,
        line,
      );
      valid = false;
      continue;
    }
    if (!CLAIM_NAME.test(key)) {
      issues.error(path, 'a claim name is a letter or _, then letters, digits, _, . or -', line);
      valid = false;
      continue;
    }
    if (value.kind !== 'scalar' || typeof value.value !== 'string') {
      issues.error(
        path,
        `must be a string template, got ${describeNode(value)}`,
        value.line ?? line,
      );
      valid = false;
      continue;
    }
    if (!checkTemplate(value.value, path, value.line ?? line, issues)) valid = false;
    claims.push([key, value.value]);
  }
  // Own data properties (a claim named __proto__ is a claim, not a prototype).
  return valid ? Object.fromEntries(claims) : undefined;
}

/** The template, parsed against the attribute catalog; undefined (reported) when it cannot be. */
function parseChecked(
  template: string,
  path: string,
  line: number | undefined,
  issues: IssueCollector,
): Template | undefined {
  try {
    return parseTemplate(template, isKnownAttributeName);
  } catch (error) {
    if (!AttributeError.is(error)) throw error;
    issues.error(path, error.message, line);
    return undefined;
  }
}

function checkTemplate(
  template: string,
  path: string,
  line: number | undefined,
  issues: IssueCollector,
): boolean {
  return parseChecked(template, path, line, issues) !== undefined;
}

function checkPathTemplate(
  template: string,
  path: string,
  line: number | undefined,
  issues: IssueCollector,
): boolean {
  const parsed = parseChecked(template, path, line, issues);
  if (parsed === undefined) return false;
  if (!template.startsWith('/')) {
    issues.error(path, "must start with '/'", line);
    return false;
  }
  // Its literal text alone must make a valid path (`/`, `//`, `/a/../b` never can).
  const problem = spiffeIdPathTemplateProblem(parsed);
  if (problem !== undefined) {
    issues.error(path, problem, line);
    return false;
  }
  return true;
}

const LOG_ATTRIBUTES = new Set([
  SIGNATURE_LOG_ID,
  SIGNATURE_LOG_INDEX,
  SIGNATURE_INTEGRATED_TIME,
  SIGNATURE_SIGNED_ENTRY_TIMESTAMP,
]);

/**
 * Warnings about identities that the file's own configuration keeps from ever being issued
 * or matched (an env variable outside `includeEnvVars`, a signature attribute with Sigstore
 * off, a rootless-only attribute in an identity that cannot match rootless), and about
 * rootless identities that any rootless user could claim.
 */
export function lintWorkloadIdentity(
  identity: WorkloadIdentityConfig,
  docker: DockerAttestationConfig,
): ConfigIssue[] {
  const warnings: ConfigIssue[] = [];
  const warn = (path: string, message: string): void => {
    warnings.push({ severity: 'warning', path, message });
  };
  const whyAbsent = (attribute: string, admitsRootless: boolean): string | undefined => {
    if (attribute.startsWith(DOCKER_CONTAINER_ENV_PREFIX)) {
      const name = attribute.slice(DOCKER_CONTAINER_ENV_PREFIX.length);
      if (!docker.includeEnvVars.some((prefix) => name.startsWith(prefix)))
        return `${attribute} is never produced: no spec.docker.includeEnvVars prefix matches ${name}`;
    }
    if (attribute.startsWith('docker.image.signature.')) {
      if (docker.sigstore?.enabled !== true)
        return `${attribute} is never produced: Sigstore verification is off`;
      if (docker.sigstore.skipTransparencyLog && LOG_ATTRIBUTES.has(attribute))
        return `${attribute} is never produced: skipTransparencyLog is on`;
    }
    if (attribute === DOCKER_RUNTIME_OWNER_UID && !admitsRootless)
      return `${attribute} is produced only for rootless Podman, which this identity never matches`;
    return undefined;
  };
  for (const [index, entry] of identity.identities.entries()) {
    const path = `spec.identities[${String(index)}]`;
    for (const { attribute } of entry.match) {
      const reason = whyAbsent(attribute, entry.admitsRootless);
      if (reason !== undefined) warn(`${path}.match`, `this identity can never match: ${reason}`);
    }
    const templates: [string, string][] = [
      ['pathTemplate', entry.pathTemplate],
      // The subject has only optional fields, which Object.entries cannot type by itself.
      ...(Object.entries(entry.x509Subject) as [string, string][]).map(
        ([field, template]): [string, string] => [`x509Subject.${field}`, template],
      ),
      ...Object.entries(entry.jwtClaims).map(([claim, template]): [string, string] => [
        `jwtClaims.${claim}`,
        template,
      ]),
    ];
    for (const [field, template] of templates)
      for (const attribute of parseTemplate(template).references) {
        const reason = whyAbsent(attribute, entry.admitsRootless);
        if (reason !== undefined)
          warn(`${path}.${field}`, `this template can never render: ${reason}`);
      }
    if (
      entry.admitsRootless &&
      !entry.match.some(({ attribute }) => attribute === DOCKER_RUNTIME_OWNER_UID)
    )
      warn(
        `${path}.match`,
        'this identity admits rootless Podman without pinning docker.runtime.owner_uid: any user who runs their own Podman can claim it',
      );
  }
  return warnings;
}
