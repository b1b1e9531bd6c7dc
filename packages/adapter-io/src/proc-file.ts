import { closeSync, openSync, readSync } from 'node:fs';

import { FileReadError } from './bounded-file.js';

/**
 * Reads files of the proc and cgroup file systems. They report a size of 0 and are generated
 * by the kernel as they are read, so `readBoundedFile`'s stat-then-read does not fit them:
 * this reads until the end, into one buffer of `maxBytes + 1` kept for reuse, and refuses a
 * file that fills it. Reads are synchronous on purpose: these files are made in memory and
 * never wait on a disk, and a synchronous open/read/close costs a few microseconds, where an
 * asynchronous read makes four thread-pool round trips. One reader serves one thread at a time.
 *
 * System errors (ENOENT, ESRCH, EACCES) are thrown as they come, for the caller to name in its
 * own terms; a file over the bound is a `FileReadError` with the code `too_large`.
 */
export class ProcFileReader {
  readonly #buffer: Buffer;

  constructor(readonly maxBytes: number) {
    this.#buffer = Buffer.allocUnsafe(maxBytes + 1);
  }

  /** Opens, reads and closes the file at `path`. */
  read(path: string): string {
    const fd = openSync(path, 'r');
    try {
      return this.readOpen(fd, path);
    } finally {
      closeSync(fd);
    }
  }

  /**
   * Reads an open file from its start. Positioned reads, so that a file kept open can be read
   * again; on a /proc/<pid> file whose process has exited, the kernel answers ESRCH.
   */
  readOpen(fd: number, path: string): string {
    const buffer = this.#buffer;
    let length = 0;
    // A /proc/<pid> file is generated whole on each read that starts at offset 0, and a read
    // that returns less than asked for has reached its end: one read is the common case. (A
    // further read at a later offset would make the kernel generate the file again.)
    for (;;) {
      const wanted = buffer.length - length;
      const count = readSync(fd, buffer, length, wanted, length);
      length += count;
      if (count < wanted || length === buffer.length) break;
    }
    if (length > this.maxBytes) {
      throw new FileReadError(
        'too_large',
        path,
        `${path} is larger than ${String(this.maxBytes)} bytes`,
      );
    }
    return buffer.toString('utf8', 0, length);
  }
}
