import { readBoundedText } from '@attestor/adapter-io';
import {
  CosignImageRegistry,
  OciRegistryClient,
  readDockerConfigCredentials,
  type RegistryTransport,
} from '@attestor/adapter-oci-registry';
import type { SigstoreConfig } from '@attestor/config';
import { parseImageReference } from '@attestor/image-reference';
import type {
  AttestationMetrics,
  Clock,
  ImageDigestReference,
  Logger,
  SignatureVerifier,
} from '@attestor/ports';
import { ImageSignatureVerification } from '@attestor/sigstore-policy';

const MAX_TRUSTED_ROOT_BYTES = 4 * 1024 * 1024;
/** A PEM bundle of CA certificates for one registry. */
const MAX_CA_FILE_BYTES = 1024 * 1024;

/** A built signature verification, and what else its registry client can do. */
/** The trusted root a verification checks against, as /readyz reports it. */
export type TrustedRootStatus =
  | { readonly source: 'file'; readonly path: string; readonly state: 'loaded' }
  | ({ readonly source: 'tuf'; readonly mirror: string } & (
      | { readonly state: 'not_fetched' }
      | { readonly state: 'loaded'; readonly at: string }
      | { readonly state: 'failed'; readonly at: string; readonly reason: string }
    ));

export interface SignatureVerificationHandle {
  readonly verification: ImageSignatureVerification;
  /** The trusted root now: a file read when the configuration was applied, or TUF's state. */
  trustedRoot(): TrustedRootStatus;
  /** The digest reference of `registry/repository:tag` or `...@sha256:...`, asking the registry for a tag. */
  resolve(reference: string): Promise<ImageDigestReference | undefined>;
  /** Releases the registry connections. */
  close(): Promise<void>;
}

/**
 * Builds the Sigstore verification of a sigstore block: cosign's formats over an OCI registry
 * client (transports and credentials from the block) and sigstore-js against the trusted root
 * the block names. Undefined when verification is off. Throws, naming the file, when a file
 * the block names cannot be read: such a configuration cannot be applied.
 */
export async function createSignatureVerification(
  sigstore: SigstoreConfig | undefined,
  metrics: AttestationMetrics,
  clock: Clock,
  logger: Logger,
): Promise<SignatureVerificationHandle | undefined> {
  if (sigstore?.enabled !== true) return undefined;
  // Loaded only when verification is on: sigstore-js, TUF and their dependencies are most of
  // the agent's code, and an agent that verifies nothing need not hold them in memory.
  const [{ RekorTransparencyLog }, { SigstoreSignatureVerifier, TufSignatureVerifier }] =
    await Promise.all([
      import('@attestor/adapter-rekor'),
      import('@attestor/adapter-sigstore-verify'),
    ]);
  const credentials =
    sigstore.dockerConfigPath === undefined
      ? new Map()
      : await readDockerConfigCredentials(sigstore.dockerConfigPath);
  const transports = new Map<string, RegistryTransport>();
  for (const [host, settings] of sigstore.registries) {
    transports.set(host, {
      insecure: settings.insecure,
      ...(settings.caFile === undefined
        ? {}
        : { caPem: await readBoundedText(settings.caFile, MAX_CA_FILE_BYTES) }),
    });
  }
  let verifier: SignatureVerifier;
  let trustedRoot: () => TrustedRootStatus;
  // Rekor is asked only for signatures that carry no log evidence, and only when required.
  const rekor = sigstore.skipTransparencyLog
    ? undefined
    : new RekorTransparencyLog(sigstore.rekorURL, { timeoutMs: sigstore.verificationTimeoutMs });
  if (sigstore.trustedRootPath === undefined) {
    const tuf = new TufSignatureVerifier(
      {
        mirrorURL: sigstore.tufMirrorURL,
        cachePath: sigstore.tufCachePath,
        timeoutMs: sigstore.verificationTimeoutMs,
        ...(sigstore.tufRootPath === undefined ? {} : { rootPath: sigstore.tufRootPath }),
      },
      rekor,
    );
    verifier = tuf;
    const mirror = sigstore.tufMirrorURL;
    trustedRoot = () => {
      const { state } = tuf;
      switch (state.state) {
        case 'not_fetched':
          return { source: 'tuf', mirror, state: 'not_fetched' };
        case 'loaded':
          return { source: 'tuf', mirror, state: 'loaded', at: new Date(state.at).toISOString() };
        case 'failed':
          return {
            source: 'tuf',
            mirror,
            state: 'failed',
            at: new Date(state.at).toISOString(),
            reason: state.reason,
          };
      }
    };
  } else {
    const path = sigstore.trustedRootPath;
    trustedRoot = () => ({ source: 'file', path, state: 'loaded' });
    const text = await readBoundedText(sigstore.trustedRootPath, MAX_TRUSTED_ROOT_BYTES);
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new Error(`${sigstore.trustedRootPath}: not a JSON trusted root`);
    }
    verifier = new SigstoreSignatureVerifier(json, rekor);
  }
  const client = new OciRegistryClient({
    clock,
    transports,
    credentials,
    timeoutMs: sigstore.verificationTimeoutMs,
  });
  const verification = new ImageSignatureVerification({
    registry: new CosignImageRegistry(client, clock),
    verifier,
    metrics,
    clock,
    logger: logger.child({ component: 'sigstore' }),
  });
  verification.configure(sigstore);
  return {
    verification,
    trustedRoot,
    resolve: async (reference) => {
      const parsed = parseImageReference(reference);
      if (parsed === undefined) return undefined;
      if (parsed.tagOrDigest.startsWith('sha256:'))
        return {
          registry: parsed.registry,
          repository: parsed.repository,
          digest: parsed.tagOrDigest,
        };
      const manifest = await client.getManifest(
        parsed.registry,
        parsed.repository,
        parsed.tagOrDigest,
      );
      return manifest === undefined
        ? undefined
        : { registry: parsed.registry, repository: parsed.repository, digest: manifest.digest };
    },
    close: async () => {
      await Promise.all([client.close(), rekor?.close()]);
    },
  };
}
