import { describe, expect, it } from 'vitest';

import { parseAuthenticateHeader } from './www-authenticate.js';

/** A map with no prototype, as the parser returns: names come from the registry. */
function bare(entries: Record<string, string>): Record<string, string> {
  return Object.assign(Object.create(null) as Record<string, string>, entries);
}

describe(parseAuthenticateHeader, () => {
  it.each([
    [
      'Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a/b:pull"',
      {
        scheme: 'bearer',
        parameters: bare({
          realm: 'https://auth.example/token',
          service: 'registry.example',
          scope: 'repository:a/b:pull',
        }),
      },
    ],
    [
      'Basic realm="Registry Realm"',
      { scheme: 'basic', parameters: bare({ realm: 'Registry Realm' }) },
    ],
    [
      'bearer realm=https://a.example/t, service=s',
      { scheme: 'bearer', parameters: bare({ realm: 'https://a.example/t', service: 's' }) },
    ],
    ['Bearer realm="a\\"b"', { scheme: 'bearer', parameters: bare({ realm: 'a"b' }) }],
  ])('parses %j', (header, expected) => {
    expect(parseAuthenticateHeader(header)).toStrictEqual(expected);
  });

  it('keeps a parameter named __proto__ as a parameter', () => {
    const challenge = parseAuthenticateHeader('Bearer __proto__="x",realm="r"');
    expect(challenge?.parameters['__proto__']).toBe('x');
    expect(Object.keys(challenge?.parameters ?? {})).toStrictEqual(['__proto__', 'realm']);
  });

  it.each([undefined, '', 'Negotiate abc', 'Digest realm="x"'])('ignores %j', (header) => {
    expect(parseAuthenticateHeader(header)).toBeUndefined();
  });
});
