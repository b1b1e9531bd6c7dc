import type { ImageDigestReference } from '@attestor/ports';

const DIGEST = /^sha256:[0-9a-f]{64}$/;

/**
 * The registry, repository and digest of a repo digest as runtimes report it
 * (`registry.example:5000/team/app@sha256:<hex>`, `envoyproxy/envoy@sha256:<hex>`). Docker Hub
 * names are expanded (`registry-1.docker.io`, `library/`). Podman's `localhost/...` digests
 * belong to images that were built locally and never pushed: there is no registry to ask, so
 * they give undefined, as does anything malformed.
 */
export function imageDigestReference(repoDigest: string): ImageDigestReference | undefined {
  const at = repoDigest.lastIndexOf('@');
  if (at <= 0) return undefined;
  const name = repoDigest.slice(0, at);
  const digest = repoDigest.slice(at + 1);
  if (!DIGEST.test(digest)) return undefined;
  const slash = name.indexOf('/');
  const first = slash < 0 ? '' : name.slice(0, slash);
  const hasRegistry = first.includes('.') || first.includes(':') || first === 'localhost';
  if (first === 'localhost') return undefined;
  if (hasRegistry) {
    const repository = name.slice(slash + 1);
    return repository === '' ? undefined : { registry: first, repository, digest };
  }
  const repository = name.includes('/') ? name : `library/${name}`;
  return { registry: 'registry-1.docker.io', repository, digest };
}

/**
 * `registry/repository:tag` or `registry/repository@sha256:<hex>` split into its parts, with
 * Docker Hub names expanded as runtimes report them.
 */
export function parseImageReference(
  reference: string,
): { registry: string; repository: string; tagOrDigest: string } | undefined {
  const at = reference.indexOf('@');
  if (at > 0) {
    const parsed = imageDigestReference(reference);
    return parsed === undefined
      ? undefined
      : { registry: parsed.registry, repository: parsed.repository, tagOrDigest: parsed.digest };
  }
  const lastSlash = reference.lastIndexOf('/');
  const colon = reference.lastIndexOf(':');
  const hasTag = colon > lastSlash;
  const name = hasTag ? reference.slice(0, colon) : reference;
  const tag = hasTag ? reference.slice(colon + 1) : 'latest';
  const parsed = imageDigestReference(`${name}@sha256:${'0'.repeat(64)}`);
  return parsed === undefined || tag === ''
    ? undefined
    : { registry: parsed.registry, repository: parsed.repository, tagOrDigest: tag };
}
