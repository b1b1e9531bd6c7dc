import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  FileReadError,
  firstInvalidUtf8Offset,
  readBoundedFile,
  readBoundedText,
  type FileReadErrorCode,
} from './bounded-file.js';
import { rejection } from '@attestor/testing';

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'attestor-io-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe(readBoundedFile, () => {
  it('reads a regular file, and one through a symlink', async () => {
    const path = join(dir, 'small.txt');
    await writeFile(path, 'hello');
    await symlink(path, join(dir, 'link.txt'));
    expect((await readBoundedFile(path, 5)).toString()).toBe('hello');
    expect((await readBoundedFile(join(dir, 'link.txt'), 5)).toString()).toBe('hello');
  });

  it('reads an empty file', async () => {
    const path = join(dir, 'empty.txt');
    await writeFile(path, '');
    expect((await readBoundedFile(path, 5)).length).toBe(0);
  });

  it.each<[string, () => Promise<string>, FileReadErrorCode, string]>([
    ['a missing file', () => Promise.resolve(join(dir, 'absent')), 'not_found', 'no such file'],
    [
      'a file over the bound',
      async () => {
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
      async () => {
        const path = join(dir, 'a-directory');
        await mkdir(path);
        return path;
      },
      'not_a_regular_file',
      'not a regular file',
    ],
    [
      'a FIFO with no writer (refused at once, not waited on)',
      () => {
        const path = join(dir, 'fifo');
        execFileSync('mkfifo', [path]);
        return Promise.resolve(path);
      },
      'not_a_regular_file',
      'not a regular file',
    ],
  ])('refuses %s with its code', async (_case, prepare, code, message) => {
    const path = await prepare();
    const error = await rejection(FileReadError, readBoundedFile(path, 5));
    expect(error.code).toBe(code);
    expect(error.path).toBe(path);
    expect(error.message).toBe(`${path}: ${message}`);
  });
});

describe(readBoundedText, () => {
  it('decodes UTF-8 and drops a byte order mark', async () => {
    const path = join(dir, 'bom.txt');
    await writeFile(path, Buffer.from([0xef, 0xbb, 0xbf, 0x68, 0xc3, 0xa9]));
    expect(await readBoundedText(path, 100)).toBe('hé');
  });

  it('names the offset of invalid UTF-8', async () => {
    const path = join(dir, 'latin1.txt');
    await writeFile(path, Buffer.from('enabled: caf\xe9\n', 'latin1'));
    const error = await rejection(FileReadError, readBoundedText(path, 100));
    expect(error.code).toBe('invalid_utf8');
    expect(error.message).toBe(`${path}: not valid UTF-8 (first invalid byte at offset 12)`);
  });
});

describe(firstInvalidUtf8Offset, () => {
  it.each([
    ['a stray continuation byte', [0x61, 0x80, 0x62], 1],
    ['a sequence broken off by ASCII', [0x61, 0x62, 0xe2, 0x82, 0x41], 2],
    ['an overlong encoding', [0xc0, 0xaf], 0],
    ['an unfinished last sequence', [0x61, 0xe2, 0x82], 1],
    ['a surrogate', [0x61, 0xed, 0xa0, 0x80], 1],
    ['valid text', [0x61, 0xc3, 0xa9], 3],
  ])('finds %s', (_case, bytes, offset) => {
    expect(firstInvalidUtf8Offset(Uint8Array.from(bytes))).toBe(offset);
  });

  it('stays fast on a megabyte', () => {
    const bytes = Buffer.alloc(1024 * 1024, 0x61);
    bytes[700_000] = 0xff;
    expect(firstInvalidUtf8Offset(bytes)).toBe(700_000);
  });
});
