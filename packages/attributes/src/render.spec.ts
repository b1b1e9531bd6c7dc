import { describe, expect, it } from 'vitest';

import { AttributeSet } from './attribute-set.js';
import { AttributeError } from './errors.js';
import { labelAttributeName } from './names.js';
import {
  escapePathSegment,
  renderSpiffeIdPath,
  renderTemplate,
  spiffeIdPathTemplateProblem,
  unescapePathSegment,
} from './render.js';
import { parseTemplate } from './template.js';

const attributes = AttributeSet.builder()
  .string(labelAttributeName('com.example.app'), 'payments')
  .string(labelAttributeName('team "core"'), 'core')
  .string('docker.container.image', 'envoyproxy/envoy:v1.29.1')
  .string('docker.container.env.APP_NAME', 'bad value')
  .uint64('docker.image.signature.log_index', 12345n)
  .string(labelAttributeName('team'), 'admin/prod')
  .string(labelAttributeName('dots'), '..')
  .string(labelAttributeName('empty'), '')
  .done();

/** The AttributeError a call throws. */
function thrownBy(call: () => unknown): AttributeError {
  try {
    call();
  } catch (error) {
    if (AttributeError.is(error)) return error;
    throw error;
  }
  throw new Error('expected an AttributeError');
}

describe(renderTemplate, () => {
  it('substitutes strings and uint64 values', () => {
    const template = parseTemplate(
      '{{docker.container.image}}#{{docker.image.signature.log_index}}',
    );
    expect(renderTemplate(template, attributes)).toBe('envoyproxy/envoy:v1.29.1#12345');
  });

  it('finds labels whose keys need escaping', () => {
    expect(
      renderTemplate(parseTemplate('{{docker.container.label["team \\"core\\""]}}'), attributes),
    ).toBe('core');
  });

  it('fails with a missing-attribute error naming the attribute', () => {
    const template = parseTemplate('/x/{{docker.image.signature.subject}}');
    expect(() => renderTemplate(template, attributes)).toThrow(
      expect.objectContaining({
        code: 'missing_attribute',
        attribute: 'docker.image.signature.subject',
        message: 'missing attribute docker.image.signature.subject (referenced at column 4)',
      }),
    );
  });
});

describe(renderSpiffeIdPath, () => {
  it('renders the specification example', () => {
    const template = parseTemplate('/workloads/{{docker.container.label["com.example.app"]}}');
    expect(renderSpiffeIdPath(template, attributes)).toBe('/workloads/payments');
  });

  it.each([
    ['workloads/x', "does not start with '/'"],
    ['/a//b', 'has segment 2 that is empty'],
    ['/a/', 'has segment 2 that is empty'],
    ['/a/./b', 'has segment 2 that is "."'],
    ['/a/..', 'has segment 2 that is ".."'],
    [
      '/a:b',
      "has segment 1 that has the character U+003A; allowed are letters, digits, '.', '-' and '_'",
    ],
    [
      '/x/{{docker.container.image}}',
      "would take the value of docker.container.image (column 4), which is not a single path segment: it has the character U+002F; allowed are letters, digits, '.', '-' and '_'",
    ],
    [
      '/{{docker.container.env.APP_NAME}}',
      'would take the value of docker.container.env.APP_NAME (column 2), which is not a single path segment: it has the character U+0020',
    ],
    [`/${'a'.repeat(2048)}`, 'is longer than 2048 characters'],
  ])('refuses %j with invalid_spiffe_id_path', (source, reason) => {
    const error = thrownBy(() => renderSpiffeIdPath(parseTemplate(source), attributes));
    expect(error.code).toBe('invalid_spiffe_id_path');
    expect(error.message).toContain(reason);
  });

  describe('having a value that would reshape the path', () => {
    it.each([
      ['a slash, which would add a segment', 'team', 'has the character U+002F'],
      ['"..", which would climb a segment', 'dots', 'is ".."'],
      ['an empty value, which would leave a segment empty', 'empty', 'is empty'],
    ])('refuses %s', (_case, label, reason) => {
      const template = parseTemplate(`/teams/{{docker.container.label["${label}"]}}/svc`);
      const error = thrownBy(() => renderSpiffeIdPath(template, attributes));
      expect(error.code).toBe('invalid_spiffe_id_path');
      expect(error.message).toContain(
        `would take the value of docker.container.label["${label}"] (column 8), which is not a single path segment: it ${reason}`,
      );
    });

    it('allows a value that is part of a segment', () => {
      const template = parseTemplate('/svc-{{docker.container.label["com.example.app"]}}-v1');
      expect(renderSpiffeIdPath(template, attributes)).toBe('/svc-payments-v1');
    });
  });

  it('never puts the rendered value in the error', () => {
    expect(() =>
      renderSpiffeIdPath(parseTemplate('/{{docker.container.env.APP_NAME}}'), attributes),
    ).toThrow(
      expect.not.objectContaining({ message: expect.stringContaining('bad value') as unknown }),
    );
  });
});

describe(spiffeIdPathTemplateProblem, () => {
  it.each([
    ['/workloads/{{docker.container.image}}', undefined],
    ['/svc-{{docker.container.image}}-v1/x', undefined],
    ['workloads', "does not start with '/'"],
    ['/', 'has segment 1 that is empty'],
    ['//a', 'has segment 1 that is empty'],
    ['/a/', 'has segment 2 that is empty'],
    ['/a/../b', 'has segment 2 that is ".."'],
    ['/a/./b', 'has segment 2 that is "."'],
    [
      '/a/b c',
      "has segment 2 that has the character U+0020; allowed are letters, digits, '.', '-' and '_'",
    ],
  ])('having %j says %j', (source, problem) => {
    expect(spiffeIdPathTemplateProblem(parseTemplate(source))).toBe(problem);
  });
});

describe(escapePathSegment, () => {
  it.each([
    [
      'https://github.com/org/repo/.github/workflows/release.yml@refs/heads/main',
      'https_3A_2F_2Fgithub.com_2Forg_2Frepo_2F.github_2Fworkflows_2Frelease.yml_40refs_2Fheads_2Fmain',
    ],
    ['release@example.com', 'release_40example.com'],
    ['snake_case', 'snake__case'],
    ['_41', '__41'],
    ['.', '_2E'],
    ['..', '_2E_2E'],
    ['...', '...'],
    ['zürich', 'z_C3_BCrich'],
    ['', ''],
  ])('escapes %j as %j, and back', (value, escaped) => {
    expect(escapePathSegment(value)).toBe(escaped);
    expect(unescapePathSegment(escaped)).toBe(value);
  });

  it('always makes one valid segment of a non-empty value', () => {
    const attributes = (value: string) =>
      AttributeSet.builder().string('docker.image.signature.subject', value).done();
    const template = parseTemplate('/signers/{{ docker.image.signature.subject | segment }}');
    for (const value of ['a/b', '..', 'https://x.example/a?b=c#d', '\u0000\u{1F600}', '_/_'])
      expect(unescapePathSegment(renderSpiffeIdPath(template, attributes(value)).slice(9))).toBe(
        value,
      );
    // Without the filter, such a value is refused.
    expect(() =>
      renderSpiffeIdPath(
        parseTemplate('/signers/{{docker.image.signature.subject}}'),
        attributes('a/b'),
      ),
    ).toThrow(expect.objectContaining({ code: 'invalid_spiffe_id_path' }));
  });

  it('refuses text it cannot have made', () => {
    for (const segment of ['a_', 'a_4', 'a_zz', 'a/b', '_FF'])
      expect(() => unescapePathSegment(segment), segment).toThrow();
  });
});
