import { execFileSync } from 'node:child_process';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { rejection } from '@attestor/testing';
import { test } from '@attestor/testing/fixtures';
import { describe, expect } from 'vitest';

import {
  FileReadError,
  type FileReadErrorCode,
  firstInvalidUtf8Offset,
  readBoundedFile,
  readBoundedText,
} from './bounded-file.js';

describe(readBoundedFile, () => {
  test('reads a regular file, and one through a symlink', async ({ tempDir }) => {
    const path = join(tempDir, 'small.txt');
    await writeFile(path, 'hello');
    await symlink(path, join(tempDir, 'link.txt'));
    expect((await readBoundedFile(path, 5)).toString()).toBe('hello');
    expect((await readBoundedFile(join(tempDir, 'link.txt'), 5)).toString()).toBe('hello');
  });

  test('reads an empty file', async ({ tempDir }) => {
    const path = join(tempDir, 'empty.txt');
    await writeFile(path, '');
    expect((await readBoundedFile(path, 5)).length).toBe(0);
  });

  test.for<[string, (dir: string) => Promise<string>, FileReadErrorCode, string]>([
    ['a missing file', (dir) => Promise.resolve(join(dir, 'absent')), 'not_found', 'no such file'],
    [
      'a file over the bound',
      async (dir) => {
        const path = join(dir, 'big.txt');
        await writeFile(path, 'x'.repeat(6));
        return path;
      },
      'too_large',
      '6 bytes is more than the 5 bytes allowed',
    ],
    ['/dev/zero', () => Promise.resolve('/dev/zero'), 'not_a_regular_file', 'not a regular file'],
    [
      'a directory',
      async (dir) => {
        const path = join(dir, 'a-directory');
        await mkdir(path);
        return path;
      },
      'not_a_regular_file',
      'not a regular file',
    ],
    [
      'a FIFO with no writer (refused at once, not waited on)',
      (dir) => {
        const path = join(dir, 'fifo');
        execFileSync('mkfifo', [path]);
        return Promise.resolve(path);
      },
      'not_a_regular_file',
      'not a regular file',
    ],
  ])('refuses %s with its code', async ([, prepare, code, message], { tempDir }) => {
    const path = await prepare(tempDir);
    const error = await rejection(FileReadError, readBoundedFile(path, 5));
    expect(error.code).toBe(code);
    expect(error.path).toBe(path);
    expect(error.message).toBe(`${path}: ${message}`);
  });
});

describe(readBoundedText, () => {
  test('decodes UTF-8 and drops a byte order mark', async ({ tempDir }) => {
    const path = join(tempDir, 'bom.txt');
    await writeFile(path, Buffer.from([0xef, 0xbb, 0xbf, 0x68, 0xc3, 0xa9]));
    expect(await readBoundedText(path, 100)).toBe('hé');
  });

  test('names the offset of invalid UTF-8', async ({ tempDir }) => {
    const path = join(tempDir, 'latin1.txt');
    await writeFile(path, Buffer.from('enabled: caf\xe9\n', 'latin1'));
    const error = await rejection(FileReadError, readBoundedText(path, 100));
    expect(error.code).toBe('invalid_utf8');
    expect(error.message).toBe(`${path}: not valid UTF-8 (first invalid byte at offset 12)`);
  });
});

describe(firstInvalidUtf8Offset, () => {
  test.each([
    ['a stray continuation byte', [0x61, 0x80, 0x62], 1],
    ['a sequence broken off by ASCII', [0x61, 0x62, 0xe2, 0x82, 0x41], 2],
    ['an overlong encoding', [0xc0, 0xaf], 0],
    ['an unfinished last sequence', [0x61, 0xe2, 0x82], 1],
    ['a surrogate', [0x61, 0xed, 0xa0, 0x80], 1],
    ['valid text', [0x61, 0xc3, 0xa9], 3],
  ])('finds %s', (_case, bytes, offset) => {
    expect(firstInvalidUtf8Offset(Uint8Array.from(bytes))).toBe(offset);
  });

  test('stays fast on a megabyte', () => {
    const bytes = Buffer.alloc(1024 * 1024, 0x61);
    bytes[700_000] = 0xff;
    expect(firstInvalidUtf8Offset(bytes)).toBe(700_000);
  });
});
