import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { loadYamlConfig } from './yaml-config.js';

const token = fc.oneof(
  fc.constantFrom(
    'section: WorkloadAttestation\n',
    'schema: v1\n',
    'spec:\n',
    '  docker:\n',
    '    enabled: true\n',
    '    includeEnvVars: [',
    ']\n',
    '---\n',
    '&a ',
    '*a',
    '!!binary ',
    '[',
    '{',
    '- ',
    ': ',
    '"',
    "'",
    '\n',
    '  ',
  ),
  fc.string({ maxLength: 8 }),
);
const text = fc.array(token, { maxLength: 30 }).map((tokens) => tokens.join(''));

describe('loadYamlConfig against generated input', () => {
  it('always answers with a result, never an exception', () => {
    fc.assert(
      fc.property(text, (yaml) => {
        const result = loadYamlConfig(yaml);
        if (!result.ok) expect(result.errors.length).toBeGreaterThan(0);
      }),
      { numRuns: 2000 },
    );
  });
});
