import { createHash, generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { canonicalize } from './signer.js';

const SPEC_VERSION = '1.0.31';
const EXPIRES = '2035-01-01T00:00:00Z';

/**
 * A one-key TUF repository serving a Sigstore trusted_root.json as its only target, over HTTP
 * on loopback: what a Sigstore TUF client needs (root, timestamp, snapshot, targets metadata,
 * ed25519-signed over canonical JSON; no consistent snapshots).
 */
export class TestTufRepository {
  readonly #server: Server;
  readonly #files = new Map<string, Buffer>();
  readonly #privateKey: KeyObject;
  readonly #keyId: string;
  readonly #key: Record<string, unknown>;

  private constructor(trustedRootJson: string) {
    const pair = generateKeyPairSync('ed25519');
    this.#privateKey = pair.privateKey;
    const raw = pair.publicKey.export({ type: 'spki', format: 'der' }).subarray(-32);
    this.#key = { keytype: 'ed25519', scheme: 'ed25519', keyval: { public: raw.toString('hex') } };
    this.#keyId = createHash('sha256').update(canonicalize(this.#key)).digest('hex');
    const target = Buffer.from(trustedRootJson);
    const role = { keyids: [this.#keyId], threshold: 1 };
    this.#files.set(
      '1.root.json',
      this.#signed({
        _type: 'root',
        spec_version: SPEC_VERSION,
        version: 1,
        expires: EXPIRES,
        consistent_snapshot: false,
        keys: { [this.#keyId]: this.#key },
        roles: { root: role, targets: role, snapshot: role, timestamp: role },
      }),
    );
    this.#files.set(
      'targets.json',
      this.#signed({
        _type: 'targets',
        spec_version: SPEC_VERSION,
        version: 1,
        expires: EXPIRES,
        targets: {
          'trusted_root.json': {
            length: target.length,
            hashes: { sha256: createHash('sha256').update(target).digest('hex') },
          },
        },
      }),
    );
    this.#files.set(
      'snapshot.json',
      this.#signed({
        _type: 'snapshot',
        spec_version: SPEC_VERSION,
        version: 1,
        expires: EXPIRES,
        meta: { 'targets.json': { version: 1 } },
      }),
    );
    this.#files.set(
      'timestamp.json',
      this.#signed({
        _type: 'timestamp',
        spec_version: SPEC_VERSION,
        version: 1,
        expires: EXPIRES,
        meta: { 'snapshot.json': { version: 1 } },
      }),
    );
    this.#files.set('targets/trusted_root.json', target);
    this.#server = createServer((request, response) => {
      const file = this.#files.get((request.url ?? '/').replace(/^\//, ''));
      if (file === undefined) {
        response.writeHead(404).end();
        return;
      }
      response.writeHead(200, { 'content-type': 'application/json' }).end(file);
    });
  }

  static async start(trustedRootJson: string): Promise<TestTufRepository> {
    const repository = new TestTufRepository(trustedRootJson);
    await new Promise<void>((resolve) => repository.#server.listen(0, '127.0.0.1', resolve));
    return repository;
  }

  get url(): string {
    return `http://127.0.0.1:${String((this.#server.address() as AddressInfo).port)}`;
  }

  /** The initial root.json a client must be given (trust on first use is not TUF). */
  get rootJson(): Buffer {
    return this.#files.get('1.root.json') ?? Buffer.alloc(0);
  }

  async stop(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise((resolve) => this.#server.close(resolve));
  }

  #signed(signed: Record<string, unknown>): Buffer {
    const signature = sign(null, Buffer.from(canonicalize(signed)), this.#privateKey).toString(
      'hex',
    );
    return Buffer.from(
      JSON.stringify({ signatures: [{ keyid: this.#keyId, sig: signature }], signed }),
    );
  }
}
