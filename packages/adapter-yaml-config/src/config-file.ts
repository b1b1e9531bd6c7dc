import { readBoundedText } from '@attestor/adapter-io';

/** Configuration files are small; a larger file is refused rather than read into memory. */
export const MAX_CONFIG_FILE_BYTES = 1024 * 1024;

/**
 * Reads a configuration file as UTF-8 text. Refuses files over MAX_CONFIG_FILE_BYTES and
 * anything that is not a regular file, without blocking on a FIFO or reading a device;
 * throws FileReadError (`not_found` for a missing file; invalid UTF-8 names its offset).
 */
export function readConfigFile(path: string): Promise<string> {
  return readBoundedText(path, MAX_CONFIG_FILE_BYTES);
}
