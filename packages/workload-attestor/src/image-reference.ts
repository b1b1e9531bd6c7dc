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
