import { createHash } from 'node:crypto';

const DIGEST = /^(sha256|sha512):([0-9a-f]{64}|[0-9a-f]{128})$/;

/** The digest of `content` in the algorithm of `algorithm` (`sha256` or `sha512`). */
export function digestOf(content: Uint8Array, algorithm: 'sha256' | 'sha512' = 'sha256'): string {
  return `${algorithm}:${createHash(algorithm).update(content).digest('hex')}`;
}

/**
 * True when `content` hashes to `expected` (`sha256:<64 hex>` or `sha512:<128 hex>`). A digest
 * of another algorithm or shape is never trusted.
 */
export function verifyDigest(content: Uint8Array, expected: string): boolean {
  const match = DIGEST.exec(expected);
  const algorithm = match?.[1];
  const hex = match?.[2];
  if (algorithm !== 'sha256' && algorithm !== 'sha512') return false;
  if (hex?.length !== (algorithm === 'sha256' ? 64 : 128)) return false;
  return digestOf(content, algorithm) === expected;
}

export function isDigest(reference: string): boolean {
  return DIGEST.test(reference);
}
