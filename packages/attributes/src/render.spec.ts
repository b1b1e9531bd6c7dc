import { describe, expect, it } from 'vitest';

import { AttributeSet } from './attribute-set.js';
import { labelAttributeName } from './names.js';
import { renderSpiffeIdPath, renderTemplate } from './render.js';
import { parseTemplate } from './template.js';

const attributes = AttributeSet.builder()
  .string(labelAttributeName('com.example.app'), 'payments')
  .string(labelAttributeName('team "core"'), 'core')
  .string('docker.container.image', 'envoyproxy/envoy:v1.29.1')
  .string('docker.container.env.APP_NAME', 'bad value')
  .uint64('docker.image.signature.log_index', 12345n)
  .done();

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
    ['/a//b', 'has an empty segment 2'],
    ['/a/', 'has an empty segment 2'],
    ['/a/./b', 'has segment 2 "."'],
    ['/a/..', 'has segment 2 ".."'],
    ['/{{docker.container.image}}', 'has the character U+003A in segment 2'],
    ['/{{docker.container.env.APP_NAME}}', 'has the character U+0020 in segment 1'],
    [`/${'a'.repeat(2048)}`, 'is longer than 2048 characters'],
  ])('refuses %j', (source, reason) => {
    expect(() => renderSpiffeIdPath(parseTemplate(source), attributes)).toThrow(reason);
  });

  it('never puts the rendered value in the error', () => {
    expect(() =>
      renderSpiffeIdPath(parseTemplate('/{{docker.container.env.APP_NAME}}'), attributes),
    ).toThrow(
      expect.not.objectContaining({ message: expect.stringContaining('bad value') as unknown }),
    );
  });
});
