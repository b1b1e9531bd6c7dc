import { closeSync, openSync, writeFileSync } from 'node:fs';

import { test as it } from '@attestor/testing/fixtures';
import { describe, expect } from 'vitest';

import { FileReadError } from './bounded-file.js';
import { ProcFileReader } from './proc-file.js';

describe(ProcFileReader, () => {
  it('reads a /proc file, which reports a size of 0', () => {
    const status = new ProcFileReader(64 * 1024).read('/proc/self/status');
    expect(status).toMatch(/^Name:\t/);
    expect(status).toContain(`\nPid:\t${String(process.pid)}\n`);
  });

  it('reads a file that fills the buffer exactly, and refuses one byte more', ({ tempDir }) => {
    const reader = new ProcFileReader(8);
    writeFileSync(`${tempDir}/exact`, '12345678');
    writeFileSync(`${tempDir}/over`, '123456789');
    expect(reader.read(`${tempDir}/exact`)).toBe('12345678');
    let error: unknown;
    try {
      reader.read(`${tempDir}/over`);
    } catch (caught) {
      error = caught;
    }
    expect(FileReadError.is(error) && error.code).toBe('too_large');
  });

  it('reads an open file again from its start', ({ tempDir }) => {
    writeFileSync(`${tempDir}/file`, 'first');
    const reader = new ProcFileReader(64);
    const fd = openSync(`${tempDir}/file`, 'r');
    try {
      expect(reader.readOpen(fd, 'file')).toBe('first');
      writeFileSync(`${tempDir}/file`, 'second');
      expect(reader.readOpen(fd, 'file')).toBe('second');
    } finally {
      closeSync(fd);
    }
  });

  it('throws the system error for a file that is not there', ({ tempDir }) => {
    expect(() => new ProcFileReader(64).read(`${tempDir}/missing`)).toThrow(
      expect.objectContaining({ code: 'ENOENT' }),
    );
  });
});
