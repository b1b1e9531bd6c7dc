import {
  type ConfigIssue,
  type ConfigLoadResult,
  type ConfigNode,
  loadConfig,
} from '@attestor/config';
import {
  type Document,
  isAlias,
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  parseAllDocuments,
} from 'yaml';

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
    // Checked by the converter, with a set: the library compares each key with every other
    // (40,000 keys took 21.6 s), and its error names neither the key nor where it is.
    uniqueKeys: false,
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
    try {
      documents.push(new NodeConverter(document, lineAt).convert(document.contents));
    } catch (error) {
      if (!(error instanceof YamlLimitError)) throw error;
      errors.push({
        severity: 'error',
        path: 'yaml',
        message: error.message,
        ...(error.line === undefined ? {} : { line: error.line }),
        ...where,
      });
    }
  });
  return { documents, errors };
}

/** Nodes that aliases may add to a document, all aliases together (YAML's "billion laughs"). */
const MAX_ALIAS_EXPANSION_NODES = 10_000;
/** Nesting depth of maps and sequences, aliases expanded. */
const MAX_NESTING_DEPTH = 64;

/** Untrusted text for a message: JSON-escaped and at most 100 characters. */
function quoteBounded(text: string): string {
  return JSON.stringify(text.length > 100 ? `${text.slice(0, 100)}...` : text);
}

/**
 * A document the converter refuses: aliases or nesting that would make it too large, an alias
 * that cannot be resolved, a duplicate key, a value that is not plain data.
 */
class YamlLimitError extends Error {
  constructor(
    message: string,
    readonly line: number | undefined,
  ) {
    super(message);
  }
}

/**
 * Converts one YAML document into config nodes. Aliases are expanded here, where lines are
 * kept, so the YAML library's own alias limit does not apply: this counts every node an
 * alias adds against MAX_ALIAS_EXPANSION_NODES, refuses an alias that refers to a node that
 * contains it (which would expand forever), an alias to no anchor, and nesting deeper than
 * MAX_NESTING_DEPTH. The work is linear in the text plus the bounded expansion.
 */
class NodeConverter {
  #aliasNodes = 0;
  readonly #expanding = new Set<unknown>();

  constructor(
    private readonly document: Document.Parsed,
    private readonly lineAt: (offset: number | undefined) => number | undefined,
  ) {}

  convert(node: unknown, depth = 0, viaAlias = false): ConfigNode {
    const line = this.lineAt(isNodeWithRange(node) ? node.range?.[0] : undefined);
    const at = line === undefined ? {} : { line };
    if (viaAlias && ++this.#aliasNodes > MAX_ALIAS_EXPANSION_NODES) {
      throw new YamlLimitError(
        `aliases expand to more than ${String(MAX_ALIAS_EXPANSION_NODES)} nodes`,
        line,
      );
    }
    if (depth > MAX_NESTING_DEPTH)
      throw new YamlLimitError(`nested deeper than ${String(MAX_NESTING_DEPTH)} levels`, line);
    if (isAlias(node)) {
      const target = node.resolve(this.document);
      if (target === undefined)
        throw new YamlLimitError(`alias *${node.source} refers to no anchor`, line);
      if (this.#expanding.has(target))
        throw new YamlLimitError(`alias *${node.source} refers to a node that contains it`, line);
      this.#expanding.add(target);
      try {
        return this.convert(target, depth, true);
      } finally {
        this.#expanding.delete(target);
      }
    }
    if (isMap(node)) {
      const seen = new Set<string>();
      return {
        kind: 'map',
        ...at,
        entries: node.items.map((pair) => {
          const keyLine = this.lineAt(isNodeWithRange(pair.key) ? pair.key.range?.[0] : undefined);
          const key = isScalar(pair.key)
            ? String(pair.key.value)
            : JSON.stringify(String(pair.key));
          if (seen.has(key)) {
            throw new YamlLimitError(
              `duplicate key ${quoteBounded(key)}${line === undefined ? '' : ` in the map at line ${String(line)}`}`,
              keyLine,
            );
          }
          seen.add(key);
          return {
            key,
            ...(keyLine === undefined ? {} : { line: keyLine }),
            value: this.convert(pair.value, depth + 1, viaAlias),
          };
        }),
      };
    }
    if (isSeq(node)) {
      return {
        kind: 'sequence',
        ...at,
        items: node.items.map((item) => this.convert(item, depth + 1, viaAlias)),
      };
    }
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
      if (typeof value === 'bigint') return { kind: 'scalar', ...at, value: value.toString() };
      // A tag such as !!binary or !!timestamp makes a value that is not plain data: refused,
      // not read as null (a file of them would otherwise pass as valid and empty).
      throw new YamlLimitError(
        `a value tagged ${quoteBounded(node.tag ?? typeof value)} is not plain data (a string, number, boolean or null)`,
        line,
      );
    }
    return { kind: 'scalar', ...at, value: null };
  }
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
