import { rejection } from '@attestor/testing';
import { describe, expect, it } from 'vitest';

import { readBoundedBody, type ResponseBody, ResponseTooLargeError } from './bounded-body.js';

/** A body of `chunks` that records how many were read and whether it was dropped. */
function bodyOf(...chunks: string[]): ResponseBody & { read: number; destroyed: boolean } {
  const body = {
    read: 0,
    destroyed: false,
    destroy() {
      body.destroyed = true;
    },
    async *[Symbol.asyncIterator]() {
      for (const chunk of chunks) {
        if (body.destroyed) return;
        body.read++;
        await Promise.resolve();
        yield Buffer.from(chunk);
      }
    },
  };
  return body;
}

describe(readBoundedBody, () => {
  it('reads a body within the bound, whatever its chunks', async () => {
    const body = bodyOf('he', 'll', 'o');
    expect((await readBoundedBody(body, '5', 5)).toString()).toBe('hello');
    expect(body.destroyed).toBe(false);
  });

  it('refuses a body whose Content-Length is over the bound without reading it', async () => {
    const body = bodyOf('x');
    const error = await rejection(ResponseTooLargeError, readBoundedBody(body, ['4096'], 1024));
    expect(error).toMatchObject({ code: 'too_large', maxBytes: 1024, declaredBytes: 4096 });
    expect(error.message).toBe('a response of 4096 bytes is over the 1024 allowed');
    expect(body.read).toBe(0);
    expect(body.destroyed).toBe(true);
  });

  it('drops a body that passes the bound, however small its Content-Length said it was', async () => {
    const body = bodyOf('aaaa', 'bbbb', 'cccc', 'dddd');
    const error = await rejection(ResponseTooLargeError, readBoundedBody(body, '4', 6));
    expect(error.message).toBe('a response is over the 6 bytes allowed');
    expect(body.read).toBe(2);
    expect(body.destroyed).toBe(true);
  });

  it('reads a body without a Content-Length up to the bound', async () => {
    expect((await readBoundedBody(bodyOf('abc'), undefined, 3)).toString()).toBe('abc');
  });
});
