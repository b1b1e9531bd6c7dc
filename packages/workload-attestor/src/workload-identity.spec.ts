import { AttributeError, AttributeSet } from '@attestor/attributes';
import { describe, expect, it } from 'vitest';

import { spiffeIdOf } from './workload-identity.js';

const IDENTITY = {
  trustDomain: 'example.org',
  pathTemplate:
    '/workloads/{{docker.container.label["com.example.app"]}}/{{docker.image.signature.log_index}}',
};

describe(spiffeIdOf, () => {
  it('renders the path template under the trust domain', () => {
    const attributes = AttributeSet.builder()
      .string('docker.container.label["com.example.app"]', 'payments')
      .uint64('docker.image.signature.log_index', 42n)
      .done();
    expect(spiffeIdOf(IDENTITY, attributes)).toBe('spiffe://example.org/workloads/payments/42');
  });

  it('fails with missing_attribute, naming it, when a signature attribute is absent (fail-open verification)', () => {
    const attributes = AttributeSet.builder()
      .string('docker.container.label["com.example.app"]', 'payments')
      .done();
    let error: unknown;
    try {
      spiffeIdOf(IDENTITY, attributes);
    } catch (caught) {
      error = caught;
    }
    expect(AttributeError.is(error)).toBe(true);
    expect(error).toMatchObject({
      code: 'missing_attribute',
      attribute: 'docker.image.signature.log_index',
    });
  });

  it('refuses a rendered path that is not a SPIFFE ID path', () => {
    const attributes = AttributeSet.builder()
      .string('docker.container.label["com.example.app"]', 'pay/../ments')
      .uint64('docker.image.signature.log_index', 1n)
      .done();
    let error: unknown;
    try {
      spiffeIdOf(IDENTITY, attributes);
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toMatchObject({
      code: 'invalid_spiffe_id_path',
      message: expect.stringContaining(
        'would take the value of docker.container.label["com.example.app"]',
      ) as unknown,
    });
  });
});
