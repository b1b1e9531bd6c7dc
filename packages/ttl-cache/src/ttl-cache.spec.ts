import { FakeClock } from '@attestor/testing';
import { describe, expect, it } from 'vitest';

import { TtlCache } from './ttl-cache.js';

const bytesOfText = (key: string, value: string) => 2 * (key.length + value.length);

describe(TtlCache, () => {
  it('serves an entry until its TTL has passed on the monotonic clock, then drops it', () => {
    const clock = new FakeClock();
    const cache = new TtlCache<string>(clock, { ttlMs: 1000, maxEntries: 10 });
    cache.set('a', 'one');
    clock.advance(999);
    expect(cache.get('a')).toBe('one');
    clock.advance(1);
    expect(cache.get('a')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('ignores the wall clock: a step of it neither stretches nor cuts a TTL', () => {
    let wall = 0;
    let monotonic = 0;
    const clock = { now: () => wall, monotonic: () => monotonic };
    const cache = new TtlCache<string>(clock, { ttlMs: 1000, maxEntries: 10 });
    cache.set('a', 'one');
    wall += 10_000_000;
    expect(cache.get('a')).toBe('one');
    wall -= 20_000_000;
    monotonic += 1000;
    expect(cache.get('a')).toBeUndefined();
  });

  it('takes a TTL per entry, and stores nothing for a TTL of 0 or less', () => {
    const clock = new FakeClock();
    const cache = new TtlCache<string>(clock, { ttlMs: 1000, maxEntries: 10 });
    cache.set('short', 's', 10);
    cache.set('none', 'n', 0);
    cache.set('negative', 'n', -5);
    clock.advance(10);
    expect(cache.get('short')).toBeUndefined();
    expect(cache.get('none')).toBeUndefined();
    expect(cache.get('negative')).toBeUndefined();
  });

  it('evicts the oldest entry beyond maxEntries, and a set key counts as new', () => {
    const cache = new TtlCache<string>(new FakeClock(), { ttlMs: 1000, maxEntries: 2 });
    cache.set('a', '1');
    cache.set('b', '2');
    cache.set('a', '1 again');
    cache.set('c', '3');
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBe('1 again');
    expect(cache.get('c')).toBe('3');
  });

  it('evicts the oldest entries beyond maxBytes, and never stores one larger than it', () => {
    const cache = new TtlCache<string>(new FakeClock(), {
      ttlMs: 1000,
      maxEntries: 100,
      maxBytes: 40,
      sizeOf: bytesOfText,
    });
    cache.set('a', 'xxxxxxxx'); // 18 bytes
    cache.set('b', 'yyyyyyyy'); // 18 bytes
    expect(cache.bytes).toBe(36);
    cache.set('c', 'zzzzzzzz');
    expect(cache.get('a')).toBeUndefined();
    expect(cache.bytes).toBe(36);
    cache.set('huge', 'h'.repeat(100));
    expect(cache.get('huge')).toBeUndefined();
    expect(cache.get('b')).toBe('yyyyyyyy');
  });

  it('frees expired entries as new ones arrive, without their being looked up', () => {
    const clock = new FakeClock();
    const cache = new TtlCache<string>(clock, {
      ttlMs: 1000,
      maxEntries: 100,
      maxBytes: 1_000_000,
      sizeOf: bytesOfText,
    });
    for (let index = 0; index < 50; index++) cache.set(`old-${String(index)}`, 'x'.repeat(100));
    clock.advance(1000);
    cache.set('new', 'x');
    expect(cache.size).toBe(1);
    expect(cache.bytes).toBe(bytesOfText('new', 'x'));
  });

  it('forgets everything on clear', () => {
    const cache = new TtlCache<string>(new FakeClock(), {
      ttlMs: 1000,
      maxEntries: 10,
      sizeOf: bytesOfText,
    });
    cache.set('a', '1');
    cache.clear();
    expect(cache.get('a')).toBeUndefined();
    expect(cache.size).toBe(0);
    expect(cache.bytes).toBe(0);
  });
});
