/**
 * A transparency log with Rekor's shape, for tests: an RFC 6962 Merkle tree over entry
 * bodies, signed entry timestamps over the canonical JSON Rekor signs, signed checkpoints in
 * the transparency-dev note format, and inclusion proofs. ECDSA P-256 keys.
 */
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  sign,
} from 'node:crypto';

export interface LogEntryEvidence {
  /** RFC 6962 leaf hash of the body: the entry's UUID in Rekor's API. */
  readonly leafHash: Buffer;
  readonly logIndex: number;
  readonly integratedTime: number;
  /** sha256 of the log's DER public key, hex. */
  readonly logId: string;
  readonly body: Buffer;
  readonly signedEntryTimestamp: Buffer;
  readonly inclusionProof: {
    readonly logIndex: number;
    readonly treeSize: number;
    readonly rootHash: Buffer;
    readonly hashes: readonly Buffer[];
    readonly checkpoint: string;
  };
}

const sha256 = (...parts: Buffer[]): Buffer => {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  return hash.digest();
};
const leafHash = (data: Buffer): Buffer => sha256(Buffer.from([0]), data);
const nodeHash = (left: Buffer, right: Buffer): Buffer => sha256(Buffer.from([1]), left, right);

/** RFC 6962 Merkle tree hash of leaf hashes [start, end). */
function treeHash(leaves: readonly Buffer[], start: number, end: number): Buffer {
  const count = end - start;
  if (count === 0) return sha256();
  if (count === 1) return leaves[start] ?? sha256();
  let split = 1;
  while (split * 2 < count) split *= 2;
  return nodeHash(treeHash(leaves, start, start + split), treeHash(leaves, start + split, end));
}

/** RFC 6962 audit path for leaf `index` in the tree of leaves [start, end). */
function auditPath(leaves: readonly Buffer[], index: number, start: number, end: number): Buffer[] {
  const count = end - start;
  if (count <= 1) return [];
  let split = 1;
  while (split * 2 < count) split *= 2;
  if (index - start < split)
    return [
      ...auditPath(leaves, index, start, start + split),
      treeHash(leaves, start + split, end),
    ];
  return [...auditPath(leaves, index, start + split, end), treeHash(leaves, start, start + split)];
}

/** Canonical JSON of a flat object of strings and numbers (sorted keys), as Rekor signs. */
function canonicalJson(value: Record<string, string | number>): string {
  return `{${Object.keys(value)
    .sort()
    .map((key) => `${JSON.stringify(key)}:${JSON.stringify(value[key])}`)
    .join(',')}}`;
}

export class TestTransparencyLog {
  readonly #privateKey: KeyObject;
  readonly publicKey: KeyObject;
  readonly #leaves: Buffer[] = [];
  readonly #bodies: Buffer[] = [];
  readonly #evidence: LogEntryEvidence[] = [];

  constructor(
    /** The origin line of checkpoints; verifiers match it against the log's base URL. */
    readonly origin: string,
    privateKeyPem?: string,
  ) {
    if (privateKeyPem === undefined) {
      const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      this.#privateKey = pair.privateKey;
    } else {
      this.#privateKey = createPrivateKey(privateKeyPem);
    }
    this.publicKey = createPublicKey(this.#privateKey);
  }

  get publicKeyDer(): Buffer {
    return this.publicKey.export({ type: 'spki', format: 'der' });
  }

  get logId(): string {
    return sha256(this.publicKeyDer).toString('hex');
  }

  get size(): number {
    return this.#leaves.length;
  }

  /** Appends an entry body (canonical JSON) and returns everything a verifier needs. */
  append(body: Buffer, integratedTime = Math.floor(Date.now() / 1000)): LogEntryEvidence {
    const logIndex = this.#leaves.length;
    this.#leaves.push(leafHash(body));
    this.#bodies.push(body);
    const payload = canonicalJson({
      body: body.toString('base64'),
      integratedTime,
      logIndex,
      logID: this.logId,
    });
    const signedEntryTimestamp = sign('sha256', Buffer.from(payload), this.#privateKey);
    const evidence = {
      leafHash: leafHash(body),
      logIndex,
      integratedTime,
      logId: this.logId,
      body,
      signedEntryTimestamp,
      inclusionProof: this.inclusionProof(logIndex),
    };
    this.#evidence.push(evidence);
    return evidence;
  }

  /** Every entry appended so far, in log order. */
  entries(): readonly LogEntryEvidence[] {
    return this.#evidence;
  }

  inclusionProof(logIndex: number): LogEntryEvidence['inclusionProof'] {
    const treeSize = this.#leaves.length;
    const rootHash = treeHash(this.#leaves, 0, treeSize);
    return {
      logIndex,
      treeSize,
      rootHash,
      hashes: auditPath(this.#leaves, logIndex, 0, treeSize),
      checkpoint: this.checkpoint(treeSize, rootHash),
    };
  }

  /** A signed note: `<origin>\n<size>\n<root base64>\n\n— <origin> <base64(keyhint || sig)>\n`. */
  checkpoint(
    treeSize = this.#leaves.length,
    rootHash = treeHash(this.#leaves, 0, treeSize),
  ): string {
    const note = `${this.origin}\n${String(treeSize)}\n${rootHash.toString('base64')}\n`;
    const signature = sign('sha256', Buffer.from(note), this.#privateKey);
    const keyHint = Buffer.from(this.logId, 'hex').subarray(0, 4);
    return `${note}\n\u2014 ${this.origin} ${Buffer.concat([keyHint, signature]).toString('base64')}\n`;
  }

  entry(logIndex: number): Buffer | undefined {
    return this.#bodies[logIndex];
  }
}
