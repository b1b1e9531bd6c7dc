import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Writes the build context of a test image made from scratch (no image can be pulled here):
 * the static busybox at `busybox`, run as `busybox sleep 3600`. A `variant` label gives the
 * image a digest of its own. Returns `context`.
 */
export async function writeBusyboxImageContext(
  context: string,
  busybox: string,
  variant?: string,
): Promise<string> {
  await mkdir(context, { recursive: true });
  await copyFile(busybox, join(context, 'busybox'));
  const label = variant === undefined ? '' : `LABEL variant=${variant}\n`;
  await writeFile(
    join(context, 'Dockerfile'),
    `FROM scratch\nCOPY busybox /bin/busybox\n${label}CMD ["/bin/busybox", "sleep", "3600"]\n`,
  );
  return context;
}
