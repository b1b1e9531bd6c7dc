/**
 * The few DER encodings an X.509-SVID needs, written by hand: building a certificate with
 * @peculiar/x509 costs 1.6 to 3 ms of ASN.1 serialization, where the ECDSA signature itself
 * takes 0.1 ms (the benchmark measures both). Everything here is the definite-length DER of
 * X.690; certificates made with it are checked by openssl and by Node's parser in the tests.
 */

function length(size: number): Buffer {
  if (size < 0x80) return Buffer.of(size);
  const bytes: number[] = [];
  for (let rest = size; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest % 256);
  return Buffer.of(0x80 | bytes.length, ...bytes);
}

/** One element: tag, length, content. */
export function tlv(tag: number, ...content: readonly Uint8Array[]): Buffer {
  const body = Buffer.concat(content);
  return Buffer.concat([Buffer.of(tag), length(body.length), body]);
}

export const sequence = (...content: readonly Uint8Array[]): Buffer => tlv(0x30, ...content);
export const set = (...content: readonly Uint8Array[]): Buffer => tlv(0x31, ...content);
export const octetString = (content: Uint8Array): Buffer => tlv(0x04, content);
/** A BIT STRING with no unused bits. */
export const bitString = (content: Uint8Array): Buffer => tlv(0x03, Buffer.of(0), content);
export const utf8String = (text: string): Buffer => tlv(0x0c, Buffer.from(text, 'utf8'));
export const printableString = (text: string): Buffer => tlv(0x13, Buffer.from(text, 'ascii'));
export const BOOLEAN_TRUE = Buffer.of(0x01, 0x01, 0xff);
/** `[n] EXPLICIT` around `content`. */
export const explicit = (n: number, ...content: readonly Uint8Array[]): Buffer =>
  tlv(0xa0 | n, ...content);

/** A non-negative INTEGER from its big-endian bytes (a leading 0 added when the top bit is set). */
export function unsignedInteger(bytes: Uint8Array): Buffer {
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0) start++;
  const trimmed = Buffer.from(bytes.subarray(start));
  return tlv(0x02, (trimmed[0] ?? 0) & 0x80 ? Buffer.concat([Buffer.of(0), trimmed]) : trimmed);
}

/** An OBJECT IDENTIFIER from its dotted form. */
export function objectIdentifier(dotted: string): Buffer {
  const [first = 0, second = 0, ...rest] = dotted.split('.').map(Number);
  const bytes: number[] = [first * 40 + second];
  for (const arc of rest) {
    const septets: number[] = [];
    for (let value = arc; ; value = Math.floor(value / 128)) {
      septets.unshift(value % 128);
      if (value < 128) break;
    }
    bytes.push(
      ...septets.map((septet, index) => (index < septets.length - 1 ? septet | 0x80 : septet)),
    );
  }
  return tlv(0x06, Buffer.from(bytes));
}

/** UTCTime through 2049, GeneralizedTime after, as RFC 5280 asks; whole seconds, UTC. */
export function time(date: Date): Buffer {
  const iso = date.toISOString();
  const digits = `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`;
  return date.getUTCFullYear() < 2050
    ? tlv(0x17, Buffer.from(digits.slice(2), 'ascii'))
    : tlv(0x18, Buffer.from(digits, 'ascii'));
}
