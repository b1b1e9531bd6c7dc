import { describe, expect, it } from 'vitest';

import { AttributeError } from './errors.js';
import { isKnownAttributeName } from './names.js';
import { parseTemplate } from './template.js';

describe(parseTemplate, () => {
  describe('having the specification example', () => {
    it('parses the bracket label syntax', () => {
      const template = parseTemplate('/workloads/{{docker.container.label["com.example.app"]}}');
      expect(template.parts).toStrictEqual([
        { kind: 'literal', text: '/workloads/' },
        { kind: 'attribute', name: 'docker.container.label["com.example.app"]', column: 12 },
      ]);
      expect(template.references).toStrictEqual(['docker.container.label["com.example.app"]']);
    });
  });

  describe('having whitespace, repeats and plain braces', () => {
    it('parses them', () => {
      const template = parseTemplate('{a}/{{ docker.container.image }}-{{docker.container.image}}');
      expect(template.parts).toStrictEqual([
        { kind: 'literal', text: '{a}/' },
        { kind: 'attribute', name: 'docker.container.image', column: 5 },
        { kind: 'literal', text: '-' },
        { kind: 'attribute', name: 'docker.container.image', column: 34 },
      ]);
      expect(template.references).toStrictEqual(['docker.container.image']);
    });
  });

  describe('having escapes in a label key', () => {
    it('canonicalises the attribute name', () => {
      const template = parseTemplate('{{docker.container.label["a\\"b\\\\c\\u000a"]}}');
      expect(template.references).toStrictEqual(['docker.container.label["a\\"b\\\\c\\u000a"]']);
    });

    it('accepts upper-case \\u escapes and canonicalises them', () => {
      expect(parseTemplate('{{docker.container.label["\\u001F"]}}').references).toStrictEqual([
        'docker.container.label["\\u001f"]',
      ]);
    });
  });

  it('reads the segment filter, with or without spaces', () => {
    expect(parseTemplate('/s/{{ docker.runtime | segment }}').parts).toStrictEqual([
      { kind: 'literal', text: '/s/' },
      { kind: 'attribute', name: 'docker.runtime', column: 4, filter: 'segment' },
    ]);
    expect(parseTemplate('{{docker.runtime|segment}}').parts).toStrictEqual([
      { kind: 'attribute', name: 'docker.runtime', column: 1, filter: 'segment' },
    ]);
  });

  describe('having a syntax error', () => {
    it.each([
      ['/x/{{docker.container.image', 4, "'{{' is not closed by '}}'"],
      ['/x/{{', 4, "'{{' is not closed by '}}'"],
      ['/x/{{}}', 6, 'expected an attribute name, found "}"'],
      ['/x/{{ a b }}', 9, 'expected \'}}\', found "b"'],
      ['/x/}}', 4, "'}}' without a matching '{{'"],
      ['{{docker.container.label[com]}}', 26, "expected '\"' after '['"],
      ['{{docker.container.label["com}}', 26, 'quoted key is not closed'],
      ['{{docker.container.label["a"x}}', 29, "expected ']' after the quoted key"],
      ['{{docker.container.label["\\n"]}}', 27, 'unknown escape "\\\\n"'],
      ['{{docker.container.label["a\\', 28, 'unknown escape "\\\\"'],
      ['{{docker..image}}', 3, 'has an empty segment'],
      ['{{docker.runtime | upper}}', 20, 'unknown filter "upper"'],
      ['{{docker.runtime |}}', 19, 'unknown filter ""'],
      ['{{docker.runtime | segment x}}', 28, 'expected \'}}\', found "x"'],
    ])('reports %j at its column', (source, column, message) => {
      let caught: unknown;
      try {
        parseTemplate(source);
      } catch (error) {
        caught = error;
      }
      expect(AttributeError.is(caught)).toBe(true);
      expect(caught).toMatchObject({ code: 'template_syntax', column });
      expect((caught as Error).message).toMatch(new RegExp(`^column ${String(column)}: `));
      expect((caught as Error).message).toContain(message);
    });
  });

  describe('having an unknown attribute and a catalog', () => {
    it('rejects it with its name', () => {
      expect(() => parseTemplate('/{{docker.container.imag}}', isKnownAttributeName)).toThrow(
        expect.objectContaining({
          code: 'unknown_attribute',
          attribute: 'docker.container.imag',
          column: 2,
        }),
      );
    });
  });

  it('collects 33,000 distinct references in linear time (includes() took 5.5 s)', () => {
    const source = Array.from(
      { length: 33_000 },
      (_, index) => `{{docker.container.label["k${String(index)}"]}}`,
    ).join('/');
    const template = parseTemplate(`/${source}`);
    expect(template.references).toHaveLength(33_000);
    expect(template.references[32_999]).toBe('docker.container.label["k32999"]');
  });
});
