import { createHash } from 'node:crypto';

/**
 * Minimal OCI distribution push over plain HTTP, for putting test artifacts into the loopback
 * registry (monolithic blob upload, manifest PUT).
 */
export function sha256(bytes: Uint8Array | string): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

export async function pushBlob(
  registry: string,
  repository: string,
  content: Uint8Array | string,
): Promise<{ digest: string; size: number }> {
  const bytes = typeof content === 'string' ? Buffer.from(content) : Buffer.from(content);
  const digest = sha256(bytes);
  const start = await fetch(`http://${registry}/v2/${repository}/blobs/uploads/`, {
    method: 'POST',
  });
  const location = start.headers.get('location');
  if (start.status !== 202 || location === null)
    throw new Error(`blob upload did not start: HTTP ${String(start.status)}`);
  const url = new URL(location, `http://${registry}`);
  url.searchParams.set('digest', digest);
  const put = await fetch(url, {
    method: 'PUT',
    headers: { 'content-type': 'application/octet-stream' },
    body: bytes,
  });
  if (put.status !== 201)
    throw new Error(`blob upload failed: HTTP ${String(put.status)} ${await put.text()}`);
  return { digest, size: bytes.length };
}

export async function pushManifest(
  registry: string,
  repository: string,
  reference: string,
  manifest: Record<string, unknown>,
): Promise<{ digest: string; size: number; mediaType: string }> {
  const body = JSON.stringify(manifest);
  const mediaType = String(manifest['mediaType']);
  const put = await fetch(`http://${registry}/v2/${repository}/manifests/${reference}`, {
    method: 'PUT',
    headers: { 'content-type': mediaType },
    body,
  });
  if (put.status !== 201)
    throw new Error(`manifest push failed: HTTP ${String(put.status)} ${await put.text()}`);
  return { digest: sha256(body), size: Buffer.byteLength(body), mediaType };
}
