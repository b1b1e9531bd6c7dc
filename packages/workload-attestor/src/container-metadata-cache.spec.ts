import { AttributeSet } from '@attestor/attributes';
import type { ImageDetails, RuntimeEndpoint } from '@attestor/ports';
import { FakeClock } from '@attestor/testing';
import { describe, expect, it } from 'vitest';

import { type CachedContainer, ContainerMetadataCache } from './container-metadata-cache.js';

const DOCKER: RuntimeEndpoint = { kind: 'docker', socketPath: '/var/run/docker.sock' };
const PODMAN: RuntimeEndpoint = { kind: 'podman', socketPath: '/run/podman/podman.sock' };
const ID = 'c'.repeat(64);
const IMAGE_ID = `sha256:${'d'.repeat(64)}`;
const IMAGE: ImageDetails = { configDigest: IMAGE_ID, repoDigests: [] };

function entry(containerId = ID, endpoint = DOCKER): CachedContainer {
  return {
    endpoint,
    containerId,
    attributes: AttributeSet.builder().string('docker.container.image', 'app:1').done(),
    initPid: 4242,
    initStartTime: 100n,
    initPidNamespace: 4026532000n,
    initCgroup: `0::/docker/${containerId}\n`,
    hostPidNamespace: false,
  };
}

const current = (): boolean => true;

describe(ContainerMetadataCache, () => {
  describe('containers', () => {
    it('serves an entry only while its init process checks out, and drops it when it does not', () => {
      const cache = new ContainerMetadataCache(new FakeClock());
      cache.set(entry());
      const checked: number[] = [];
      expect(
        cache.get(DOCKER, ID, (container) => {
          checked.push(container.initPid);
          return true;
        }),
      ).toStrictEqual(entry());
      expect(checked).toStrictEqual([4242]);
      expect(cache.get(DOCKER, ID, () => false)).toBeUndefined();
      expect(cache.size).toBe(0);
      expect(cache.get(DOCKER, ID, current)).toBeUndefined();
    });

    it('keeps the same container ID on two sockets apart', () => {
      const cache = new ContainerMetadataCache(new FakeClock());
      cache.set(entry(ID, DOCKER));
      expect(cache.get(PODMAN, ID, current)).toBeUndefined();
      expect(cache.get(DOCKER, ID, current)?.endpoint).toBe(DOCKER);
    });

    it('expires an entry after its TTL on the monotonic clock', () => {
      const clock = new FakeClock();
      const cache = new ContainerMetadataCache(clock, { containerTtlMs: 1000 });
      cache.set(entry());
      clock.advance(999);
      expect(cache.get(DOCKER, ID, current)).toBeDefined();
      clock.advance(1);
      expect(cache.get(DOCKER, ID, current)).toBeUndefined();
    });

    it('serves nothing with a TTL of 0', () => {
      const cache = new ContainerMetadataCache(new FakeClock(), { containerTtlMs: 0 });
      cache.set(entry());
      expect(cache.get(DOCKER, ID, current)).toBeUndefined();
    });

    it('evicts the oldest entries beyond maxBytes, and never stores one larger than it', () => {
      const big = (id: string, labelBytes: number): CachedContainer => ({
        ...entry(id),
        attributes: AttributeSet.builder()
          .string('docker.container.label["big"]', 'x'.repeat(labelBytes))
          .done(),
      });
      const cache = new ContainerMetadataCache(new FakeClock(), { maxBytes: 20_000 });
      const ids = ['1', '2', '3'].map((digit) => digit.repeat(64));
      for (const id of ids) cache.set(big(id, 4_000));
      // Each entry is about 8.8 kB (UTF-16 text plus overhead): two fit, the oldest went.
      expect(cache.size).toBe(2);
      expect(cache.bytes).toBeLessThanOrEqual(20_000);
      expect(cache.get(DOCKER, ids[0] ?? '', current)).toBeUndefined();
      cache.set(big('4'.repeat(64), 20_000));
      expect(cache.get(DOCKER, '4'.repeat(64), current)).toBeUndefined();
      expect(cache.size).toBe(2);
    });

    it('frees expired entries as new ones arrive, without their being looked up', () => {
      const clock = new FakeClock();
      const cache = new ContainerMetadataCache(clock, { containerTtlMs: 1000 });
      for (const digit of ['1', '2', '3']) cache.set(entry(digit.repeat(64)));
      clock.advance(1000);
      cache.set(entry('4'.repeat(64)));
      expect(cache.size).toBe(1);
      expect(cache.bytes).toBeLessThan(2_000);
    });

    it('evicts the oldest entry beyond maxEntries', () => {
      const cache = new ContainerMetadataCache(new FakeClock(), { maxEntries: 2 });
      const ids = ['1', '2', '3'].map((digit) => digit.repeat(64));
      for (const id of ids) cache.set(entry(id));
      expect(cache.size).toBe(2);
      expect(cache.get(DOCKER, ids[0] ?? '', current)).toBeUndefined();
      expect(cache.get(DOCKER, ids[2] ?? '', current)).toBeDefined();
    });
  });

  describe('images', () => {
    it('serves image details per socket until their TTL', () => {
      const clock = new FakeClock();
      const cache = new ContainerMetadataCache(clock, { imageTtlMs: 60_000 });
      cache.setImage(DOCKER, IMAGE_ID, IMAGE);
      expect(cache.image(DOCKER, IMAGE_ID)).toBe(IMAGE);
      expect(cache.image(PODMAN, IMAGE_ID)).toBeUndefined();
      clock.advance(60_000);
      expect(cache.image(DOCKER, IMAGE_ID)).toBeUndefined();
    });

    it('serves nothing with a TTL of 0', () => {
      const cache = new ContainerMetadataCache(new FakeClock(), { imageTtlMs: 0 });
      cache.setImage(DOCKER, IMAGE_ID, IMAGE);
      expect(cache.image(DOCKER, IMAGE_ID)).toBeUndefined();
    });
  });

  it('forgets containers and images on clear', () => {
    const cache = new ContainerMetadataCache(new FakeClock());
    cache.set(entry());
    cache.setImage(DOCKER, IMAGE_ID, IMAGE);
    cache.clear();
    expect(cache.get(DOCKER, ID, current)).toBeUndefined();
    expect(cache.image(DOCKER, IMAGE_ID)).toBeUndefined();
  });
});
