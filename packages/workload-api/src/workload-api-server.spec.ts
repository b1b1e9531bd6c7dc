import { spawn } from 'node:child_process';
import { lstat, mkdir, stat } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';

import {
  type JwtSvid,
  type TrustBundle,
  type WorkloadCaller,
  WorkloadIdentityError,
  type WorkloadIdentityProvider,
  type X509Svid,
} from '@attestor/ports';
import { RecordingLogger } from '@attestor/testing';
import { test } from '@attestor/testing/fixtures';
import { Code, ConnectError, createClient } from '@connectrpc/connect';
import { compressionGzip, createGrpcTransport } from '@connectrpc/connect-node';
import { afterEach, describe, expect, vi } from 'vitest';

import { SpiffeWorkloadAPI } from './gen/workload_pb.js';
import { WorkloadApiServer } from './workload-api-server.js';

const BUNDLE: TrustBundle = {
  trustDomain: 'example.org',
  x509Authorities: [Uint8Array.of(1, 2), Uint8Array.of(3)],
  jwtKeys: { keys: [{ kty: 'EC', kid: 'k1', crv: 'P-256', x: 'x', y: 'y' }] },
};

/** A provider that answers from what the test sets, and records who asked. */
class FakeProvider implements WorkloadIdentityProvider {
  readonly callers: WorkloadCaller[] = [];
  readonly #listeners = new Set<() => void>();
  x509: (caller: WorkloadCaller) => Promise<readonly X509Svid[]> = () =>
    Promise.resolve([svid('spiffe://example.org/one', 3_600_000)]);

  x509Svids(caller: WorkloadCaller): Promise<readonly X509Svid[]> {
    this.callers.push(caller);
    return this.x509(caller);
  }

  jwtSvids(
    caller: WorkloadCaller,
    audience: readonly string[],
    spiffeId: string | undefined,
  ): Promise<readonly JwtSvid[]> {
    this.callers.push(caller);
    return Promise.resolve([
      {
        spiffeId: spiffeId ?? 'spiffe://example.org/one',
        token: `token-for-${audience.join(',')}`,
        hint: 'one',
      },
    ]);
  }

  bundles(): readonly TrustBundle[] {
    return [BUNDLE];
  }

  validateJwtSvid(token: string, audience: string) {
    if (token !== 'good')
      return Promise.reject(new WorkloadIdentityError('invalid_token', 'token has expired'));
    return Promise.resolve({
      spiffeId: 'spiffe://example.org/one',
      claims: { aud: [audience], sub: 'spiffe://example.org/one' },
    });
  }

  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  change(): void {
    for (const listener of this.#listeners) listener();
  }

  get listeners(): number {
    return this.#listeners.size;
  }
}

function svid(spiffeId: string, lifetimeMs: number, serial = 1): X509Svid {
  return {
    spiffeId,
    certificates: [Uint8Array.of(0x30, serial), Uint8Array.of(0x30, 0xff)],
    privateKey: Uint8Array.of(0x30, 0x01),
    hint: 'one',
    notAfter: new Date(Date.now() + lifetimeMs),
  };
}

const servers: WorkloadApiServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.stop()));
});

async function serve(
  directory: string,
  provider: WorkloadIdentityProvider,
  options: { maxConnections?: number } = {},
) {
  const logger = new RecordingLogger();
  const socketPath = join(directory, 'workload', 'api.sock');
  const server = new WorkloadApiServer(provider, logger, {
    socketPath,
    minimumRotationMs: 50,
    ...options,
  });
  await server.start();
  servers.push(server);
  const transport = createGrpcTransport({
    baseUrl: 'http://localhost',
    nodeOptions: { createConnection: () => connect(socketPath) },
  });
  const client = createClient(SpiffeWorkloadAPI, transport);
  return { client, logger, socketPath };
}

const WITH_HEADER = { headers: { 'workload.spiffe.io': 'true' } };

async function codeOf(promise: Promise<unknown>): Promise<Code | undefined> {
  try {
    await promise;
  } catch (error) {
    return ConnectError.from(error).code;
  }
  return undefined;
}

async function first<T>(stream: AsyncIterable<T>): Promise<T> {
  for await (const message of stream) return message;
  throw new Error('the stream ended without a message');
}

describe(WorkloadApiServer, () => {
  test('serves X.509-SVIDs to the process the kernel names as the caller', async ({ tempDir }) => {
    const provider = new FakeProvider();
    const { client } = await serve(tempDir, provider);
    const response = await first(client.fetchX509SVID({}, WITH_HEADER));
    expect(provider.callers.map(({ pid, uid }) => ({ pid, uid }))).toStrictEqual([
      { pid: process.pid, uid: process.getuid?.() },
    ]);
    expect(response.svids).toHaveLength(1);
    const [message] = response.svids;
    expect(message?.spiffeId).toBe('spiffe://example.org/one');
    expect([...(message?.x509Svid ?? [])]).toStrictEqual([0x30, 1, 0x30, 0xff]);
    expect([...(message?.bundle ?? [])]).toStrictEqual([1, 2, 3]);
    expect(message?.hint).toBe('one');
  });

  test('never compresses an answer, whatever encodings the caller accepts', async ({ tempDir }) => {
    // Every stream a caller asks to be gzipped held some 256 KiB of zlib state in the agent:
    // 1,000 such streams opened at once took it from 200 MiB to 420 MiB. And an SVID's key is
    // no thing to compress beside text the workload chose.
    const provider = new FakeProvider();
    provider.x509 = () =>
      Promise.resolve([
        { ...svid('spiffe://example.org/one', 3_600_000), certificates: [new Uint8Array(8192)] },
      ]);
    const { client } = await serve(tempDir, provider);
    let encoding: string | null = 'unread';
    const response = await first(
      client.fetchX509SVID(
        {},
        {
          headers: { ...WITH_HEADER.headers, 'grpc-accept-encoding': 'gzip, br' },
          onHeader: (headers) => {
            encoding = headers.get('grpc-encoding');
          },
        },
      ),
    );
    expect(response.svids[0]?.x509Svid).toHaveLength(8192);
    expect([null, 'identity']).toContain(encoding);
  });

  test('inflates a compressed request no further than the largest request it takes', async ({
    tempDir,
  }) => {
    // 100 KiB of audience gzips to a few hundred bytes: without a bound on what a request
    // inflates to, a connection could make the agent hold megabytes for each such message.
    const provider = new FakeProvider();
    const { socketPath } = await serve(tempDir, provider);
    const client = createClient(
      SpiffeWorkloadAPI,
      createGrpcTransport({
        baseUrl: 'http://localhost',
        nodeOptions: { createConnection: () => connect(socketPath) },
        sendCompression: compressionGzip,
        compressMinBytes: 0,
      }),
    );
    expect(
      await codeOf(client.fetchJWTSVID({ audience: ['a'.repeat(100 * 1024)] }, WITH_HEADER)),
    ).toBe(Code.ResourceExhausted);
    expect(provider.callers).toHaveLength(0);
    // A compressed request of an ordinary size is served.
    const response = await client.fetchJWTSVID({ audience: ['a'] }, WITH_HEADER);
    expect(response.svids.map(({ svid: token }) => token)).toStrictEqual(['token-for-a']);
  });

  test('makes a socket every user may connect to, in a directory it keeps', async ({ tempDir }) => {
    await mkdir(join(tempDir, 'workload'), { mode: 0o711 });
    const before = await stat(join(tempDir, 'workload'));
    const { socketPath } = await serve(tempDir, new FakeProvider());
    const socket = await lstat(socketPath);
    expect(socket.isSocket()).toBe(true);
    expect(socket.mode & 0o777).toBe(0o666);
    const after = await stat(join(tempDir, 'workload'));
    expect({ ino: after.ino, mode: after.mode }).toStrictEqual({
      ino: before.ino,
      mode: before.mode,
    });
  });

  test('refuses every request without the security metadata, as InvalidArgument', async ({
    tempDir,
  }) => {
    const provider = new FakeProvider();
    const { client } = await serve(tempDir, provider);
    expect(await codeOf(first(client.fetchX509SVID({})))).toBe(Code.InvalidArgument);
    expect(await codeOf(client.fetchJWTSVID({ audience: ['a'] }))).toBe(Code.InvalidArgument);
    expect(await codeOf(first(client.fetchJWTBundles({})))).toBe(Code.InvalidArgument);
    expect(await codeOf(first(client.fetchX509Bundles({})))).toBe(Code.InvalidArgument);
    expect(await codeOf(client.validateJWTSVID({ audience: 'a', svid: 'good' }))).toBe(
      Code.InvalidArgument,
    );
    expect(
      await codeOf(first(client.fetchX509SVID({}, { headers: { 'workload.spiffe.io': 'false' } }))),
    ).toBe(Code.InvalidArgument);
    expect(provider.callers).toHaveLength(0);
  });

  test.for([
    ['permission_denied', Code.PermissionDenied],
    ['unavailable', Code.Unavailable],
  ] as const)(
    'answers a provider refusal %s with its gRPC code',
    async ([code, grpc], { tempDir }) => {
      const provider = new FakeProvider();
      provider.x509 = () => Promise.reject(new WorkloadIdentityError(code, 'no identity'));
      const { client, logger } = await serve(tempDir, provider);
      expect(await codeOf(first(client.fetchX509SVID({}, WITH_HEADER)))).toBe(grpc);
      expect(logger.records).toContainEqual(
        expect.objectContaining({
          message: 'Workload API request refused',
          fields: expect.objectContaining({ pid: process.pid, code }) as unknown,
        }),
      );
    },
  );

  test('tells a caller nothing of an unexpected failure', async ({ tempDir }) => {
    const provider = new FakeProvider();
    provider.x509 = () => Promise.reject(new Error('secret detail of a defect'));
    const { client } = await serve(tempDir, provider);
    const error = await first(client.fetchX509SVID({}, WITH_HEADER)).catch((caught: unknown) =>
      ConnectError.from(caught),
    );
    expect(error).toMatchObject({ code: Code.Internal, rawMessage: 'internal error' });
  });

  test('sends nothing when the calling process is gone once it has been attested', async ({
    tempDir,
  }) => {
    const provider = new FakeProvider();
    const { socketPath, logger } = await serve(tempDir, provider);
    // A separate process makes the call; it is killed while the provider attests it, which
    // is when its PID could be given to another process.
    const child = spawn(
      process.execPath,
      [
        '-e',
        `const h = require('node:http2').connect('http://localhost', { createConnection: () => require('node:net').connect(${JSON.stringify(socketPath)}) });` +
          `h.request({ ':method': 'POST', ':path': '/SpiffeWorkloadAPI/FetchX509SVID', 'content-type': 'application/grpc', te: 'trailers', 'workload.spiffe.io': 'true' }).end(Buffer.alloc(5));` +
          `setInterval(() => {}, 1000);`,
      ],
      { stdio: 'ignore' },
    );
    const exited = new Promise((resolve) => child.once('exit', resolve));
    provider.x509 = async (caller) => {
      expect(caller.pid).toBe(child.pid);
      child.kill('SIGKILL');
      await exited;
      return [svid('spiffe://example.org/one', 3_600_000)];
    };
    await vi.waitFor(() => {
      expect(logger.records.map((record) => record.message)).toContain(
        'Workload API caller went away while it was attested; nothing sent',
      );
    });
  });

  test('keeps the callers of two connections apart, each named by its own connection', async ({
    tempDir,
  }) => {
    // grpc-js names a call's connection by its peer address alone: a mix-up there would hand
    // one workload's SVIDs to another.
    const provider = new FakeProvider();
    const { client, socketPath } = await serve(tempDir, provider);
    const controller = new AbortController();
    const held = first(client.fetchX509SVID({}, { ...WITH_HEADER, signal: controller.signal }));
    await held;
    const child = spawn(
      process.execPath,
      [
        '-e',
        `const h = require('node:http2').connect('http://localhost', { createConnection: () => require('node:net').connect(${JSON.stringify(socketPath)}) });` +
          `const r = h.request({ ':method': 'POST', ':path': '/SpiffeWorkloadAPI/FetchJWTSVID', 'content-type': 'application/grpc', te: 'trailers', 'workload.spiffe.io': 'true' });` +
          `r.on('trailers', (t) => process.stdout.write(String(t['grpc-status'])));` +
          `r.resume(); r.end(Buffer.from([0, 0, 0, 0, 3, 0x0a, 1, 0x61])); setInterval(() => {}, 1000);`,
      ],
      { stdio: ['ignore', 'pipe', 'ignore'] },
    );
    try {
      const answered = await new Promise<string>((resolve) =>
        child.stdout.once('data', (data: Buffer) => {
          resolve(data.toString());
        }),
      );
      expect(answered).toBe('0');
      // Both connections open: the first one's next call is still the first one's.
      await client.fetchJWTSVID({ audience: ['b'] }, WITH_HEADER);
    } finally {
      child.kill('SIGKILL');
      controller.abort();
    }
    expect(provider.callers.map(({ pid }) => pid)).toStrictEqual([
      process.pid,
      child.pid,
      process.pid,
    ]);
  });

  test('pushes a new response on a change and at half the SVID lifetime', async ({ tempDir }) => {
    const provider = new FakeProvider();
    let issued = 0;
    provider.x509 = () => {
      issued++;
      // The first SVID lives long; the second rotates after ~100 ms; later ones live long.
      return Promise.resolve([
        svid('spiffe://example.org/one', issued === 2 ? 200 : 3_600_000, issued),
      ]);
    };
    const { client } = await serve(tempDir, provider);
    const controller = new AbortController();
    const seen: number[] = [];
    const stream = client.fetchX509SVID({}, { ...WITH_HEADER, signal: controller.signal });
    const reading = (async () => {
      for await (const response of stream) {
        seen.push(response.svids[0]?.x509Svid[1] ?? 0);
        if (seen.length === 1) provider.change();
        if (seen.length === 3) controller.abort();
      }
    })().catch((error: unknown) => {
      if (ConnectError.from(error).code !== Code.Canceled) throw error;
    });
    await reading;
    expect(seen).toStrictEqual([1, 2, 3]);
    await vi.waitFor(() => {
      expect(provider.listeners).toBe(0);
    });
  });

  test('ends the stream with the refusal when a re-issue is refused (the container stopped)', async ({
    tempDir,
  }) => {
    const provider = new FakeProvider();
    let issued = 0;
    provider.x509 = () => {
      issued++;
      return issued === 1
        ? Promise.resolve([svid('spiffe://example.org/one', 3_600_000)])
        : Promise.reject(new WorkloadIdentityError('permission_denied', 'container stopped'));
    };
    const { client } = await serve(tempDir, provider);
    const seen: string[] = [];
    let ended: Code | undefined;
    try {
      for await (const response of client.fetchX509SVID({}, WITH_HEADER)) {
        seen.push(response.svids[0]?.spiffeId ?? '');
        provider.change();
      }
    } catch (error) {
      ended = ConnectError.from(error).code;
    }
    expect(seen).toStrictEqual(['spiffe://example.org/one']);
    expect(ended).toBe(Code.PermissionDenied);
  });

  test('streams the bundles keyed by trust domain SPIFFE ID, again after a change', async ({
    tempDir,
  }) => {
    const provider = new FakeProvider();
    const { client } = await serve(tempDir, provider);
    const x509 = await first(client.fetchX509Bundles({}, WITH_HEADER));
    expect(Object.keys(x509.bundles)).toStrictEqual(['spiffe://example.org']);
    expect([...(x509.bundles['spiffe://example.org'] ?? [])]).toStrictEqual([1, 2, 3]);
    const jwt = await first(client.fetchJWTBundles({}, WITH_HEADER));
    expect(
      JSON.parse(Buffer.from(jwt.bundles['spiffe://example.org'] ?? []).toString()),
    ).toStrictEqual(BUNDLE.jwtKeys);
  });

  test('issues JWT-SVIDs for an audience, and requires one', async ({ tempDir }) => {
    const provider = new FakeProvider();
    const { client } = await serve(tempDir, provider);
    const response = await client.fetchJWTSVID(
      { audience: ['a', 'b'], spiffeId: 'spiffe://example.org/two' },
      WITH_HEADER,
    );
    expect(response.svids.map(({ spiffeId, svid: token }) => ({ spiffeId, token }))).toStrictEqual([
      { spiffeId: 'spiffe://example.org/two', token: 'token-for-a,b' },
    ]);
    expect(await codeOf(client.fetchJWTSVID({ audience: [] }, WITH_HEADER))).toBe(
      Code.InvalidArgument,
    );
    expect(await codeOf(client.fetchJWTSVID({ audience: [''] }, WITH_HEADER))).toBe(
      Code.InvalidArgument,
    );
  });

  test('validates a JWT-SVID, and refuses a bad one as InvalidArgument', async ({ tempDir }) => {
    const { client } = await serve(tempDir, new FakeProvider());
    const valid = await client.validateJWTSVID({ audience: 'a', svid: 'good' }, WITH_HEADER);
    expect(valid.spiffeId).toBe('spiffe://example.org/one');
    expect(valid.claims).toStrictEqual({ aud: ['a'], sub: 'spiffe://example.org/one' });
    expect(await codeOf(client.validateJWTSVID({ audience: 'a', svid: 'bad' }, WITH_HEADER))).toBe(
      Code.InvalidArgument,
    );
    expect(await codeOf(client.validateJWTSVID({ audience: '', svid: 'good' }, WITH_HEADER))).toBe(
      Code.InvalidArgument,
    );
  });

  test('answers the WIT-SVID methods Unimplemented', async ({ tempDir }) => {
    const { client } = await serve(tempDir, new FakeProvider());
    expect(await codeOf(first(client.fetchWITSVID({}, WITH_HEADER)))).toBe(Code.Unimplemented);
    expect(await codeOf(first(client.fetchWITBundles({}, WITH_HEADER)))).toBe(Code.Unimplemented);
  });

  test('bounds what any local user can hold: connections, and streams per connection', async ({
    tempDir,
  }) => {
    const provider = new FakeProvider();
    const { client, socketPath } = await serve(tempDir, provider, { maxConnections: 3 });
    // Sixteen streams share one connection; the seventeenth is refused.
    const controller = new AbortController();
    const outcomes = await Promise.all(
      Array.from({ length: 17 }, async () => {
        try {
          await first(client.fetchX509Bundles({}, { ...WITH_HEADER, signal: controller.signal }));
          return 'served';
        } catch {
          return 'refused';
        }
      }),
    );
    expect(outcomes.filter((outcome) => outcome === 'served').length).toBeLessThanOrEqual(16);
    expect(outcomes).toContain('refused');
    controller.abort();
    // Past maxConnections, a new connection is closed at once.
    const held = [connect(socketPath), connect(socketPath), connect(socketPath)];
    await Promise.all(
      held.map((socket) => new Promise((resolve) => socket.once('connect', resolve))),
    );
    const extra = connect(socketPath);
    await new Promise((resolve) => extra.once('close', resolve));
    for (const socket of held) socket.destroy();
  });
});
