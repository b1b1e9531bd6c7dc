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
    // Text that is not UTF-8 is invalid input, like a syntax error, not an unreadable file.
    if (FileReadError.is(error) && error.code === 'invalid_utf8') {
      const message = error.message.startsWith(`${path}: `)
        ? error.message.slice(path.length + 2)
        : error.message;
      return {
        kind: 'loaded',
        path,
        sha256: createHash('sha256').update(message).digest('hex'),
        result: { ok: false, errors: [{ severity: 'error', path: 'yaml', message }], warnings: [] },
      };
    }
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
