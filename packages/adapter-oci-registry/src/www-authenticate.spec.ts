import { describe, expect, it } from 'vitest';

import { parseAuthenticateHeader } from './www-authenticate.js';

describe(parseAuthenticateHeader, () => {
  it.each([
    [
      'Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a/b:pull"',
      {
        scheme: 'bearer',
        parameters: {
          realm: 'https://auth.example/token',
          service: 'registry.example',
          scope: 'repository:a/b:pull',
        },
      },
    ],
    ['Basic realm="Registry Realm"', { scheme: 'basic', parameters: { realm: 'Registry Realm' } }],
    [
      'bearer realm=https://a.example/t, service=s',
      { scheme: 'bearer', parameters: { realm: 'https://a.example/t', service: 's' } },
    ],
    ['Bearer realm="a\\"b"', { scheme: 'bearer', parameters: { realm: 'a"b' } }],
  ])('parses %j', (header, expected) => {
    expect(parseAuthenticateHeader(header)).toStrictEqual(expected);
  });

  it.each([undefined, '', 'Negotiate abc', 'Digest realm="x"'])('ignores %j', (header) => {
    expect(parseAuthenticateHeader(header)).toBeUndefined();
  });
});
