import { FakeClock } from '@attestor/testing';
import { describe, expect, it } from 'vitest';

import { VERIFICATION_CACHE_TTL_MS, VerificationCache } from './verification-cache.js';
import type { VerificationOutcome } from './verification-outcome.js';

const verified: VerificationOutcome = {
  kind: 'verified',
  signature: { signer: { issuer: 'i', subject: 's' }, signatureBase64: 'c2ln' },
  signatureCount: 1,
};
const failed: VerificationOutcome = { kind: 'network_error', reason: 'rekor unreachable' };

function counting(outcome: VerificationOutcome): {
  verify: () => Promise<VerificationOutcome>;
  calls: () => number;
} {
  let calls = 0;
  return {
    verify: () => {
      calls++;
      return Promise.resolve(outcome);
    },
    calls: () => calls,
  };
}

describe(VerificationCache, () => {
  describe('.getOrVerify', () => {
    it('serves a success from the cache for five minutes', async () => {
      const clock = new FakeClock();
      const cache = new VerificationCache(clock);
      const source = counting(verified);
      expect(await cache.getOrVerify('img@sha256:1', source.verify)).toStrictEqual({
        outcome: verified,
        cache: 'miss',
      });
      clock.advance(VERIFICATION_CACHE_TTL_MS - 1);
      expect(await cache.getOrVerify('img@sha256:1', source.verify)).toStrictEqual({
        outcome: verified,
        cache: 'hit',
      });
      expect(source.calls()).toBe(1);
      clock.advance(1);
      expect((await cache.getOrVerify('img@sha256:1', source.verify)).cache).toBe('miss');
      expect(source.calls()).toBe(2);
    });

    it('never caches a failure', async () => {
      const cache = new VerificationCache(new FakeClock());
      const source = counting(failed);
      await cache.getOrVerify('k', source.verify);
      expect(await cache.getOrVerify('k', source.verify)).toStrictEqual({
        outcome: failed,
        cache: 'miss',
      });
      expect(source.calls()).toBe(2);
      expect(cache.size).toBe(0);
    });

    it('does not cache a thrown verification', async () => {
      const cache = new VerificationCache(new FakeClock());
      await expect(cache.getOrVerify('k', () => Promise.reject(new Error('bug')))).rejects.toThrow(
        'bug',
      );
      const source = counting(verified);
      expect((await cache.getOrVerify('k', source.verify)).cache).toBe('miss');
    });

    it('keys entries apart', async () => {
      const cache = new VerificationCache(new FakeClock());
      const source = counting(verified);
      await cache.getOrVerify('a', source.verify);
      await cache.getOrVerify('b', source.verify);
      expect(source.calls()).toBe(2);
    });

    it('shares one verification between concurrent lookups', async () => {
      const cache = new VerificationCache(new FakeClock());
      let release: (outcome: VerificationOutcome) => void = () => undefined;
      let calls = 0;
      const verify = () => {
        calls++;
        return new Promise<VerificationOutcome>((resolve) => {
          release = resolve;
        });
      };
      const first = cache.getOrVerify('k', verify);
      const second = cache.getOrVerify('k', verify);
      release(verified);
      expect(await first).toStrictEqual({ outcome: verified, cache: 'miss' });
      expect(await second).toStrictEqual({ outcome: verified, cache: 'miss' });
      expect(calls).toBe(1);
    });

    it('evicts the oldest entry when full', async () => {
      const cache = new VerificationCache(new FakeClock(), VERIFICATION_CACHE_TTL_MS, 2);
      const source = counting(verified);
      await cache.getOrVerify('a', source.verify);
      await cache.getOrVerify('b', source.verify);
      await cache.getOrVerify('c', source.verify);
      expect(cache.size).toBe(2);
      expect((await cache.getOrVerify('a', source.verify)).cache).toBe('miss');
      expect((await cache.getOrVerify('c', source.verify)).cache).toBe('hit');
    });
  });

  describe('.clear', () => {
    it('drops every entry', async () => {
      const cache = new VerificationCache(new FakeClock());
      const source = counting(verified);
      await cache.getOrVerify('k', source.verify);
      cache.clear();
      expect((await cache.getOrVerify('k', source.verify)).cache).toBe('miss');
      expect(source.calls()).toBe(2);
    });

    it('does not store a verification that was in flight under the old policy', async () => {
      const cache = new VerificationCache(new FakeClock());
      let release: (outcome: VerificationOutcome) => void = () => undefined;
      const pending = cache.getOrVerify(
        'k',
        () =>
          new Promise<VerificationOutcome>((resolve) => {
            release = resolve;
          }),
      );
      cache.clear();
      release(verified);
      await pending;
      expect(cache.size).toBe(0);
    });
  });
});
