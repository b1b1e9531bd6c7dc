import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import { RemoteServiceError } from '@attestor/ports';
import { FakeClock, rejection } from '@attestor/testing';
import { afterEach, describe, expect, it } from 'vitest';

import { OciRegistryClient } from './oci-registry-client.js';

const digest = (text: string | Buffer) =>
  `sha256:${createHash('sha256').update(text).digest('hex')}`;
const MANIFEST = JSON.stringify({
  schemaVersion: 2,
  mediaType: 'application/vnd.oci.image.manifest.v1+json',
  config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: digest('{}'), size: 2 },
  layers: [],
});
const MANIFEST_DIGEST = digest(MANIFEST);
const BLOB = Buffer.from('{}');

type Handler = (request: IncomingMessage, response: ServerResponse, host: string) => void;

describe(OciRegistryClient, () => {
  const servers: Server[] = [];
  let client: OciRegistryClient | undefined;
  afterEach(async () => {
    await client?.close();
    await Promise.all(
      servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))),
    );
  });

  async function serve(handler: Handler): Promise<string> {
    const server = createServer((request, response) => {
      handler(request, response, `127.0.0.1:${String((server.address() as AddressInfo).port)}`);
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return `127.0.0.1:${String((server.address() as AddressInfo).port)}`;
  }

  function insecureClient(
    host: string,
    extra: Partial<ConstructorParameters<typeof OciRegistryClient>[0]> = {},
  ) {
    client = new OciRegistryClient({
      clock: new FakeClock(),
      transports: new Map([[host, { insecure: true }]]),
      timeoutMs: 1000,
      ...extra,
    });
    return client;
  }

  /** A registry that serves one manifest and one blob, optionally behind auth. */
  function registry(options: { tamper?: boolean; auth?: 'bearer' | 'basic' } = {}): Handler {
    return (request, response, host) => {
      const url = request.url ?? '';
      if (url.startsWith('/token')) {
        const expected = `Basic ${Buffer.from('alice:s3cret').toString('base64')}`;
        if (request.headers.authorization !== expected) {
          response.writeHead(401).end();
          return;
        }
        response
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ token: 'tkn', expires_in: 300 }));
        return;
      }
      if (options.auth === 'bearer' && request.headers.authorization !== 'Bearer tkn') {
        response
          .writeHead(401, {
            'www-authenticate': `Bearer realm="http://${host}/token",service="test",scope="repository:team/app:pull"`,
          })
          .end();
        return;
      }
      if (
        options.auth === 'basic' &&
        request.headers.authorization !== `Basic ${Buffer.from('alice:s3cret').toString('base64')}`
      ) {
        response.writeHead(401, { 'www-authenticate': 'Basic realm="registry"' }).end();
        return;
      }
      if (
        url === '/v2/team/app/manifests/1.0' ||
        url === `/v2/team/app/manifests/${MANIFEST_DIGEST}`
      ) {
        const body = options.tamper === true ? MANIFEST.replace('2', '3') : MANIFEST;
        response
          .writeHead(200, { 'content-type': 'application/vnd.oci.image.manifest.v1+json' })
          .end(body);
        return;
      }
      if (url === `/v2/team/app/blobs/${digest(BLOB)}`) {
        response.writeHead(200).end(options.tamper === true ? Buffer.from('{"x":1}') : BLOB);
        return;
      }
      response.writeHead(404).end();
    };
  }

  describe('.getManifest', () => {
    it('fetches by tag and by digest, returning the digest of what it received', async () => {
      const host = await serve(registry());
      const registryClient = insecureClient(host);
      const byTag = await registryClient.getManifest(host, 'team/app', '1.0');
      expect(byTag).toMatchObject({
        digest: MANIFEST_DIGEST,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
      });
      expect(await registryClient.getManifest(host, 'team/app', MANIFEST_DIGEST)).toMatchObject({
        digest: MANIFEST_DIGEST,
      });
    });

    it('returns undefined for an unknown manifest', async () => {
      const host = await serve(registry());
      expect(await insecureClient(host).getManifest(host, 'team/app', '2.0')).toBeUndefined();
    });

    it('refuses content that does not match the digest asked for', async () => {
      const host = await serve(registry({ tamper: true }));
      const error = await rejection(
        RemoteServiceError,
        insecureClient(host).getManifest(host, 'team/app', MANIFEST_DIGEST),
      );
      expect(error.code).toBe('bad_response');
      expect(error.message).toBe(
        `registry ${host}: manifest team/app@${MANIFEST_DIGEST}: the content does not match its digest`,
      );
    });

    it('refuses a Docker-Content-Digest header that contradicts the content', async () => {
      const host = await serve((_request, response) => {
        response.writeHead(200, { 'docker-content-digest': digest('other') }).end(MANIFEST);
      });
      expect(
        (
          await rejection(
            RemoteServiceError,
            insecureClient(host).getManifest(host, 'team/app', '1.0'),
          )
        ).message,
      ).toContain('does not match the content');
    });

    it('refuses a manifest whose mediaType is not a string, naming the field', async () => {
      const host = await serve((_request, response) => {
        response.writeHead(200).end(JSON.stringify({ schemaVersion: 2, mediaType: ['x'] }));
      });
      const error = await rejection(
        RemoteServiceError,
        insecureClient(host).getManifest(host, 'team/app', '1.0'),
      );
      expect(error.code).toBe('bad_response');
      expect(error.message).toBe(
        `registry ${host}: manifest team/app:1.0: mediaType is not a string`,
      );
    });

    it('refuses a manifest over the size limit', async () => {
      const host = await serve((_request, response) => {
        response.writeHead(200).end('x'.repeat(2048));
      });
      const error = await rejection(
        RemoteServiceError,
        insecureClient(host, { maxManifestBytes: 1024 }).getManifest(host, 'team/app', '1.0'),
      );
      expect(error.code).toBe('too_large');
    });

    it('refuses names that are not repository names or references', async () => {
      client = new OciRegistryClient({ clock: new FakeClock() });
      await expect(client.getManifest('r', '../etc', '1')).rejects.toThrow(RangeError);
      await expect(client.getManifest('r', 'team/app', '../../x')).rejects.toThrow(RangeError);
    });
  });

  describe('.getBlob', () => {
    it('returns a blob that matches its digest', async () => {
      const host = await serve(registry());
      expect(
        Buffer.from((await insecureClient(host).getBlob(host, 'team/app', digest(BLOB))) ?? []),
      ).toStrictEqual(BLOB);
    });

    it('refuses a blob that does not', async () => {
      const host = await serve(registry({ tamper: true }));
      expect(
        (
          await rejection(
            RemoteServiceError,
            insecureClient(host).getBlob(host, 'team/app', digest(BLOB)),
          )
        ).message,
      ).toContain('does not match its digest');
    });

    it('follows a redirect to another host without sending credentials there', async () => {
      let seenAuthorization: string | undefined = 'unset';
      const storage = await serve((request, response) => {
        seenAuthorization = request.headers.authorization;
        response.writeHead(200).end(BLOB);
      });
      const host = await serve((request, response) => {
        if (
          request.headers.authorization !==
          `Basic ${Buffer.from('alice:s3cret').toString('base64')}`
        ) {
          response.writeHead(401, { 'www-authenticate': 'Basic realm="r"' }).end();
          return;
        }
        response.writeHead(307, { location: `http://${storage}/blob` }).end();
      });
      // The storage host is plain HTTP here, which a real client must refuse: only the
      // registry itself may be insecure.
      const registryClient = insecureClient(host, {
        credentials: new Map([[host, { username: 'alice', password: 's3cret' }]]),
      });
      const error = await rejection(
        RemoteServiceError,
        registryClient.getBlob(host, 'team/app', digest(BLOB)),
      );
      expect(error.message).toBe(`registry ${host}: refusing a redirect to http://${storage}`);
      expect(seenAuthorization).toBe('unset');
    });
  });

  describe('authentication', () => {
    it('gets a bearer token with the configured credentials and retries', async () => {
      const host = await serve(registry({ auth: 'bearer' }));
      const registryClient = insecureClient(host, {
        credentials: new Map([[host, { username: 'alice', password: 's3cret' }]]),
      });
      expect(await registryClient.getManifest(host, 'team/app', '1.0')).toMatchObject({
        digest: MANIFEST_DIGEST,
      });
    });

    it('answers a basic challenge with the configured credentials', async () => {
      const host = await serve(registry({ auth: 'basic' }));
      const registryClient = insecureClient(host, {
        credentials: new Map([[host, { username: 'alice', password: 's3cret' }]]),
      });
      expect(await registryClient.getBlob(host, 'team/app', digest(BLOB))).toBeDefined();
    });

    it('says access was denied without credentials, never echoing secrets', async () => {
      const host = await serve(registry({ auth: 'basic' }));
      const error = await rejection(
        RemoteServiceError,
        insecureClient(host).getManifest(host, 'team/app', '1.0'),
      );
      expect(error.message).toBe(
        `registry ${host}: manifest team/app:1.0: HTTP 401 (access denied; check the credentials in the Docker config)`,
      );
    });

    it.each([
      ['not an object', '["tkn"]', 'the answer is not a JSON object'],
      ['a token that is not a string', '{"token":7}', 'token is not a string'],
      ['no token at all', '{"expires_in":300}', 'access_token is not a string'],
      ['an empty token', '{"token":""}', 'token is not a non-empty string'],
      [
        'a negative lifetime',
        '{"token":"t","expires_in":-5}',
        'expires_in is not a whole number of seconds',
      ],
    ])('refuses a token answer that is %s, naming the field', async (_name, answer, expected) => {
      const host = await serve((request, response, self) => {
        if ((request.url ?? '').startsWith('/token')) {
          response.writeHead(200, { 'content-type': 'application/json' }).end(answer);
          return;
        }
        response
          .writeHead(401, { 'www-authenticate': `Bearer realm="http://${self}/token"` })
          .end();
      });
      const error = await rejection(
        RemoteServiceError,
        insecureClient(host).getManifest(host, 'team/app', '1.0'),
      );
      expect(error.code).toBe('bad_response');
      expect(error.message).toBe(`registry ${host}: token endpoint http://${host}: ${expected}`);
    });

    it('refuses a token realm over plain HTTP on another host', async () => {
      const host = await serve((_request, response) => {
        response
          .writeHead(401, { 'www-authenticate': 'Bearer realm="http://evil.example/token"' })
          .end();
      });
      expect(
        (
          await rejection(
            RemoteServiceError,
            insecureClient(host).getManifest(host, 'team/app', '1.0'),
          )
        ).message,
      ).toContain('refusing a token realm over plain HTTP');
    });
  });

  describe('.getReferrers', () => {
    const referrer = {
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      digest: digest('sig'),
      size: 3,
      artifactType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
    };

    it('uses the referrers API when the registry has it', async () => {
      const host = await serve((request, response) => {
        if (request.url === `/v2/team/app/referrers/${MANIFEST_DIGEST}`) {
          response
            .writeHead(200, { 'content-type': 'application/vnd.oci.image.index.v1+json' })
            .end(JSON.stringify({ schemaVersion: 2, manifests: [referrer] }));
        } else response.writeHead(404).end();
      });
      expect(
        await insecureClient(host).getReferrers(host, 'team/app', MANIFEST_DIGEST),
      ).toStrictEqual([referrer]);
    });

    it('falls back to the sha256-<hex> referrers tag', async () => {
      const index = JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.index.v1+json',
        manifests: [referrer],
      });
      const host = await serve((request, response) => {
        if (request.url === `/v2/team/app/manifests/${MANIFEST_DIGEST.replace(':', '-')}`)
          response.writeHead(200).end(index);
        else response.writeHead(404).end();
      });
      expect(
        await insecureClient(host).getReferrers(host, 'team/app', MANIFEST_DIGEST),
      ).toStrictEqual([referrer]);
    });

    it('returns nothing when neither exists', async () => {
      const host = await serve((_request, response) => response.writeHead(404).end());
      expect(
        await insecureClient(host).getReferrers(host, 'team/app', MANIFEST_DIGEST),
      ).toStrictEqual([]);
    });

    it('bounds the number of referrers and checks each descriptor', async () => {
      const many = JSON.stringify({ manifests: Array.from({ length: 5 }, () => referrer) });
      const bad = JSON.stringify({ manifests: [{ mediaType: 'x', digest: 'md5:abc', size: 1 }] });
      let body = many;
      const host = await serve((_request, response) => {
        response
          .writeHead(200, { 'content-type': 'application/vnd.oci.image.index.v1+json' })
          .end(body);
      });
      const registryClient = insecureClient(host, { maxReferrers: 4 });
      expect(
        (
          await rejection(
            RemoteServiceError,
            registryClient.getReferrers(host, 'team/app', MANIFEST_DIGEST),
          )
        ).code,
      ).toBe('too_large');
      body = bad;
      expect(
        (
          await rejection(
            RemoteServiceError,
            registryClient.getReferrers(host, 'team/app', MANIFEST_DIGEST),
          )
        ).message,
      ).toContain('entry 0.digest is not a digest');
    });
  });

  describe('transport failures', () => {
    it('says network_error when nothing listens, and timeout when the registry stalls', async () => {
      const registryClient = insecureClient('127.0.0.1:1');
      expect(
        (
          await rejection(
            RemoteServiceError,
            registryClient.getManifest('127.0.0.1:1', 'team/app', '1.0'),
          )
        ).code,
      ).toBe('network_error');
      const host = await serve(() => {
        // never answers
      });
      const stalled = insecureClient(host);
      expect(
        (await rejection(RemoteServiceError, stalled.getManifest(host, 'team/app', '1.0'))).code,
      ).toBe('timeout');
    });

    it('stops a registry that drips its answer, though no gap reaches the timeout', async () => {
      // Headers at once, then one byte every 100 ms: undici's own timers (1 s between
      // chunks) never fire, so only a deadline over the whole body ends the call.
      const host = await serve((_request, response) => {
        response.writeHead(200, {
          'content-type': 'application/vnd.oci.image.manifest.v1+json',
        });
        const drip = setInterval(() => response.write(' '), 100);
        response.on('close', () => {
          clearInterval(drip);
        });
      });
      const started = performance.now();
      const error = await rejection(
        RemoteServiceError,
        insecureClient(host).getManifest(host, 'team/app', '1.0'),
      );
      expect(error.code).toBe('timeout');
      expect(error.message).toContain('no answer within 1000 ms');
      expect(performance.now() - started).toBeLessThan(3_000);
    });

    it('says cancelled when the caller goes away', async () => {
      const host = await serve(() => {
        // never answers
      });
      const controller = new AbortController();
      const pending = insecureClient(host, { timeoutMs: 5000 }).getManifest(
        host,
        'team/app',
        '1.0',
        controller.signal,
      );
      controller.abort();
      expect((await rejection(RemoteServiceError, pending)).code).toBe('cancelled');
    });
  });
});
