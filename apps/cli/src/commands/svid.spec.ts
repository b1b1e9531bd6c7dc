import { X509Certificate } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';

import { LocalAuthority } from '@attestor/adapter-local-authority';
import {
  type WorkloadCaller,
  WorkloadIdentityError,
  type WorkloadIdentityProvider,
} from '@attestor/ports';
import { RecordingLogger } from '@attestor/testing';
import { test } from '@attestor/testing/fixtures';
import { WorkloadApiServer } from '@attestor/workload-api';
import { afterEach, describe, expect } from 'vitest';

import { Cli, type CliCommands } from '../cli.js';
import { ExitCode } from '../exit-codes.js';
import { SvidCommand } from './svid.js';

/** A provider over a real local authority that gives every caller `spiffe://example.org/cli`. */
function provider(authority: LocalAuthority, deny = false): WorkloadIdentityProvider {
  const refuse = (caller: WorkloadCaller) =>
    new WorkloadIdentityError('permission_denied', `process ${String(caller.pid)} has no identity`);
  return {
    x509Svids: async (caller) => {
      if (deny) throw refuse(caller);
      return [await authority.issueX509Svid('spiffe://example.org/cli', {}, 60_000, 'cli')];
    },
    jwtSvids: async (caller, audience) => {
      if (deny) throw refuse(caller);
      const { token } = await authority.signJwtSvid(
        'spiffe://example.org/cli',
        audience,
        {},
        60_000,
      );
      return [{ spiffeId: 'spiffe://example.org/cli', token, hint: 'cli' }];
    },
    bundles: () => [authority.bundle()],
    validateJwtSvid: async (token, audience) => {
      try {
        return await authority.validateJwtSvid(token, audience);
      } catch (error) {
        throw new WorkloadIdentityError('invalid_token', 'the JWT-SVID is not valid', {
          cause: error,
        });
      }
    },
    onChange: () => () => undefined,
  };
}

const servers: WorkloadApiServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.stop()));
});

async function setUp(directory: string, options: { deny?: boolean } = {}) {
  const authority = await LocalAuthority.open(join(directory, 'state'), 'example.org');
  const socketPath = join(directory, 'workload', 'api.sock');
  const server = new WorkloadApiServer(provider(authority, options.deny), new RecordingLogger(), {
    socketPath,
  });
  await server.start();
  servers.push(server);
  const out: string[] = [];
  const err: string[] = [];
  const output = {
    stdout: (text: string) => out.push(text),
    stderr: (text: string) => err.push(text),
  };
  const command = new SvidCommand(output, { SPIFFE_ENDPOINT_SOCKET: `unix://${socketPath}` });
  const cli = new Cli({ svid: command } as unknown as CliCommands, output, '9.9.9');
  return {
    authority,
    socketPath,
    run: (...argv: string[]) => cli.run(['svid', ...argv]),
    stdout: () => out.join(''),
    stderr: () => err.join(''),
  };
}

describe(SvidCommand, () => {
  test('fetch writes the SVID, its key (0600) and the bundle, and prints no key', async ({
    tempDir,
  }) => {
    const { run, stdout, authority } = await setUp(tempDir);
    const out = join(tempDir, 'out');
    expect(await run('fetch', '--write', out, '-o', 'json')).toBe(ExitCode.ok);
    const printed = JSON.parse(stdout()) as { svids: { spiffeId: string }[]; written: string[] };
    expect(printed.svids.map(({ spiffeId }) => spiffeId)).toStrictEqual([
      'spiffe://example.org/cli',
    ]);
    expect(printed.written).toStrictEqual(
      ['svid.pem', 'svid.key', 'bundle.pem'].map((name) => join(out, name)),
    );
    expect(stdout()).not.toContain('PRIVATE KEY');
    expect((await stat(join(out, 'svid.key'))).mode & 0o777).toBe(0o600);
    const leaf = new X509Certificate(await readFile(join(out, 'svid.pem')));
    const ca = new X509Certificate(await readFile(join(out, 'bundle.pem')));
    expect(leaf.subjectAltName).toBe('URI:spiffe://example.org/cli');
    expect(leaf.verify(ca.publicKey)).toBe(true);
    expect(ca.raw.equals(new X509Certificate(authority.caPem).raw)).toBe(true);
  });

  test('fetch prints a summary in text', async ({ tempDir }) => {
    const { run, stdout } = await setUp(tempDir);
    expect(await run('fetch')).toBe(ExitCode.ok);
    expect(stdout()).toMatch(
      /^SPIFFE ID: {2}spiffe:\/\/example\.org\/cli\nHint: {7}cli\nExpires at: \d{4}-/,
    );
  });

  test('jwt prints a token that validate accepts for its audience only', async ({ tempDir }) => {
    const { run, stdout, stderr } = await setUp(tempDir);
    expect(await run('jwt', '--audience', 'https://api.example')).toBe(ExitCode.ok);
    const token = stdout().trim();
    expect(token.split('.')).toHaveLength(3);
    expect(await run('validate', '--audience', 'https://api.example', token, '-o', 'json')).toBe(
      ExitCode.ok,
    );
    expect(stdout()).toContain('"valid":true,"spiffeId":"spiffe://example.org/cli"');
    expect(await run('validate', '--audience', 'https://other.example', token)).toBe(
      ExitCode.negative,
    );
    expect(stderr()).toContain('attestor svid validate: invalid_token: ');
    expect(stderr()).toContain('the JWT-SVID is not valid (InvalidArgument)');
  });

  test('says why in JSON on stdout when JSON is asked for', async ({ tempDir }) => {
    const { run, stdout, stderr } = await setUp(tempDir);
    expect(
      await run('validate', '--audience', 'https://api.example', 'not.a.token', '-o', 'json'),
    ).toBe(ExitCode.negative);
    const { error } = JSON.parse(stdout()) as { error: { code: string; message: string } };
    expect(error.code).toBe('invalid_token');
    expect(error.message).toContain('(InvalidArgument)');
    expect(stderr()).toBe('');
  });

  test('says refused (4) when the agent denies the caller, unavailable (3) with no agent', async ({
    tempDir,
  }) => {
    const denied = await setUp(join(tempDir, 'denied'), { deny: true });
    expect(await denied.run('fetch')).toBe(ExitCode.refused);
    expect(denied.stderr()).toMatch(/attestor svid fetch: .*has no identity \(PermissionDenied\)/);
    expect(await denied.run('fetch', '--socket', join(tempDir, 'nothing.sock'))).toBe(
      ExitCode.unavailable,
    );
  });

  test('refuses bad usage with exit 2', async ({ tempDir }) => {
    const { run } = await setUp(tempDir);
    expect(await run('jwt')).toBe(ExitCode.usage);
    expect(await run('validate', '--audience', 'a')).toBe(ExitCode.usage);
    expect(await run('fetch', '--audience', 'a')).toBe(ExitCode.usage);
    expect(await run('fetch', '--socket', 'tcp://127.0.0.1:1')).toBe(ExitCode.usage);
    expect(await run('fetch', '-o', 'yaml')).toBe(ExitCode.usage);
    expect(await run('nope')).toBe(ExitCode.usage);
    expect(await run()).toBe(ExitCode.usage);
  });
});
