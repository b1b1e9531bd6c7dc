import { describe, expect, it } from 'vitest';

import { envAttributeName, isKnownAttributeName, labelAttributeName } from './names.js';

describe(labelAttributeName, () => {
  it.each([
    ['com.example.team', 'docker.container.label["com.example.team"]'],
    [
      'org.opencontainers.image/source',
      'docker.container.label["org.opencontainers.image/source"]',
    ],
    ['say "hi"', 'docker.container.label["say \\"hi\\""]'],
    ['back\\slash', 'docker.container.label["back\\\\slash"]'],
    ['new\nline', 'docker.container.label["new\\u000aline"]'],
    ['tab\there', 'docker.container.label["tab\\u0009here"]'],
    ['unit\u001fsep', 'docker.container.label["unit\\u001fsep"]'],
    ['del\u007f', 'docker.container.label["del\\u007f"]'],
    ['space ok', 'docker.container.label["space ok"]'],
    ['ключ/ü', 'docker.container.label["ключ/ü"]'],
    ['', 'docker.container.label[""]'],
  ])('having the key %j returns %s', (key, name) => {
    expect(labelAttributeName(key)).toBe(name);
  });
});

describe(envAttributeName, () => {
  it('prefixes the key', () => {
    expect(envAttributeName('APP_VERSION')).toBe('docker.container.env.APP_VERSION');
  });
});

describe(isKnownAttributeName, () => {
  it.each([
    ['docker.container.image', true],
    ['docker.container.image_config_digest', true],
    ['docker.image.signature.log_index', true],
    ['docker.container.label["a"]', true],
    ['docker.container.env.APP', true],
    ['docker.runtime', true],
    ['docker.container.env.', false],
    ['docker.container.imag', false],
    ['docker.container.label', false],
  ])('having %s returns %s', (name, known) => {
    expect(isKnownAttributeName(name)).toBe(known);
  });
});
