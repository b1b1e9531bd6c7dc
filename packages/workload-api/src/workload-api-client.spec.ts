import { describe, expect, it } from 'vitest';

import { socketPathOf, splitDer } from './workload-api-client.js';

describe(socketPathOf, () => {
  it.each([
    ['unix:///run/spiffe/api.sock', '/run/spiffe/api.sock'],
    ['unix:/run/spiffe/api.sock', '/run/spiffe/api.sock'],
    ['/run/spiffe/api.sock', '/run/spiffe/api.sock'],
  ])('reads %s', (address, path) => {
    expect(socketPathOf(address)).toBe(path);
  });

  it.each(['tcp://127.0.0.1:8081', 'unix://relative.sock', 'api.sock', ''])(
    'refuses %j, saying what it expects',
    (address) => {
      expect(() => socketPathOf(address)).toThrow('expected unix:///path or /path');
    },
  );
});

describe(splitDer, () => {
  it('splits concatenated DER elements of short and long lengths', () => {
    const short = Uint8Array.of(0x30, 0x01, 0xaa);
    const long = Uint8Array.from([0x30, 0x81, 0x80, ...new Array<number>(0x80).fill(7)]);
    const parts = splitDer(Uint8Array.from([...short, ...long]));
    expect(parts.map((part) => part.length)).toStrictEqual([3, 0x83]);
    expect(splitDer(new Uint8Array())).toStrictEqual([]);
  });

  it('refuses what is not DER, or is cut short', () => {
    expect(() => splitDer(Uint8Array.of(0x31, 0x00))).toThrow('not DER at byte 0');
    expect(() => splitDer(Uint8Array.of(0x30, 0x05, 0x01))).toThrow('DER truncated at byte 0');
    expect(() => splitDer(Uint8Array.of(0x30, 0x80))).toThrow('unsupported DER length');
  });
});
