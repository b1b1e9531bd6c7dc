import { describe, expect, it } from 'vitest';

import * as der from './der.js';

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

describe('DER', () => {
  it('writes short and long lengths', () => {
    expect(hex(der.octetString(Buffer.alloc(3)))).toBe('0403000000');
    expect(hex(der.octetString(Buffer.alloc(200))).slice(0, 6)).toBe('0481c8');
    expect(hex(der.octetString(Buffer.alloc(300))).slice(0, 8)).toBe('0482012c');
  });

  it('writes object identifiers, large arcs included', () => {
    expect(hex(der.objectIdentifier('1.2.840.10045.4.3.2'))).toBe('06082a8648ce3d040302');
    expect(hex(der.objectIdentifier('2.5.29.17'))).toBe('0603551d11');
  });

  it('writes unsigned integers without extra zeros, and with a sign byte when needed', () => {
    expect(hex(der.unsignedInteger(Buffer.of(0, 0, 5)))).toBe('020105');
    expect(hex(der.unsignedInteger(Buffer.of(0x80)))).toBe('02020080');
    expect(hex(der.unsignedInteger(Buffer.of(0)))).toBe('020100');
  });

  it('writes UTCTime through 2049 and GeneralizedTime after', () => {
    expect(
      Buffer.from(der.time(new Date('2049-12-31T23:59:59Z')))
        .subarray(2)
        .toString(),
    ).toBe('491231235959Z');
    expect(hex(der.time(new Date('2049-12-31T23:59:59Z'))).slice(0, 2)).toBe('17');
    expect(
      Buffer.from(der.time(new Date('2050-01-01T00:00:00Z')))
        .subarray(2)
        .toString(),
    ).toBe('20500101000000Z');
    expect(hex(der.time(new Date('2050-01-01T00:00:00Z'))).slice(0, 2)).toBe('18');
  });

  it('writes strings and constructed elements', () => {
    expect(hex(der.printableString('US'))).toBe('13025553');
    expect(hex(der.utf8String('é'))).toBe('0c02c3a9');
    expect(hex(der.set(der.sequence()))).toBe('31023000');
    expect(hex(der.explicit(3, der.bitString(Buffer.of(1))))).toBe('a30403020001');
  });
});
