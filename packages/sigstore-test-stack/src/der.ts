/** Just enough DER for the test stack: lengths, and the elements of a SEQUENCE. */

/** A DER length prefix. */
export function derLength(length: number): Buffer {
  if (length < 0x80) return Buffer.from([length]);
  if (length < 0x100) return Buffer.from([0x81, length]);
  if (length < 0x10000) return Buffer.from([0x82, length >> 8, length & 0xff]);
  throw new RangeError(`DER length ${String(length)} is too large for the test stack`);
}

/** The elements of the DER SEQUENCE at the start of `der`, each with its own header. */
export function derChildren(der: Buffer): Buffer[] {
  const header = (offset: number): { contentStart: number; end: number } => {
    const first = der[offset + 1];
    if (first === undefined) throw new Error('truncated DER');
    if (first < 0x80) return { contentStart: offset + 2, end: offset + 2 + first };
    const count = first & 0x7f;
    if (count < 1 || count > 4) throw new Error('unsupported DER length');
    const length = der.readUIntBE(offset + 2, count);
    return { contentStart: offset + 2 + count, end: offset + 2 + count + length };
  };
  if (der[0] !== 0x30) throw new Error('not a DER SEQUENCE');
  const outer = header(0);
  if (outer.end > der.length) throw new Error('truncated DER');
  const children: Buffer[] = [];
  for (let offset = outer.contentStart; offset < outer.end;) {
    const { end } = header(offset);
    children.push(der.subarray(offset, end));
    offset = end;
  }
  return children;
}

/** The DER TBSCertificate of a DER certificate: the first element of its outer SEQUENCE. */
export function tbsCertificateOf(certificate: Buffer): Buffer {
  const tbs = derChildren(certificate)[0];
  if (tbs === undefined) throw new Error('a certificate without a TBSCertificate');
  return tbs;
}
