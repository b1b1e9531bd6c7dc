import { formatIssue } from '@attestor/config';
import { describe, expect, it } from 'vitest';

import { loadYamlConfig, parseYamlDocuments } from './yaml-config.js';

function errors(text: string): string[] {
  const result = loadYamlConfig(text);
  expect(result.ok).toBe(false);
  return result.ok ? [] : result.errors.map((issue) => formatIssue(issue, 'agent.yaml'));
}

describe(parseYamlDocuments, () => {
  it('converts mappings, lists and scalars with their lines', () => {
    const { documents, errors: syntax } = parseYamlDocuments(
      'a:\n  - x\n  - 2\nb: true\nc: null\n',
    );
    expect(syntax).toStrictEqual([]);
    expect(documents).toStrictEqual([
      {
        kind: 'map',
        line: 1,
        entries: [
          {
            key: 'a',
            line: 1,
            value: {
              kind: 'sequence',
              line: 2,
              items: [
                { kind: 'scalar', line: 2, value: 'x' },
                { kind: 'scalar', line: 3, value: 2 },
              ],
            },
          },
          { key: 'b', line: 4, value: { kind: 'scalar', line: 4, value: true } },
          { key: 'c', line: 5, value: { kind: 'scalar', line: 5, value: null } },
        ],
      },
    ]);
  });

  it('reads yes/no as strings (YAML 1.2 core schema)', () => {
    const { documents } = parseYamlDocuments('a: yes\n');
    expect(documents[0]).toMatchObject({ entries: [{ value: { value: 'yes' } }] });
  });

  it('resolves aliases', () => {
    const { documents } = parseYamlDocuments('x: &p [APP_]\ny: *p\n');
    expect(documents[0]).toMatchObject({
      entries: [{}, { key: 'y', value: { kind: 'sequence', items: [{ value: 'APP_' }] } }],
    });
  });
});

describe(loadYamlConfig, () => {
  describe('having hostile aliases and nesting', () => {
    /** The syntax errors of a text, as `line: message`. */
    function syntaxErrors(text: string): string[] {
      return parseYamlDocuments(text).errors.map(
        (issue) => `${String(issue.line)}: ${issue.message}`,
      );
    }

    it('refuses aliases that expand exponentially (393 bytes once took 40 s)', () => {
      const levels = ['a: &a [x, x, x, x, x, x, x, x, x]'];
      for (let level = 1; level < 9; level++) {
        const previous = String.fromCharCode(96 + level);
        const name = String.fromCharCode(97 + level);
        levels.push(`${name}: &${name} [${Array(9).fill(`*${previous}`).join(', ')}]`);
      }
      const errors = syntaxErrors(`${levels.join('\n')}\n`);
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatch(/^\d+: aliases expand to more than 10000 nodes$/);
    });

    it('refuses an alias to a node that contains it, instead of recursing forever', () => {
      expect(syntaxErrors('a: &a\n  b: *a\n')).toStrictEqual([
        '2: alias *a refers to a node that contains it',
      ]);
    });

    it('refuses an alias to no anchor', () => {
      expect(syntaxErrors('a: *nowhere\n')).toStrictEqual([
        '1: alias *nowhere refers to no anchor',
      ]);
    });

    it('refuses nesting deeper than 64 levels', () => {
      expect(syntaxErrors(`a: ${'['.repeat(100)}${']'.repeat(100)}\n`)).toStrictEqual([
        '1: nested deeper than 64 levels',
      ]);
    });

    it('names a duplicate key and where it is', () => {
      expect(
        syntaxErrors('spec:\n  docker:\n    enabled: true\n    enabled: false\n'),
      ).toStrictEqual(['4: duplicate key "enabled" in the map at line 3']);
    });

    it('checks 40,000 keys for duplicates in linear time (pairwise took 21.6 s)', () => {
      const keys = Array.from(
        { length: 40_000 },
        (_, index) => `k${String(index)}: ${String(index)}`,
      );
      expect(syntaxErrors(`${keys.join('\n')}\nk7: again\n`)).toStrictEqual([
        '40001: duplicate key "k7" in the map at line 1',
      ]);
    });

    it.each([
      ['!!binary', 'a: !!binary aGVsbG8=\n', 'tag:yaml.org,2002:binary'],
      ['!!timestamp', 'a: !!timestamp 2001-12-14\n', 'tag:yaml.org,2002:timestamp'],
    ])('refuses a %s value instead of reading it as null', (_case, text, tag) => {
      expect(syntaxErrors(text)).toStrictEqual([
        `1: a value tagged "${tag}" is not plain data (a string, number, boolean or null)`,
      ]);
    });

    it('still expands an ordinary alias', () => {
      const { documents, errors } = parseYamlDocuments('a: &p [x]\nb: *p\n');
      expect(errors).toStrictEqual([]);
      expect(documents[0]).toMatchObject({
        entries: [{ key: 'a' }, { key: 'b', value: { kind: 'sequence', items: [{ value: 'x' }] } }],
      });
    });
  });

  it('loads the specification sigstore example', () => {
    const result = loadYamlConfig(`section: WorkloadAttestation
schema: v1
spec:
  docker:
    enabled: true
    sigstore:
      enabled: true
      allowedIdentities: # Required.
        # OIDC issuer URL → list of allowed subjects. Globbing supported in both.
        "https://token.actions.githubusercontent.com":
          - "https://github.com/myorg/myrepo/.github/workflows/release.yaml@refs/heads/main"
          - "https://github.com/myorg/*/.github/workflows/release.yaml@refs/heads/main"
      rekorURL: https://rekor.sigstore.dev # Optional, defaults to this.
      skipProvenance: false # Optional, defaults to this.
      skipTransparencyLog: false # Optional, defaults to this.
`);
    expect(result.ok).toBe(true);
    expect(
      result.ok &&
        result.config.docker.sigstore?.allowedIdentities.get(
          'https://token.actions.githubusercontent.com',
        ),
    ).toHaveLength(2);
  });

  it('reports field errors with their lines, all at once', () => {
    expect(
      errors(`section: WorkloadAttestation
schema: v1
spec:
  docker:
    enabled: true
    podmanSocketPathTemplate: unix:///run/user/podman.sock
    includeEnvVar:
      - APP_
    sigstore:
      allowedIdentities: {}
      rekorURL: http://rekor.example
`),
    ).toStrictEqual([
      'agent.yaml:6: spec.docker.podmanSocketPathTemplate: must contain exactly one %d placeholder, found 0 in "unix:///run/user/podman.sock"',
      'agent.yaml:9: spec.docker.sigstore.enabled: required when the sigstore block is present',
      'agent.yaml:10: spec.docker.sigstore.allowedIdentities: must contain at least one issuer with at least one subject',
      'agent.yaml:11: spec.docker.sigstore.rekorURL: must be an https URL, got "http://rekor.example"',
      'agent.yaml:7: spec.docker.includeEnvVar: unknown field; did you mean includeEnvVars?',
    ]);
  });

  it('reports errors of every document of a multi-document file', () => {
    const result = loadYamlConfig(`section: WorkloadAttestation
schema: v2
spec: {}
---
section: Agent
schema: v1
spec:
  logLevel: loud
`);
    expect(result.ok ? [] : result.errors).toStrictEqual([
      expect.objectContaining({ path: 'schema', line: 2, document: 1 }),
      expect.objectContaining({ path: 'spec.logLevel', line: 8, document: 2 }),
    ]);
  });

  it.each([
    ['a: [1, 2\n', 2],
    ['a: 1\na: 2\n', 2],
    ['a:\n\tb: 1\n', 2],
    ['a: !custom 1\n', 1],
  ])('reports YAML syntax errors with their line: %j', (text, line) => {
    const result = loadYamlConfig(text);
    expect(result.ok).toBe(false);
    expect(result.ok ? undefined : result.errors[0]).toMatchObject({ path: 'yaml', line });
  });

  it('treats an empty file as the defaults', () => {
    const result = loadYamlConfig('');
    expect(result.ok && result.config.docker.enabled).toBe(false);
  });
});
