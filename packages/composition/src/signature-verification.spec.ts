import { describe, expect, it } from 'vitest';

import { parseImageReference } from './signature-verification.js';

const D = `sha256:${'f6'.repeat(32)}`;

describe(parseImageReference, () => {
  it.each([
    [
      '127.0.0.1:5000/team/app:1',
      { registry: '127.0.0.1:5000', repository: 'team/app', tagOrDigest: '1' },
    ],
    [
      '127.0.0.1:5000/team/app',
      { registry: '127.0.0.1:5000', repository: 'team/app', tagOrDigest: 'latest' },
    ],
    [`ghcr.io/org/app@${D}`, { registry: 'ghcr.io', repository: 'org/app', tagOrDigest: D }],
    [
      'busybox:1.36',
      { registry: 'registry-1.docker.io', repository: 'library/busybox', tagOrDigest: '1.36' },
    ],
  ])('reads %s', (reference, expected) => {
    expect(parseImageReference(reference)).toStrictEqual(expected);
  });

  it.each(['localhost/app:1', 'app@sha256:short', 'app:'])('refuses %s', (reference) => {
    expect(parseImageReference(reference)).toBeUndefined();
  });
});
