import { AttributeSet } from '@attestor/attributes';
import { describe, expect, it } from 'vitest';

import { signatureAttributes } from './signature-attributes.js';

describe(signatureAttributes, () => {
  const signer = { issuer: 'https://issuer.example', subject: 'https://ci.example/release' };

  it('adds every attribute when a log entry is present', () => {
    const set = signatureAttributes(AttributeSet.builder(), {
      signer,
      signatureBase64: 'c2ln',
      logEntry: {
        logId: 'abcd',
        logIndex: 42n,
        integratedTime: 1700000000n,
        signedEntryTimestamp: 'c2V0',
        bodyBase64: 'Ym9keQ==',
      },
    }).done();
    expect(set.toJSON()).toStrictEqual({
      'docker.image.signature.subject': 'https://ci.example/release',
      'docker.image.signature.issuer': 'https://issuer.example',
      'docker.image.signature.value': 'c2ln',
      'docker.image.signature.log_id': 'abcd',
      'docker.image.signature.log_index': '42',
      'docker.image.signature.integrated_time': '1700000000',
      'docker.image.signature.signed_entry_timestamp': 'c2V0',
    });
    expect(set.get('docker.image.signature.log_index')?.type).toBe('uint64');
  });

  it('omits the log attributes without a log entry', () => {
    const set = signatureAttributes(AttributeSet.builder(), {
      signer,
      signatureBase64: 'c2ln',
    }).done();
    expect(set.names()).toStrictEqual([
      'docker.image.signature.subject',
      'docker.image.signature.issuer',
      'docker.image.signature.value',
    ]);
  });

  it('gives a Rekor v2 entry its log ID and index only: it has no log time and no SET', () => {
    const set = signatureAttributes(AttributeSet.builder(), {
      signer,
      signatureBase64: 'c2ln',
      logEntry: { logId: 'ab'.repeat(32), logIndex: 7n, bodyBase64: 'e30=' },
    }).done();
    expect(set.names()).toStrictEqual([
      'docker.image.signature.subject',
      'docker.image.signature.issuer',
      'docker.image.signature.value',
      'docker.image.signature.log_id',
      'docker.image.signature.log_index',
    ]);
  });
});
