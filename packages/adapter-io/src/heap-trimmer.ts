import { PerformanceObserver } from 'node:perf_hooks';

import { mallocTrim } from './kernel.js';

/**
 * Gives the C heap's free pages back to the kernel a while after the JavaScript heap was
 * collected. glibc keeps what was freed inside its heap mapped (below the top of an arena, or
 * in another thread's arena): after a burst of work, such as 1,000 SVIDs signed at once whose
 * OpenSSL keys and HTTP/2 buffers are then freed, the agent held 9 MiB it no longer used.
 * malloc_trim(3) returns them in about a millisecond. It runs only after garbage collections,
 * so an idle process does nothing, and at most once per `delayMs`. A trim that throws stops
 * the trimming (the memory stays as glibc keeps it) and is told to `onError`.
 */
export class HeapTrimmer {
  #observer: PerformanceObserver | undefined;
  #timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly onError: (error: unknown) => void,
    private readonly trim: () => unknown = mallocTrim,
    private readonly delayMs = 1_000,
  ) {}

  start(): void {
    if (this.#observer !== undefined) return;
    this.#observer = new PerformanceObserver(() => {
      this.#timer ??= setTimeout(() => {
        this.#timer = undefined;
        try {
          this.trim();
        } catch (error) {
          this.stop();
          this.onError(error);
        }
      }, this.delayMs).unref();
    });
    this.#observer.observe({ entryTypes: ['gc'] });
  }

  stop(): void {
    this.#observer?.disconnect();
    this.#observer = undefined;
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
