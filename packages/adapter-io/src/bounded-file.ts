import { constants } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';

import { CodedError } from '@attestor/ports';

export type FileReadErrorCode =
  | 'not_found'
  | 'permission_denied'
  /** A FIFO, a device (`/dev/zero`), a directory, a socket: anything but a regular file. */
  | 'not_a_regular_file'
  | 'too_large'
  | 'invalid_utf8'
  | 'io';

/** A file could not be read within its bounds. The message names the file, never its content. */
export class FileReadError extends CodedError<FileReadErrorCode> {
  static override readonly brand = '@attestor/adapter-io/FileReadError';
  override readonly name = 'FileReadError';

  constructor(
    code: FileReadErrorCode,
    readonly path: string,
    message: string,
    options?: { readonly cause?: unknown },
  ) {
    super(code, message, options);
  }
}

/**
 * Reads a whole regular file of at most `maxBytes`. The file is opened non-blocking, so that
 * a FIFO at the path is refused at once instead of holding a thread until a writer appears,
 * and it is checked to be a regular file before anything is read, so that `/dev/zero` is
 * refused instead of read until memory runs out. A file that grows past the bound while it is
 * read is refused too. Symlinks are followed (a Kubernetes ConfigMap volume is made of them).
 */
export async function readBoundedFile(path: string, maxBytes: number): Promise<Buffer> {
  let handle: FileHandle;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    throw translate(error, path);
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) {
      throw new FileReadError('not_a_regular_file', path, `${path}: not a regular file`);
    }
    if (stat.size > maxBytes) throw tooLarge(path, maxBytes, `${String(stat.size)} bytes`);
    // One byte more than allowed: reading it means the file grew past the bound.
    const buffer = Buffer.alloc(Math.min(stat.size, maxBytes) + 1);
    let length = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
      if (length === buffer.length) {
        if (length > maxBytes) throw tooLarge(path, maxBytes, 'it grew while being read, and');
        break;
      }
    }
    return buffer.subarray(0, length);
  } catch (error) {
    throw translate(error, path);
  } finally {
    await handle.close();
  }
}

/**
 * Reads a bounded file (as `readBoundedFile`) as UTF-8 text. Invalid UTF-8 is an error naming
 * the byte offset of the first invalid sequence. A byte order mark is dropped.
 */
export async function readBoundedText(path: string, maxBytes: number): Promise<string> {
  const bytes = await readBoundedFile(path, maxBytes);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (error) {
    throw new FileReadError(
      'invalid_utf8',
      path,
      `${path}: not valid UTF-8 (first invalid byte at offset ${String(firstInvalidUtf8Offset(bytes))})`,
      { cause: error },
    );
  }
}

/**
 * The offset of the first byte at which UTF-8 decoding fails. Every prefix of valid text
 * decodes in streaming mode (which tolerates an unfinished last sequence), and once a prefix
 * fails every longer one fails: so a binary search over prefix lengths finds the offset with
 * a logarithmic number of decodes. A sequence that is broken off (by a byte that cannot
 * continue it, or by the end of the text) is reported at its first byte.
 */
export function firstInvalidUtf8Offset(bytes: Uint8Array): number {
  const decodes = (length: number, stream: boolean): boolean => {
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, length), { stream });
      return true;
    } catch {
      return false;
    }
  };
  let low = 0;
  let high = bytes.length;
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    if (decodes(middle, true)) low = middle;
    else high = middle - 1;
  }
  // The first `low` bytes decode, perhaps but for an unfinished last sequence that the next
  // byte (or the end of the text) breaks off: then that sequence is the invalid one.
  if (low > 0 && !decodes(low, false)) return leadByteBefore(bytes, low);
  return low;
}

/** The lead byte of the sequence that the bytes just before `end` belong to. */
function leadByteBefore(bytes: Uint8Array, end: number): number {
  let start = end - 1;
  while (start > 0 && end - start < 4 && ((bytes[start] ?? 0) & 0xc0) === 0x80) start--;
  return start;
}

function tooLarge(path: string, maxBytes: number, size: string): FileReadError {
  return new FileReadError(
    'too_large',
    path,
    `${path}: ${size} is more than the ${String(maxBytes)} bytes allowed`,
  );
}

function translate(error: unknown, path: string): Error {
  if (FileReadError.is(error)) return error;
  const code = error instanceof Error && 'code' in error ? String(error.code) : '';
  const reason = error instanceof Error ? error.message : String(error);
  if (code === 'ENOENT' || code === 'ENOTDIR')
    return new FileReadError('not_found', path, `${path}: no such file`, { cause: error });
  if (code === 'EACCES' || code === 'EPERM')
    return new FileReadError('permission_denied', path, `${path}: permission denied`, {
      cause: error,
    });
  if (code === 'EISDIR' || code === 'ENXIO')
    return new FileReadError('not_a_regular_file', path, `${path}: not a regular file`, {
      cause: error,
    });
  return new FileReadError('io', path, `${path}: cannot read: ${reason}`, { cause: error });
}
