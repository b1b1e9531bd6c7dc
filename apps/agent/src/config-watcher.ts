import { createHash } from 'node:crypto';
import { type FSWatcher, watch } from 'node:fs';
import { dirname } from 'node:path';

import { readConfigFile } from '@attestor/adapter-yaml-config';
import type { Logger } from '@attestor/ports';

/** How long a changed file's content must stay the same before it is acted on. */
const SETTLE_MS = 50;

/**
 * Notices changes to the configuration file's content. Watches the file's directory (not the
 * file: a Kubernetes ConfigMap volume swaps a `..data` symlink atomically, which replaces the
 * file under the watcher), and also polls, which catches what events miss (a directory that
 * did not exist yet, filesystems without inotify). `onChange` runs only when the content
 * really differs from what was last seen.
 */
export class ConfigWatcher {
  #fingerprint: string | undefined;
  #watcher: FSWatcher | undefined;
  #timer: NodeJS.Timeout | undefined;
  #debounce: NodeJS.Timeout | undefined;
  #checking: Promise<void> = Promise.resolve();

  constructor(
    private readonly path: string,
    /** Called with the SHA-256 (hex) of the file's new content. */
    private readonly onChange: (sha256: string) => Promise<void>,
    private readonly logger: Logger,
    private readonly pollIntervalMs = 2_000,
  ) {}

  async start(): Promise<void> {
    this.#fingerprint = await this.#read();
    try {
      // Any entry of the directory may matter: ConfigMap swaps rename `..data`, not the file.
      this.#watcher = watch(dirname(this.path), { persistent: false }, () => {
        this.#schedule();
      });
      this.#watcher.on('error', () => {
        this.#watcher?.close();
        this.#watcher = undefined;
      });
    } catch {
      this.logger.info('configuration directory not watchable; polling only', { path: this.path });
    }
    this.#timer = setInterval(() => {
      this.#schedule(0);
    }, this.pollIntervalMs);
    this.#timer.unref();
  }

  stop(): void {
    this.#watcher?.close();
    this.#watcher = undefined;
    clearInterval(this.#timer);
    clearTimeout(this.#debounce);
  }

  /** Checks now (after a short debounce, so a burst of events gives one reload). */
  #schedule(delayMs = 100): void {
    clearTimeout(this.#debounce);
    this.#debounce = setTimeout(() => {
      this.#checking = this.#checking.then(() => this.#check());
    }, delayMs);
    this.#debounce.unref();
  }

  async #check(): Promise<void> {
    const fingerprint = await this.#read();
    if (fingerprint === this.#fingerprint) return;
    // A writer that truncates the file and then writes it (rather than renaming a new file
    // over it) can be caught in between. Act only on content that holds still for a moment;
    // otherwise look again shortly.
    await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
    if ((await this.#read()) !== fingerprint) {
      this.#schedule();
      return;
    }
    this.#fingerprint = fingerprint;
    try {
      await this.onChange(fingerprint);
    } catch (error) {
      this.logger.error('configuration reload failed', {
        reason: error instanceof Error ? error.message : String(error),
      });
    }
  }

  /**
   * The SHA-256 of the file's text, read by the same bounded reader as the configuration
   * itself (so a FIFO or `/dev/zero` at the path cannot block or exhaust the watcher), or a
   * fingerprint of why it cannot be read.
   */
  async #read(): Promise<string> {
    try {
      return createHash('sha256')
        .update(await readConfigFile(this.path))
        .digest('hex');
    } catch (error) {
      return `unreadable: ${error instanceof Error && 'code' in error ? String(error.code) : 'error'}`;
    }
  }
}
