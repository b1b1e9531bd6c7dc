import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';

import type { TestCertificateAuthority } from './test-ca.js';
import type { LogEntryEvidence, TestTransparencyLog } from './transparency-log.js';

const MAX_REQUEST_BYTES = 1024 * 1024;

function entryJson(log: TestTransparencyLog, evidence: LogEntryEvidence): Record<string, unknown> {
  const proof = log.inclusionProof(evidence.logIndex);
  return {
    [evidence.leafHash.toString('hex')]: {
      body: evidence.body.toString('base64'),
      integratedTime: evidence.integratedTime,
      logID: evidence.logId,
      logIndex: evidence.logIndex,
      verification: {
        signedEntryTimestamp: evidence.signedEntryTimestamp.toString('base64'),
        inclusionProof: {
          logIndex: proof.logIndex,
          treeSize: proof.treeSize,
          rootHash: proof.rootHash.toString('hex'),
          hashes: proof.hashes.map((hash) => hash.toString('hex')),
          checkpoint: proof.checkpoint,
        },
      },
    },
  };
}

/** The artifact digest (hex) a hashedrekord body is about, for the search index. */
function artifactHash(body: Buffer): string | undefined {
  try {
    const entry = JSON.parse(body.toString('utf8')) as {
      kind?: string;
      spec?: { data?: { hash?: { value?: string } } };
    };
    return entry.kind === 'hashedrekord' ? entry.spec?.data?.hash?.value : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The Rekor v1 HTTP API over a TestTransparencyLog, on HTTPS on 127.0.0.1 with a certificate
 * from the test CA: the log info and public key, entries by UUID, by index and in bulk, and
 * the search index by artifact hash. Every entry of the log is served, however it was added.
 */
export class TestRekorServer {
  readonly #server: Server;

  private constructor(
    readonly log: TestTransparencyLog,
    certificate: { readonly pem: string; readonly privateKeyPem: string },
  ) {
    this.#server = createServer(
      { key: certificate.privateKeyPem, cert: certificate.pem },
      (request, response) => {
        let body = '';
        request.on('data', (chunk: Buffer) => {
          body += chunk.toString();
          if (body.length > MAX_REQUEST_BYTES) request.destroy();
        });
        request.on('end', () => {
          const answer = this.handle(request.method ?? 'GET', request.url ?? '/', body);
          response.writeHead(answer.status, { 'content-type': 'application/json' });
          response.end(JSON.stringify(answer.json));
        });
      },
    );
  }

  static async start(
    log: TestTransparencyLog,
    ca: TestCertificateAuthority,
  ): Promise<TestRekorServer> {
    const server = new TestRekorServer(log, await ca.issueServerCertificate());
    await new Promise<void>((resolve) => server.#server.listen(0, '127.0.0.1', resolve));
    return server;
  }

  get url(): string {
    return `https://127.0.0.1:${String((this.#server.address() as AddressInfo).port)}`;
  }

  /** Appends an entry body to the log. */
  add(body: Buffer): LogEntryEvidence {
    return this.log.append(body);
  }

  async stop(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise((resolve) => this.#server.close(resolve));
  }

  private handle(method: string, url: string, body: string): { status: number; json: unknown } {
    const path = new URL(url, 'https://rekor').pathname;
    const byUuid = (uuid: string): LogEntryEvidence | undefined =>
      this.log.entries().find((entry) => uuid.endsWith(entry.leafHash.toString('hex')));
    if (method === 'GET' && path === '/api/v1/log') {
      const proof = this.log.inclusionProof(Math.max(0, this.log.size - 1));
      return {
        status: 200,
        json: {
          treeSize: this.log.size,
          rootHash: proof.rootHash.toString('hex'),
          signedTreeHead: this.log.checkpoint(),
          treeID: '1',
        },
      };
    }
    if (method === 'GET' && path === '/api/v1/log/publicKey') {
      return {
        status: 200,
        json: this.log.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      };
    }
    if (method === 'GET' && path === '/api/v1/log/entries') {
      const index = Number(new URL(url, 'https://rekor').searchParams.get('logIndex'));
      const entry = this.log.entries().find((candidate) => candidate.logIndex === index);
      return entry === undefined
        ? { status: 404, json: { message: 'not found' } }
        : { status: 200, json: entryJson(this.log, entry) };
    }
    if (method === 'GET' && path.startsWith('/api/v1/log/entries/')) {
      const entry = byUuid(path.slice('/api/v1/log/entries/'.length));
      return entry === undefined
        ? { status: 404, json: { message: 'not found' } }
        : { status: 200, json: entryJson(this.log, entry) };
    }
    if (method === 'POST' && path === '/api/v1/log/entries/retrieve') {
      const request = JSON.parse(body) as { entryUUIDs?: string[]; logIndexes?: number[] };
      const found = [
        ...(request.entryUUIDs ?? []).map(byUuid),
        ...(request.logIndexes ?? []).map((index) =>
          this.log.entries().find((entry) => entry.logIndex === index),
        ),
      ].filter((entry): entry is LogEntryEvidence => entry !== undefined);
      return { status: 200, json: found.map((entry) => entryJson(this.log, entry)) };
    }
    if (method === 'POST' && path === '/api/v1/index/retrieve') {
      const hash = ((JSON.parse(body) as { hash?: string }).hash ?? '').replace(/^sha256:/, '');
      return {
        status: 200,
        json: this.log
          .entries()
          .filter((entry) => artifactHash(entry.body) === hash)
          .map((entry) => entry.leafHash.toString('hex')),
      };
    }
    if (method === 'POST' && path === '/api/v1/log/entries') {
      const evidence = this.add(Buffer.from(body));
      return { status: 201, json: entryJson(this.log, evidence) };
    }
    return { status: 404, json: { message: `no route for ${method} ${path}` } };
  }
}
