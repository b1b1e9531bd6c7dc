import { open } from 'node:fs/promises';

/** Configuration files are small; a larger file is refused rather than read into memory. */
export const MAX_CONFIG_FILE_BYTES = 1024 * 1024;

/**
 * Reads a configuration file as UTF-8 text, refusing files over MAX_CONFIG_FILE_BYTES and
 * anything that is not a regular file (a FIFO would block the reload loop forever).
 */
export async function readConfigFile(path: string): Promise<string> {
  const handle = await open(path, 'r');
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) throw new Error(`${path}: not a regular file`);
    if (stat.size > MAX_CONFIG_FILE_BYTES) {
      throw new Error(
        `${path}: ${String(stat.size)} bytes is more than the ${String(MAX_CONFIG_FILE_BYTES)} allowed for a configuration file`,
      );
    }
    const buffer = Buffer.alloc(MAX_CONFIG_FILE_BYTES + 1);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    if (bytesRead > MAX_CONFIG_FILE_BYTES)
      throw new Error(`${path}: grew past ${String(MAX_CONFIG_FILE_BYTES)} bytes while being read`);
    return new TextDecoder('utf-8', { fatal: true }).decode(buffer.subarray(0, bytesRead));
  } finally {
    await handle.close();
  }
}
