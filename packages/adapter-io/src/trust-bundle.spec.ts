import { getCACertificates } from 'node:tls';

import { describe, expect, it } from 'vitest';

import { trustBundle } from './trust-bundle.js';

describe(trustBundle, () => {
  it('is Node’s roots and the system’s, then the extra CAs', () => {
    const extra = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
    const bundle = trustBundle(extra);
    const builtIn = [...getCACertificates('default'), ...getCACertificates('system')];
    expect(builtIn.length).toBeGreaterThan(0);
    expect(bundle).toStrictEqual([...builtIn, extra]);
    expect(trustBundle()).toStrictEqual(builtIn);
  });
});
