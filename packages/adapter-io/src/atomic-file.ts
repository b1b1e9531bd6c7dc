import { randomBytes } from 'node:crypto';
import { chmod, open, rename } from 'node:fs/promises';

/**
 * Writes `content` to `path` atomically: to a new file beside it (created 0600, so a key is
 * never readable by others for an instant), flushed, given `mode`, then renamed over `path`.
 * A crash leaves the old file or the new one, never half of one.
 */
export async function writeFileAtomically(
  path: string,
  content: string | Uint8Array,
  mode = 0o600,
): Promise<void> {
  const temporary = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  const handle = await open(temporary, 'wx', 0o600);
  try {
    await handle.writeFile(content);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await chmod(temporary, mode);
  await rename(temporary, path);
}
