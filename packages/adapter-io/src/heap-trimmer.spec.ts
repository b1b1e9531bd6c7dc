import { PerformanceObserver } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

import { describe, expect, it, vi } from 'vitest';

import { HeapTrimmer } from './heap-trimmer.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** A collection, and the turn of the event loop in which observers are told of it. */
async function collect(): Promise<void> {
  let told = false;
  const probe = new PerformanceObserver(() => {
    told = true;
  });
  probe.observe({ entryTypes: ['gc'] });
  gc();
  try {
    await vi.waitFor(
      () => {
        expect(told).toBe(true);
      },
      { interval: 5 },
    );
  } finally {
    probe.disconnect();
  }
}

/**
 * Longer than the trim delays. Node tells observers of a collection in the event loop's next
 * turn, which a test that only sleeps puts off until its timer: the tests poll (vi.waitFor),
 * which keeps the loop turning.
 */
const SETTLE_MS = 150;

describe(HeapTrimmer, () => {
  it('trims once, a delay after garbage collections, however many there were', async () => {
    const trim = vi.fn();
    const trimmer = new HeapTrimmer(() => undefined, trim, 100);
    trimmer.start();
    try {
      // Three collections, each told to the observers in a turn of its own.
      await collect();
      await collect();
      await collect();
      await vi.waitFor(() => {
        expect(trim).toHaveBeenCalledTimes(1);
      });
      await sleep(SETTLE_MS);
      expect(trim).toHaveBeenCalledTimes(1);
      await collect();
      await vi.waitFor(() => {
        expect(trim).toHaveBeenCalledTimes(2);
      });
    } finally {
      trimmer.stop();
    }
  });

  it('does nothing once stopped, even with a trim pending', async () => {
    const trim = vi.fn();
    const trimmer = new HeapTrimmer(() => undefined, trim, 100);
    trimmer.start();
    await collect();
    trimmer.stop();
    await collect();
    await sleep(2 * SETTLE_MS);
    expect(trim).not.toHaveBeenCalled();
  });

  it('stops trimming when a trim throws, and says why', async () => {
    const failure = new Error('malloc_trim is gone');
    const trim = vi.fn(() => {
      throw failure;
    });
    const onError = vi.fn();
    const trimmer = new HeapTrimmer(onError, trim, 20);
    trimmer.start();
    try {
      await collect();
      await vi.waitFor(() => {
        expect(onError).toHaveBeenCalledExactlyOnceWith(failure);
      });
      await collect();
      await sleep(2 * SETTLE_MS);
      expect(trim).toHaveBeenCalledTimes(1);
    } finally {
      trimmer.stop();
    }
  });
});
