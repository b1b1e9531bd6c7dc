import {
  loadConfig,
  type ConfigIssue,
  type ConfigLoadResult,
  type ConfigNode,
} from '@attestor/config';
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseAllDocuments, type Node } from 'yaml';

export interface YamlParseResult {
  readonly documents: readonly ConfigNode[];
  /** YAML syntax errors, with lines. When non-empty, `documents` must not be trusted. */
  readonly errors: readonly ConfigIssue[];
}

/**
 * Parses YAML text (one or several `---` separated documents) into format-neutral config trees
 * with source lines. YAML 1.2 core schema only: `yes`/`no` are strings, not booleans; custom
 * tags are errors; duplicate keys are errors; aliases are resolved with YAML's expansion limit.
 */
export function parseYamlDocuments(text: string): YamlParseResult {
  const lineCounter = new LineCounter();
  const parsed = parseAllDocuments(text, {
    lineCounter,
    schema: 'core',
    uniqueKeys: true,
    prettyErrors: false,
    strict: true,
  });
  const errors: ConfigIssue[] = [];
  const documents: ConfigNode[] = [];
  const list = Array.isArray(parsed) ? parsed : [];
  const lineAt = (offset: number | undefined): number | undefined =>
    offset === undefined ? undefined : lineCounter.linePos(offset).line;

  list.forEach((document, index) => {
    const where = list.length > 1 ? { document: index + 1 } : {};
    for (const error of [...document.errors, ...document.warnings]) {
      const line = lineAt(error.pos[0]);
      errors.push({
        severity: 'error',
        path: 'yaml',
        message: firstLine(error.message),
        ...(line === undefined ? {} : { line }),
        ...where,
      });
    }
    if (document.errors.length > 0) return;
    const convert = (node: unknown): ConfigNode => {
      const line = lineAt(isNodeWithRange(node) ? node.range?.[0] : undefined);
      const at = line === undefined ? {} : { line };
      if (isAlias(node)) {
        return convert(node.resolve(document));
      }
      if (isMap(node)) {
        return {
          kind: 'map',
          ...at,
          entries: node.items.map((pair) => {
            const keyLine = lineAt(isNodeWithRange(pair.key) ? pair.key.range?.[0] : undefined);
            const key = isScalar(pair.key)
              ? String(pair.key.value)
              : JSON.stringify(String(pair.key));
            return {
              key,
              ...(keyLine === undefined ? {} : { line: keyLine }),
              value: convert(pair.value),
            };
          }),
        };
      }
      if (isSeq(node)) return { kind: 'sequence', ...at, items: node.items.map(convert) };
      if (isScalar(node)) {
        const value = node.value;
        if (
          typeof value === 'string' ||
          typeof value === 'number' ||
          typeof value === 'boolean' ||
          value === null
        ) {
          return { kind: 'scalar', ...at, value };
        }
        // The core schema yields only the types above (and bigint for huge integers).
        return {
          kind: 'scalar',
          ...at,
          value: typeof value === 'bigint' ? value.toString() : null,
        };
      }
      return { kind: 'scalar', ...at, value: null };
    };
    documents.push(convert(document.contents));
  });
  return { documents, errors };
}

function isNodeWithRange(value: unknown): value is Node {
  return typeof value === 'object' && value !== null && 'range' in value;
}

function firstLine(message: string): string {
  return message.split('\n')[0] ?? message;
}

/** Parses and validates YAML configuration text: syntax errors first, then every field error. */
export function loadYamlConfig(text: string): ConfigLoadResult {
  const parsed = parseYamlDocuments(text);
  if (parsed.errors.length > 0) return { ok: false, errors: parsed.errors, warnings: [] };
  return loadConfig(parsed.documents);
}
