import { CodedError } from '@attestor/ports';

/** An answer larger than its request allowed; the body was dropped unread past the bound. */
export class ResponseTooLargeError extends CodedError<'too_large'> {
  static override readonly brand = '@attestor/adapter-io/ResponseTooLargeError';
  override readonly name = 'ResponseTooLargeError';

  constructor(
    /** The bound, in bytes. */
    readonly maxBytes: number,
    /** What the answer said its length was, when it said and that was already too much. */
    readonly declaredBytes?: number,
  ) {
    super(
      'too_large',
      declaredBytes === undefined
        ? `a response is over the ${String(maxBytes)} bytes allowed`
        : `a response of ${String(declaredBytes)} bytes is over the ${String(maxBytes)} allowed`,
    );
  }
}

/** A response body as undici gives it: chunks to iterate, and a way to drop the rest. */
export interface ResponseBody extends AsyncIterable<Uint8Array> {
  destroy(): unknown;
}

/**
 * The whole body of a response of at most `maxBytes`, whoever answers: refused at once when
 * its Content-Length says more, and dropped as soon as the bytes received pass the bound, so
 * that a peer that lies about the length (or sends none) cannot make the client buffer more.
 * Transport failures while reading propagate as they are, for the adapter to classify.
 */
export async function readBoundedBody(
  body: ResponseBody,
  contentLength: string | string[] | undefined,
  maxBytes: number,
): Promise<Buffer> {
  const declared = Number(Array.isArray(contentLength) ? contentLength[0] : (contentLength ?? 0));
  if (declared > maxBytes) {
    body.destroy();
    throw new ResponseTooLargeError(maxBytes, declared);
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > maxBytes) {
      body.destroy();
      throw new ResponseTooLargeError(maxBytes);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}
