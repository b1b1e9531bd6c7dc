import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';

import { RemoteServiceError } from '@attestor/ports';
import { TestCertificateAuthority } from '@attestor/sigstore-test-stack';
import { FakeClock } from '@attestor/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { OciRegistryClient } from './oci-registry-client.js';

const MANIFEST = JSON.stringify({
  schemaVersion: 2,
  mediaType: 'application/vnd.oci.image.manifest.v1+json',
  layers: [],
});

describe('OciRegistryClient over HTTPS', () => {
  let ca: TestCertificateAuthority;
  let server: Server;
  let host = '';
  beforeAll(async () => {
    ca = await TestCertificateAuthority.create();
    const certificate = await ca.issueServerCertificate();
    server = createServer(
      { key: certificate.privateKeyPem, cert: certificate.pem },
      (_request, response) => {
        response
          .writeHead(200, { 'content-type': 'application/vnd.oci.image.manifest.v1+json' })
          .end(MANIFEST);
      },
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    host = `127.0.0.1:${String((server.address() as AddressInfo).port)}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('trusts a registry whose certificate chains to a configured extra CA', async () => {
    const client = new OciRegistryClient({
      clock: new FakeClock(),
      transports: new Map([[host, { insecure: false, caPem: ca.rootPem }]]),
    });
    try {
      const manifest = await client.getManifest(host, 'team/app', '1');
      expect(manifest?.digest).toBe(
        `sha256:${createHash('sha256').update(MANIFEST).digest('hex')}`,
      );
    } finally {
      await client.close();
    }
  });

  it('refuses the same registry without that CA', async () => {
    const client = new OciRegistryClient({ clock: new FakeClock(), timeoutMs: 2000 });
    try {
      const error = await client
        .getManifest(host, 'team/app', '1')
        .catch((caught: unknown) => caught);
      expect(RemoteServiceError.is(error) && error.code).toBe('network_error');
    } finally {
      await client.close();
    }
  });
});
