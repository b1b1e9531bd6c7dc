import { createPrivateKey, X509Certificate } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';

import { writeFileAtomically } from '@attestor/adapter-io';
import {
  DEFAULT_WORKLOAD_API_SOCKET,
  type FetchedX509Svid,
  socketPathOf,
  WorkloadApiCallError,
  WorkloadApiClient,
} from '@attestor/workload-api';

import type { OutputFormat } from '../command-line.js';
import { ExitCode } from '../exit-codes.js';
import { CommandFailure, type CommandOutput, UsageError } from '../io.js';

export interface SvidOptions {
  readonly socket?: string | undefined;
  readonly format: OutputFormat;
}

/**
 * `attestor svid fetch|jwt|validate`: a Workload API client, in the manner of
 * `spire-agent api`. The socket is `--socket`, else `$SPIFFE_ENDPOINT_SOCKET`, else the
 * agent's default. Private keys are written to files (`--write`), never printed.
 */
export class SvidCommand {
  constructor(
    private readonly output: CommandOutput,
    private readonly environment: Readonly<Record<string, string | undefined>>,
    private readonly connect: (socketPath: string) => WorkloadApiClient = (socketPath) =>
      new WorkloadApiClient(socketPath),
  ) {}

  /** `svid fetch [--socket S] [--write DIR] [--output json|text]` */
  async fetch(options: SvidOptions & { readonly write?: string | undefined }): Promise<ExitCode> {
    const format = options.format;
    const client = this.#client(options.socket);
    return this.#guard('fetch', async () => {
      const svids = await client.x509Svids();
      const written = options.write === undefined ? [] : await writeSvids(options.write, svids);
      const described = svids.map((svid) => describe(svid));
      if (format === 'json') {
        this.output.stdout(`${JSON.stringify({ svids: described, written })}\n`);
      } else {
        for (const svid of described)
          this.output.stdout(
            `SPIFFE ID:  ${svid.spiffeId}\nHint:       ${svid.hint}\nExpires at: ${svid.expiresAt}\nChain:      ${String(svid.certificates.length)} certificate(s); bundle ${String(svid.bundleCertificates)}\n\n`,
          );
        for (const file of written) this.output.stdout(`wrote ${file}\n`);
      }
      return ExitCode.ok;
    });
  }

  /** `svid jwt --audience A [--audience B] [--spiffe-id ID] [--socket S] [--output json|text]` */
  async jwt(
    options: SvidOptions & {
      readonly audience?: readonly string[] | undefined;
      readonly spiffeId?: string | undefined;
    },
  ): Promise<ExitCode> {
    const format = options.format;
    const audience = options.audience ?? [];
    if (audience.length === 0 || audience.includes(''))
      throw new UsageError('svid jwt needs --audience A (one or more)');
    const client = this.#client(options.socket);
    return this.#guard('jwt', async () => {
      const svids = await client.jwtSvids(audience, options.spiffeId);
      if (format === 'json') this.output.stdout(`${JSON.stringify({ svids })}\n`);
      else for (const svid of svids) this.output.stdout(`${svid.token}\n`);
      return ExitCode.ok;
    });
  }

  /** `svid validate --audience A TOKEN [--socket S] [--output json|text]` */
  async validate(
    token: string | undefined,
    options: SvidOptions & { readonly audience?: string | undefined },
  ): Promise<ExitCode> {
    const format = options.format;
    if (options.audience === undefined || options.audience === '')
      throw new UsageError('svid validate needs --audience A');
    if (token === undefined || token === '') throw new UsageError('svid validate needs a TOKEN');
    const audience = options.audience;
    const client = this.#client(options.socket);
    return this.#guard('validate', async () => {
      const { spiffeId, claims } = await client.validateJwtSvid(token, audience);
      this.output.stdout(
        format === 'json'
          ? `${JSON.stringify({ valid: true, spiffeId, claims })}\n`
          : `valid: ${spiffeId}\n`,
      );
      return ExitCode.ok;
    });
  }

  #client(socket: string | undefined): WorkloadApiClient {
    const address =
      socket ?? this.environment['SPIFFE_ENDPOINT_SOCKET'] ?? DEFAULT_WORKLOAD_API_SOCKET;
    try {
      return this.connect(socketPathOf(address));
    } catch (error) {
      throw new UsageError(
        `${socket === undefined ? 'SPIFFE_ENDPOINT_SOCKET' : '--socket'}: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }

  /**
   * Runs a call: the agent refusing the caller is exit 4, a token that does not validate is a
   * negative verdict (5), another malformed request 1, and the rest 3.
   */
  async #guard(what: string, call: () => Promise<ExitCode>): Promise<ExitCode> {
    try {
      return await call();
    } catch (error) {
      if (!(error instanceof WorkloadApiCallError)) throw error;
      const exitCode =
        error.kind === 'denied'
          ? ExitCode.refused
          : error.kind === 'invalid'
            ? what === 'validate'
              ? ExitCode.negative
              : ExitCode.invalid
            : ExitCode.unavailable;
      const code =
        error.kind === 'denied'
          ? 'permission_denied'
          : error.kind === 'invalid'
            ? what === 'validate'
              ? 'invalid_token'
              : 'invalid_argument'
            : 'unavailable';
      throw new CommandFailure(exitCode, code, error.message);
    }
  }
}

function describe(svid: FetchedX509Svid) {
  const [leaf] = svid.certificates;
  const certificate = leaf === undefined ? undefined : new X509Certificate(leaf);
  return {
    spiffeId: svid.spiffeId,
    hint: svid.hint,
    expiresAt: certificate === undefined ? '' : new Date(certificate.validTo).toISOString(),
    certificates: svid.certificates.map((der) => new X509Certificate(der).toString()),
    bundleCertificates: svid.bundle.length,
  };
}

/**
 * Writes each SVID's chain, key and bundle as PEM: the first as `svid.pem`, `svid.key`,
 * `bundle.pem`, the next as `svid.1.pem` and so on. Keys are 0600 from their first byte.
 */
async function writeSvids(directory: string, svids: readonly FetchedX509Svid[]): Promise<string[]> {
  await mkdir(directory, { recursive: true, mode: 0o700 });
  const written: string[] = [];
  for (const [index, svid] of svids.entries()) {
    const suffix = index === 0 ? '' : `.${String(index)}`;
    const files: [string, string, number][] = [
      [`svid${suffix}.pem`, svid.certificates.map(pemCertificate).join(''), 0o644],
      [`svid${suffix}.key`, pemKey(svid.privateKey), 0o600],
      [`bundle${suffix}.pem`, svid.bundle.map(pemCertificate).join(''), 0o644],
    ];
    for (const [name, content, mode] of files) {
      const path = join(directory, name);
      await writeFileAtomically(path, content, mode);
      written.push(path);
    }
  }
  return written;
}

function pemCertificate(der: Uint8Array): string {
  return new X509Certificate(der).toString();
}

function pemKey(pkcs8: Uint8Array): string {
  return createPrivateKey({ key: Buffer.from(pkcs8), format: 'der', type: 'pkcs8' })
    .export({ type: 'pkcs8', format: 'pem' })
    .toString();
}
