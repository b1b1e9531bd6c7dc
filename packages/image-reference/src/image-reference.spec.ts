import { describe, expect, it } from 'vitest';

import { imageDigestReference, parseImageReference } from './image-reference.js';

const D = `sha256:${'d4'.repeat(32)}`;

describe(imageDigestReference, () => {
  it.each([
    [
      `127.0.0.1:5000/team/app@${D}`,
      { registry: '127.0.0.1:5000', repository: 'team/app', digest: D },
    ],
    [`ghcr.io/org/app@${D}`, { registry: 'ghcr.io', repository: 'org/app', digest: D }],
    [
      `envoyproxy/envoy@${D}`,
      { registry: 'registry-1.docker.io', repository: 'envoyproxy/envoy', digest: D },
    ],
    [
      `busybox@${D}`,
      { registry: 'registry-1.docker.io', repository: 'library/busybox', digest: D },
    ],
  ])('reads %s', (repoDigest, expected) => {
    expect(imageDigestReference(repoDigest)).toStrictEqual(expected);
  });

  it.each([`localhost/app@${D}`, 'app@sha256:short', 'app', `@${D}`, `registry.example/@${D}`])(
    'gives nothing for %s',
    (repoDigest) => {
      expect(imageDigestReference(repoDigest)).toBeUndefined();
    },
  );
});

const F6 = `sha256:${'f6'.repeat(32)}`;

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
    [`ghcr.io/org/app@${F6}`, { registry: 'ghcr.io', repository: 'org/app', tagOrDigest: F6 }],
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
