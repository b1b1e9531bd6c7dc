import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { AttributeSet } from './attribute-set.js';
import { AttributeError } from './errors.js';
import { labelAttributeName } from './names.js';
import { renderSpiffeIdPath } from './render.js';
import { parseTemplate } from './template.js';

const piece = fc.oneof(
  fc.constantFrom('{{', '}}', '/', '.', '..', '["', '"]', '\\', 'docker.container.label', 'x'),
  fc.string({ maxLength: 6 }),
);
const source = fc.array(piece, { maxLength: 12 }).map((pieces) => pieces.join(''));

describe('templates against generated input', () => {
  it('parseTemplate answers or throws AttributeError', () => {
    fc.assert(
      fc.property(source, (text) => {
        try {
          const template = parseTemplate(text);
          for (const name of template.references) expect(name.length).toBeGreaterThan(0);
        } catch (error) {
          if (!AttributeError.is(error)) throw error;
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('a rendered SPIFFE ID path has only valid segments, whatever the value', () => {
    const template = parseTemplate('/team/{{docker.container.label["team"]}}/svc');
    fc.assert(
      fc.property(fc.string({ maxLength: 20 }), (value) => {
        const attributes = AttributeSet.builder().string(labelAttributeName('team'), value).done();
        try {
          const path = renderSpiffeIdPath(template, attributes);
          const segments = path.slice(1).split('/');
          expect(segments).toHaveLength(3);
          for (const segment of segments) expect(segment).toMatch(/^(?!\.\.?$)[A-Za-z0-9._-]+$/);
        } catch (error) {
          if (!(AttributeError.is(error) && error.code === 'invalid_spiffe_id_path')) throw error;
        }
      }),
      { numRuns: 3000 },
    );
  });
});
