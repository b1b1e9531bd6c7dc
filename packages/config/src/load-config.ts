import type { ConfigIssue, ConfigNode } from './config-node.js';
import { type AttestorConfig, DEFAULT_AGENT_CONFIG, DEFAULT_DOCKER_CONFIG } from './model.js';
import { IssueCollector, MapReader, quote } from './reader.js';
import { readAgentSpec, readWorkloadAttestationSpec } from './sections.js';
import { nearestName } from './suggest.js';
import { lintWorkloadIdentity, readWorkloadIdentitySpec } from './workload-identity-section.js';

const SECTIONS = ['WorkloadAttestation', 'Agent', 'WorkloadIdentity'] as const;
type SectionName = (typeof SECTIONS)[number];
const SCHEMAS: Readonly<Record<SectionName, readonly string[]>> = {
  WorkloadAttestation: ['v1'],
  Agent: ['v1'],
  WorkloadIdentity: ['v1'],
};

export type ConfigLoadResult =
  | {
      readonly ok: true;
      readonly config: AttestorConfig;
      readonly warnings: readonly ConfigIssue[];
    }
  | {
      readonly ok: false;
      readonly errors: readonly ConfigIssue[];
      readonly warnings: readonly ConfigIssue[];
    };

/**
 * Validates the documents of a configuration file and applies defaults. Every document is a
 * section: `section: <name>`, `schema: v1`, `spec: {...}`. Each section may appear once; an
 * absent section takes its defaults. All issues of all documents are reported together.
 */
export function loadConfig(documents: readonly ConfigNode[]): ConfigLoadResult {
  const issues: ConfigIssue[] = [];
  let docker = DEFAULT_DOCKER_CONFIG;
  let agent = DEFAULT_AGENT_CONFIG;
  let workloadIdentity: AttestorConfig['workloadIdentity'];
  const seen = new Map<SectionName, number | undefined>();
  const many = documents.length > 1;

  documents.forEach((document, index) => {
    const collector = new IssueCollector(many ? index + 1 : undefined);
    const root = MapReader.of(document, '', collector);
    if (root === undefined) {
      issues.push(...collector.issues);
      return;
    }
    const section = readSectionName(root, collector);
    const schemaEntry = root.entry('schema');
    const specEntry = root.entry('spec');
    if (section === undefined) {
      issues.push(...collector.issues);
      return;
    }
    const previous = seen.get(section);
    if (seen.has(section)) {
      collector.error(
        'section',
        `section ${section} appears more than once (first at line ${String(previous ?? '?')})`,
        root.entry('section')?.line,
      );
    }
    seen.set(section, root.entry('section')?.line);
    const schema = schemaEntry?.value;
    if (schema === undefined) {
      collector.error(
        'schema',
        `required (supported for ${section}: ${SCHEMAS[section].join(', ')})`,
        root.line,
      );
    } else if (!(
      schema.kind === 'scalar' &&
      typeof schema.value === 'string' &&
      SCHEMAS[section].includes(schema.value)
    )) {
      const shown =
        schema.kind !== 'scalar'
          ? 'a non-string'
          : typeof schema.value === 'string'
            ? quote(schema.value)
            : JSON.stringify(schema.value);
      collector.error(
        'schema',
        `unsupported schema version ${shown} for section ${section} (supported: ${SCHEMAS[section].join(', ')})`,
        schema.line ?? schemaEntry?.line,
      );
    }
    root.finish();
    const spec =
      specEntry === undefined
        ? undefined
        : MapReader.of(specEntry.value, 'spec', collector, specEntry.line);
    if (specEntry === undefined) collector.error('spec', 'required', root.line);
    if (spec !== undefined) {
      switch (section) {
        case 'WorkloadAttestation':
          docker = readWorkloadAttestationSpec(spec, collector);
          break;
        case 'Agent':
          agent = readAgentSpec(spec, collector);
          break;
        case 'WorkloadIdentity':
          workloadIdentity = readWorkloadIdentitySpec(spec, collector);
          break;
      }
    }
    issues.push(...collector.issues);
  });

  if (!docker.enabled && !issues.some((issue) => issue.severity === 'error')) {
    // Not an error (an agent may be deployed before it is configured), but never silent:
    // every attestation would be refused. (An invalid file says why on its own.)
    issues.push({
      severity: 'warning',
      path: 'spec.docker.enabled',
      message:
        'no attestation is on: Docker attestation is off (the default is false), so every attestation is refused with attestation_disabled',
    });
  }
  if (workloadIdentity !== undefined)
    issues.push(...lintWorkloadIdentity(workloadIdentity, docker));
  const errors = issues.filter((issue) => issue.severity === 'error');
  const warnings = issues.filter((issue) => issue.severity === 'warning');
  if (errors.length > 0) return { ok: false, errors, warnings };
  return {
    ok: true,
    config: { docker, agent, ...(workloadIdentity === undefined ? {} : { workloadIdentity }) },
    warnings,
  };
}

function readSectionName(root: MapReader, issues: IssueCollector): SectionName | undefined {
  const entry = root.entry('section');
  if (entry === undefined) {
    issues.error('section', `required (one of ${SECTIONS.join(', ')})`, root.line);
    return undefined;
  }
  const { value } = entry;
  const name = value.kind === 'scalar' && typeof value.value === 'string' ? value.value : undefined;
  const known = SECTIONS.find((section) => section === name);
  if (known !== undefined) return known;
  const suggestion = name === undefined ? undefined : nearestName(name, SECTIONS);
  const hint =
    suggestion === undefined
      ? `known sections: ${SECTIONS.join(', ')}`
      : `did you mean ${suggestion}?`;
  issues.error(
    'section',
    `unknown section ${name === undefined ? 'null' : quote(name)}; ${hint}`,
    value.line ?? entry.line,
  );
  return undefined;
}
