import { execFileSync } from 'node:child_process';
import { createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto';
import { chmod, mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { rejection } from '@attestor/testing';
import { test } from '@attestor/testing/fixtures';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { describe, expect } from 'vitest';

import { AuthorityError, LocalAuthority } from './local-authority.js';

function pem(der: Uint8Array): string {
  return new X509Certificate(der).toString();
}

function openssl(...args: string[]): string {
  return execFileSync('openssl', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

describe(LocalAuthority, () => {
  test('makes its CA and JWT key on first start, private, and reuses them', async ({ tempDir }) => {
    const state = join(tempDir, 'state');
    const first = await LocalAuthority.open(state, 'example.org');
    expect((await stat(state)).mode & 0o777).toBe(0o700);
    expect((await stat(join(state, 'ca.key'))).mode & 0o777).toBe(0o600);
    expect((await stat(join(state, 'jwt.key'))).mode & 0o777).toBe(0o600);
    const again = await LocalAuthority.open(state, 'example.org');
    expect(again.caPem).toBe(first.caPem);
    expect(again.jwtKeyId).toBe(first.jwtKeyId);
    const ca = new X509Certificate(first.caPem);
    expect(ca.ca).toBe(true);
    expect(ca.subjectAltName).toBe('URI:spiffe://example.org');
  });

  test('refuses a key file others may read', async ({ tempDir }) => {
    const state = join(tempDir, 'state');
    await LocalAuthority.open(state, 'example.org');
    await chmod(join(state, 'ca.key'), 0o644);
    const error = await rejection(AuthorityError, LocalAuthority.open(state, 'example.org'));
    expect(error.code).toBe('insecure_permissions');
    expect(error.message).toContain(`key file ${join(state, 'ca.key')} has mode 0644`);
  });

  test('refuses a state directory others may enter', async ({ tempDir }) => {
    const state = join(tempDir, 'state');
    await LocalAuthority.open(state, 'example.org');
    await chmod(state, 0o755);
    const error = await rejection(AuthorityError, LocalAuthority.open(state, 'example.org'));
    expect(error.code).toBe('insecure_permissions');
    expect(error.message).toContain(`stateDirectory ${state} has mode 0755`);
  });

  test('refuses a CA key that is not the key of the CA certificate', async ({ tempDir }) => {
    const one = join(tempDir, 'one');
    const two = join(tempDir, 'two');
    await LocalAuthority.open(one, 'example.org');
    await LocalAuthority.open(two, 'example.org');
    await writeFile(join(one, 'ca.pem'), await readFile(join(two, 'ca.pem')));
    const error = await rejection(AuthorityError, LocalAuthority.open(one, 'example.org'));
    expect(error.code).toBe('malformed_state');
    expect(error.message).toContain('is not the key of the CA certificate');
  });

  test('issues X.509-SVIDs as the SPIFFE standard has them, chaining to its bundle', async ({
    tempDir,
  }) => {
    const authority = await LocalAuthority.open(join(tempDir, 'state'), 'example.org');
    const now = new Date();
    const svid = await authority.issueX509Svid(
      'spiffe://example.org/workloads/payments',
      {},
      3_600_000,
      'payments',
      now,
    );
    expect(svid.certificates).toHaveLength(1);
    const [leafDer] = svid.certificates;
    if (leafDer === undefined) throw new Error('no certificate');
    const leaf = new X509Certificate(leafDer);
    expect(leaf.subjectAltName).toBe('URI:spiffe://example.org/workloads/payments');
    expect(leaf.ca).toBe(false);
    expect(svid.notAfter.getTime()).toBe(Math.floor((now.getTime() + 3_600_000) / 1000) * 1000);
    // The SPKI written for the certificate is the one Node itself would export.
    expect(
      leaf.publicKey
        .export({ type: 'spki', format: 'der' })
        .equals(
          createPublicKey(
            createPrivateKey({ key: Buffer.from(svid.privateKey), format: 'der', type: 'pkcs8' }),
          ).export({ type: 'spki', format: 'der' }),
        ),
    ).toBe(true);
    // The key is PKCS#8 and is the certificate's.
    const key = createPrivateKey({
      key: Buffer.from(svid.privateKey),
      format: 'der',
      type: 'pkcs8',
    });
    expect(createPublicKey(key).export({ format: 'jwk' })).toStrictEqual(
      leaf.publicKey.export({ format: 'jwk' }),
    );

    // openssl, not this code, checks the chain and reads the extensions.
    const [bundleDer] = authority.bundle().x509Authorities;
    if (bundleDer === undefined) throw new Error('no CA');
    await writeFile(join(tempDir, 'bundle.pem'), pem(bundleDer));
    await writeFile(join(tempDir, 'svid.pem'), pem(leafDer));
    for (const purpose of ['sslclient', 'sslserver'])
      expect(
        openssl(
          'verify',
          '-CAfile',
          join(tempDir, 'bundle.pem'),
          '-purpose',
          purpose,
          join(tempDir, 'svid.pem'),
        ),
      ).toContain('OK');
    const text = openssl('x509', '-noout', '-text', '-in', join(tempDir, 'svid.pem'));
    expect(text).toMatch(/X509v3 Subject Alternative Name: critical\s+URI:spiffe:\/\/example\.org/);
    expect(text).toMatch(/X509v3 Key Usage: critical\s+Digital Signature\n/);
    expect(text).toMatch(/X509v3 Basic Constraints: critical\s+CA:FALSE/);
    expect(text).toMatch(/TLS Web Server Authentication, TLS Web Client Authentication/);
  });

  test('puts a subject in the SVID, and then the SAN is not critical', async ({ tempDir }) => {
    const authority = await LocalAuthority.open(join(tempDir, 'state'), 'example.org');
    const svid = await authority.issueX509Svid(
      'spiffe://example.org/a',
      { organization: 'Example, Inc.', commonName: 'payments' },
      60_000,
      'a',
    );
    const [der] = svid.certificates;
    if (der === undefined) throw new Error('no certificate');
    const leaf = new X509Certificate(der);
    expect(leaf.subject).toBe('O=Example\\, Inc.\nCN=payments');
    // A value is one attribute, whatever it holds: no separator in it can add another.
    const injected = await authority.issueX509Svid(
      'spiffe://example.org/a',
      { commonName: 'x, O=Evil+CN=root', country: 'US' },
      60_000,
      'a',
    );
    const [injectedDer] = injected.certificates;
    if (injectedDer === undefined) throw new Error('no certificate');
    // Two attributes, C and CN; the comma and plus are CN's (Node escapes them to show it).
    expect(new X509Certificate(injectedDer).subject).toBe('C=US\nCN=x\\, O=Evil\\+CN=root');
    await writeFile(join(tempDir, 'svid.pem'), leaf.toString());
    const text = openssl('x509', '-noout', '-text', '-in', join(tempDir, 'svid.pem'));
    expect(text).toMatch(/X509v3 Subject Alternative Name: \n/);
  });

  test('signs JWT-SVIDs that an independent JOSE check accepts against its JWK Set', async ({
    tempDir,
  }) => {
    const authority = await LocalAuthority.open(join(tempDir, 'state'), 'example.org');
    const { token } = await authority.signJwtSvid(
      'spiffe://example.org/a',
      ['https://api.example'],
      { team: 'payments' },
      300_000,
    );
    expect(decodeProtectedHeader(token)).toStrictEqual({
      alg: 'ES256',
      kid: authority.jwtKeyId,
      typ: 'JWT',
    });
    const jwks = authority.bundle().jwtKeys;
    expect(jwks.keys.every((key) => typeof key['kid'] === 'string')).toBe(true);
    const { payload } = await jwtVerify(
      token,
      createLocalJWKSet(jwks as Parameters<typeof createLocalJWKSet>[0]),
      { audience: 'https://api.example' },
    );
    expect(payload).toMatchObject({
      sub: 'spiffe://example.org/a',
      aud: 'https://api.example',
      team: 'payments',
    });
    expect((payload.exp ?? 0) - (payload.iat ?? 0)).toBe(300);
    expect(await authority.validateJwtSvid(token, 'https://api.example')).toMatchObject({
      spiffeId: 'spiffe://example.org/a',
    });
  });

  test('refuses a JWT-SVID for another audience, expired, tampered or foreign', async ({
    tempDir,
  }) => {
    const authority = await LocalAuthority.open(join(tempDir, 'one'), 'example.org');
    const foreign = await LocalAuthority.open(join(tempDir, 'two'), 'example.org');
    const sign = (by: LocalAuthority, ttlMs = 60_000, now = new Date()) =>
      by.signJwtSvid('spiffe://example.org/a', ['aud'], {}, ttlMs, now).then(({ token }) => token);
    const good = await sign(authority);
    const [header, payload, signature] = good.split('.');
    const forged = `${header ?? ''}.${Buffer.from(
      JSON.stringify({
        ...JSON.parse(Buffer.from(payload ?? '', 'base64url').toString()),
        sub: 'spiffe://example.org/admin',
      }),
    ).toString('base64url')}.${signature ?? ''}`;
    const cases: [string, () => Promise<unknown>][] = [
      ['another audience', () => authority.validateJwtSvid(good, 'other')],
      [
        'expired',
        async () =>
          authority.validateJwtSvid(
            await sign(authority, 1_000, new Date(Date.now() - 120_000)),
            'aud',
          ),
      ],
      ['tampered', () => authority.validateJwtSvid(forged, 'aud')],
      ['foreign', async () => authority.validateJwtSvid(await sign(foreign), 'aud')],
    ];
    for (const [name, validation] of cases) {
      const error = await validation().then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(error, name).toBeInstanceOf(Error);
      expect((error as { code?: string }).code, name).toMatch(
        name === 'foreign' ? /^ERR_JWKS_NO_MATCHING_KEY$/ : /^ERR_J(WT|WS)_/,
      );
    }
  });
});

/**
 * The operator's set-up as the README documents it, with openssl: a root kept offline, and an
 * intermediate per host. Returns the files an `authority` block names.
 */
async function operatorCa(directory: string, trustDomain = 'example.org', hostDays = '30') {
  const file = (name: string) => join(directory, name);
  await mkdir(directory, { recursive: true });
  await writeFile(
    file('host.ext'),
    `basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectAltName=URI:spiffe://${trustDomain}\n`,
  );
  openssl('ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', file('root.key'));
  openssl(
    'req',
    '-x509',
    '-new',
    '-key',
    file('root.key'),
    '-sha256',
    '-days',
    '3650',
    '-subj',
    '/O=Example/CN=Example SPIFFE root',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
    '-addext',
    `subjectAltName=URI:spiffe://${trustDomain}`,
    '-out',
    file('root.pem'),
  );
  openssl('ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', file('host.key'));
  openssl(
    'req',
    '-new',
    '-key',
    file('host.key'),
    '-subj',
    '/O=Example/CN=host-1',
    '-out',
    file('host.csr'),
  );
  openssl(
    'x509',
    '-req',
    '-in',
    file('host.csr'),
    '-CA',
    file('root.pem'),
    '-CAkey',
    file('root.key'),
    '-CAcreateserial',
    '-days',
    hostDays,
    '-sha256',
    '-extfile',
    file('host.ext'),
    '-out',
    file('host.pem'),
  );
  await chmod(file('host.key'), 0o600);
  return {
    certificateFile: file('host.pem'),
    keyFile: file('host.key'),
    bundleFile: file('root.pem'),
  };
}

describe('LocalAuthority under an upstream CA', () => {
  test("issues SVIDs that chain through the host's intermediate to the operator's root", async ({
    tempDir,
  }) => {
    const upstream = await operatorCa(tempDir);
    const authority = await LocalAuthority.open(join(tempDir, 'state'), 'example.org', upstream);
    const svid = await authority.issueX509Svid('spiffe://example.org/a', {}, 60_000, 'a');
    expect(svid.certificates).toHaveLength(2);
    const [leaf, intermediate] = svid.certificates.map((der) => pem(der));
    await writeFile(join(tempDir, 'svid.pem'), leaf ?? '');
    await writeFile(join(tempDir, 'chain.pem'), intermediate ?? '');
    // The bundle is the operator's root, which is all a workload needs to trust.
    const [root] = authority.bundle().x509Authorities;
    await writeFile(join(tempDir, 'bundle.pem'), pem(root ?? new Uint8Array()));
    expect(
      openssl(
        'verify',
        '-CAfile',
        join(tempDir, 'bundle.pem'),
        '-untrusted',
        join(tempDir, 'chain.pem'),
        join(tempDir, 'svid.pem'),
      ),
    ).toContain('OK');
    expect(await readFile(join(tempDir, 'bundle.pem'), 'utf8')).toBe(
      new X509Certificate(await readFile(upstream.bundleFile)).toString(),
    );
  });

  test('refuses an intermediate that is not a CA, not the key, or not under the root', async ({
    tempDir,
  }) => {
    const one = await operatorCa(join(tempDir, 'one'));
    const two = await operatorCa(join(tempDir, 'two'));
    const leafOnly = join(tempDir, 'leaf.pem');
    await writeFile(
      join(tempDir, 'leaf.ext'),
      'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\n',
    );
    openssl(
      'x509',
      '-req',
      '-in',
      join(tempDir, 'one', 'host.csr'),
      '-CA',
      one.bundleFile,
      '-CAkey',
      join(tempDir, 'one', 'root.key'),
      '-CAcreateserial',
      '-days',
      '1',
      '-extfile',
      join(tempDir, 'leaf.ext'),
      '-out',
      leafOnly,
    );
    const cases: [string, object, string][] = [
      ['not a CA', { ...one, certificateFile: leafOnly }, 'is not a CA certificate'],
      ['another key', { ...one, keyFile: two.keyFile }, 'is not the key of the CA certificate'],
      [
        'another root',
        { ...one, bundleFile: two.bundleFile },
        'does not chain to a root of bundleFile',
      ],
    ];
    for (const [name, upstream, message] of cases) {
      const error = await rejection(
        AuthorityError,
        LocalAuthority.open(join(tempDir, 'state'), 'example.org', upstream as typeof one),
      );
      expect(error.code, name).toBe('malformed_state');
      expect(error.message, name).toContain(message);
    }
    const foreign = await operatorCa(join(tempDir, 'foreign'), 'other.org');
    expect(
      (
        await rejection(
          AuthorityError,
          LocalAuthority.open(join(tempDir, 'state'), 'example.org', foreign),
        )
      ).message,
    ).toContain('it names spiffe://other.org, not the trust domain spiffe://example.org');
    await chmod(one.keyFile, 0o644);
    expect(
      (
        await rejection(
          AuthorityError,
          LocalAuthority.open(join(tempDir, 'state'), 'example.org', one),
        )
      ).code,
    ).toBe('insecure_permissions');
  });

  test('signs JWT-SVIDs with a key shared by the fleet, when given one', async ({ tempDir }) => {
    const upstream = await operatorCa(tempDir);
    openssl(
      'ecparam',
      '-name',
      'prime256v1',
      '-genkey',
      '-noout',
      '-out',
      join(tempDir, 'jwt.key'),
    );
    await chmod(join(tempDir, 'jwt.key'), 0o600);
    const fleet = { ...upstream, jwtKeyFile: join(tempDir, 'jwt.key') };
    const hostA = await LocalAuthority.open(join(tempDir, 'a'), 'example.org', fleet);
    const hostB = await LocalAuthority.open(join(tempDir, 'b'), 'example.org', fleet);
    expect(hostA.jwtKeyId).toBe(hostB.jwtKeyId);
    const { token } = await hostA.signJwtSvid('spiffe://example.org/a', ['aud'], {}, 60_000);
    // One host's token validates on another: one JWK Set for the fleet.
    expect((await hostB.validateJwtSvid(token, 'aud')).spiffeId).toBe('spiffe://example.org/a');
  });
});

describe('LocalAuthority rotating its own CA', () => {
  const YEAR = 365 * 24 * 3_600_000;

  test('publishes a successor first, signs with it later, and drops the old CA when it expires', async ({
    tempDir,
  }) => {
    const state = join(tempDir, 'state');
    const start = Date.now();
    let now = new Date(start);
    const open = () => LocalAuthority.open(state, 'example.org', undefined, { now: () => now });
    const authority = await open();
    const [first] = authority.bundle().x509Authorities;
    const signedBy = async (subject: LocalAuthority) => {
      const svid = await subject.issueX509Svid('spiffe://example.org/a', {}, 60_000, 'a');
      const [leaf] = svid.certificates;
      return new X509Certificate(leaf ?? new Uint8Array()).issuer;
    };
    const caOf = (der: Uint8Array | undefined) => new X509Certificate(der ?? new Uint8Array());

    // Before two thirds of its life, nothing happens.
    now = new Date(start + 0.6 * YEAR);
    await authority.rotate();
    expect(authority.bundle().x509Authorities).toHaveLength(1);

    // At two thirds, a successor is published but signs nothing yet.
    now = new Date(start + 0.7 * YEAR);
    expect(await authority.rotate()).toBe(true);
    const bundle = authority.bundle().x509Authorities;
    expect(bundle).toHaveLength(2);
    const [, successor] = bundle;
    const firstSerial = caOf(first).serialNumber;
    const leafBefore = await authority.issueX509Svid('spiffe://example.org/a', {}, 60_000, 'a');
    expect(
      new X509Certificate(leafBefore.certificates[0] ?? new Uint8Array()).verify(
        caOf(first).publicKey,
      ),
    ).toBe(true);
    // A restart keeps the successor.
    expect((await open()).bundle().x509Authorities).toHaveLength(2);

    // At five sixths, the successor signs; the old CA is still trusted.
    now = new Date(start + 0.85 * YEAR);
    expect(await authority.rotate()).toBe(true);
    const leafAfter = await authority.issueX509Svid('spiffe://example.org/a', {}, 60_000, 'a');
    expect(
      new X509Certificate(leafAfter.certificates[0] ?? new Uint8Array()).verify(
        caOf(successor).publicKey,
      ),
    ).toBe(true);
    expect(
      authority
        .bundle()
        .x509Authorities.map((der) => caOf(der).serialNumber)
        .sort(),
    ).toStrictEqual([firstSerial, caOf(successor).serialNumber].sort());
    const reopened = await open();
    expect(await signedBy(reopened)).toBe(caOf(successor).subject);
    expect(reopened.bundle().x509Authorities).toHaveLength(2);

    // Once the old CA has expired (and with it every SVID it signed), it leaves the bundle.
    now = new Date(start + YEAR + 60_000);
    expect(await authority.rotate()).toBe(true);
    expect(authority.bundle().x509Authorities.map((der) => caOf(der).serialNumber)).toStrictEqual([
      caOf(successor).serialNumber,
    ]);
    expect((await open()).bundle().x509Authorities).toHaveLength(1);
  });

  test('finishes an activation cut short between its two renames', async ({ tempDir }) => {
    const state = join(tempDir, 'state');
    const start = Date.now();
    let now = new Date(start);
    const authority = await LocalAuthority.open(state, 'example.org', undefined, {
      now: () => now,
    });
    now = new Date(start + 0.7 * YEAR);
    await authority.rotate();
    // The certificate was renamed, then the agent died before the key was.
    await rename(join(state, 'ca.next.pem'), join(state, 'ca.pem'));
    const recovered = await LocalAuthority.open(state, 'example.org', undefined, {
      now: () => now,
    });
    const svid = await recovered.issueX509Svid('spiffe://example.org/a', {}, 60_000, 'a');
    expect(
      new X509Certificate(svid.certificates[0] ?? new Uint8Array()).verify(
        new X509Certificate(recovered.caPem).publicKey,
      ),
    ).toBe(true);
  });

  test('leaves an upstream CA alone: the operator renews it', async ({ tempDir }) => {
    const upstream = await operatorCa(tempDir);
    const authority = await LocalAuthority.open(join(tempDir, 'state'), 'example.org', upstream, {
      now: () => new Date(Date.now() + 29 * 24 * 3_600_000),
    });
    expect(await authority.rotate()).toBe(false);
  });
});

describe('LocalAuthority rotating its own JWT key', () => {
  const DAY = 24 * 3_600_000;

  test('publishes the successor a day ahead, and trusts the retired key a day longer', async ({
    tempDir,
  }) => {
    const state = join(tempDir, 'state');
    const start = Date.now();
    let now = new Date(start);
    const open = () => LocalAuthority.open(state, 'example.org', undefined, { now: () => now });
    const authority = await open();
    const first = authority.jwtKeyId;
    const kids = (subject: LocalAuthority) =>
      subject.bundle().jwtKeys.keys.map((key) => key['kid'] as string);
    const sign = async (subject: LocalAuthority, ttlMs = 300_000) =>
      (await subject.signJwtSvid('spiffe://example.org/a', ['aud'], {}, ttlMs)).token;

    now = new Date(start + 28 * DAY);
    expect(await authority.rotate()).toBe(false);
    expect(kids(authority)).toStrictEqual([first]);

    // A day before the key's 30 days are up, its successor is published, signing nothing.
    now = new Date(start + 29 * DAY);
    expect(await authority.rotate()).toBe(true);
    const [, second] = kids(authority);
    expect(kids(authority)).toStrictEqual([first, second]);
    expect(decodeProtectedHeader(await sign(authority)).kid).toBe(first);
    expect(kids(await open())).toStrictEqual([first, second]);

    // At 30 days the successor signs; a token of the old key still validates for a day.
    now = new Date(start + 30 * DAY - 10 * 60 * 1000);
    const oldToken = await sign(authority, 60 * 60 * 1000);
    now = new Date(start + 30 * DAY);
    expect(await authority.rotate()).toBe(true);
    expect(authority.jwtKeyId).toBe(second);
    expect(decodeProtectedHeader(await sign(authority)).kid).toBe(second);
    expect(kids(authority)).toStrictEqual([second, first]);
    const reopened = await open();
    expect(reopened.jwtKeyId).toBe(second);
    now = new Date(start + 30 * DAY + 30 * 60 * 1000);
    expect((await reopened.validateJwtSvid(oldToken, 'aud')).spiffeId).toBe(
      'spiffe://example.org/a',
    );

    // A day after, the retired key leaves the JWK Set.
    now = new Date(start + 31 * DAY + 1_000);
    expect(await reopened.rotate()).toBe(true);
    expect(kids(reopened)).toStrictEqual([second]);
    expect(kids(await open())).toStrictEqual([second]);
  });
});
