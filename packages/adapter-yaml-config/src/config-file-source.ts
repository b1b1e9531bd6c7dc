import { createHash } from 'node:crypto';

import { FileReadError } from '@attestor/adapter-io';
import type { ConfigLoadResult } from '@attestor/config';

import { readConfigFile } from './config-file.js';
import { loadYamlConfig } from './yaml-config.js';

export type ConfigFileResult =
  | {
      readonly kind: 'loaded';
      readonly path: string;
      /** SHA-256 (hex) of the file's text: which revision of the file this is. */
      readonly sha256: string;
      readonly result: ConfigLoadResult;
    }
  | { readonly kind: 'missing'; readonly path: string }
  | { readonly kind: 'unreadable'; readonly path: string; readonly reason: string };

/**
 * Reads and validates one YAML configuration file. A missing file is its own outcome (the
 * agent then uses its embedded default); any other read failure names the file and the reason.
 */
export async function loadConfigFile(path: string): Promise<ConfigFileResult> {
  let text: string;
  try {
    text = await readConfigFile(path);
  } catch (error) {
    if (FileReadError.is(error) && error.code === 'not_found') return { kind: 'missing', path };
    return {
      kind: 'unreadable',
      path,
      reason: error instanceof Error ? error.message : String(error),
    };
  }
  return {
    kind: 'loaded',
    path,
    sha256: createHash('sha256').update(text).digest('hex'),
    result: loadYamlConfig(text),
  };
}
