import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { fetchTrustedRootThroughTuf } from '@attestor/adapter-sigstore-verify';
import { DEFAULT_TUF_MIRROR_URL } from '@attestor/config';

import { ExitCode } from '../exit-codes.js';
import { CommandFailure, type CommandOutput, messageOf } from '../io.js';

/**
 * `attestor sigstore trusted-root [--tuf-mirror URL] [--tuf-root FILE]`: fetches a Sigstore
 * trusted_root.json through TUF, verified against the repository's root of trust, and prints
 * it: on a connected machine, the file an air-gapped host's `trustedRootPath` names.
 */
export class TrustedRootCommand {
  constructor(private readonly output: CommandOutput) {}

  async run(options: { mirror: string | undefined; root: string | undefined }): Promise<ExitCode> {
    // A cache of its own, removed after: nothing of this fetch is left for another to trust.
    const cachePath = await mkdtemp(join(tmpdir(), 'attestor-tuf-'));
    try {
      const trustedRoot = await fetchTrustedRootThroughTuf({
        mirrorURL: options.mirror ?? DEFAULT_TUF_MIRROR_URL,
        cachePath,
        timeoutMs: 30_000,
        ...(options.root === undefined ? {} : { rootPath: options.root }),
      });
      this.output.stdout(`${JSON.stringify(trustedRoot, null, 2)}\n`);
      return ExitCode.ok;
    } catch (error) {
      throw new CommandFailure(ExitCode.unavailable, 'network_error', messageOf(error));
    } finally {
      await rm(cachePath, { recursive: true, force: true });
    }
  }
}
