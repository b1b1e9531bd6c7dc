import type { ConfigEntry, ConfigIssue, ConfigMap, ConfigNode } from './config-node.js';
import { nearestName } from './suggest.js';

/** Collects the issues of one document. */
export class IssueCollector {
  readonly issues: ConfigIssue[] = [];

  constructor(private readonly document: number | undefined) {}

  error(path: string, message: string, line: number | undefined): void {
    this.#add('error', path, message, line);
  }

  warning(path: string, message: string, line: number | undefined): void {
    this.#add('warning', path, message, line);
  }

  #add(
    severity: ConfigIssue['severity'],
    path: string,
    message: string,
    line: number | undefined,
  ): void {
    this.issues.push({
      severity,
      path,
      message,
      ...(line === undefined ? {} : { line }),
      ...(this.document === undefined ? {} : { document: this.document }),
    });
  }
}

/** `parent.key`, or `parent["odd key"]` for keys that are not plain identifiers. */
export function childPath(parent: string, key: string): string {
  if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) return parent === '' ? key : `${parent}.${key}`;
  return `${parent}[${quote(key)}]`;
}

/** The longest text an error message quotes from the file. */
const MAX_QUOTED = 200;

/**
 * A value from the file, for an error message: JSON, at most MAX_QUOTED characters of it (a
 * 300 kB value once made a 300 kB log line).
 */
export function quote(value: unknown): string {
  const text = typeof value === 'string' ? value : String(value);
  return JSON.stringify(text.length > MAX_QUOTED ? `${text.slice(0, MAX_QUOTED)}...` : text);
}

export function describeNode(node: ConfigNode): string {
  switch (node.kind) {
    case 'map':
      return 'a mapping';
    case 'sequence':
      return 'a list';
    case 'scalar':
      return node.value === null
        ? 'null'
        : `${typeof node.value} ${typeof node.value === 'string' ? quote(node.value) : JSON.stringify(node.value)}`;
  }
}

/**
 * Reads the fields of one mapping: each `read*` call names a known key; `finish()` reports the
 * keys nobody asked for, with the nearest known name as a suggestion.
 */
export class MapReader {
  readonly #entries: ReadonlyMap<string, ConfigEntry>;
  readonly #known = new Set<string>();

  private constructor(
    readonly path: string,
    readonly node: ConfigMap,
    private readonly issues: IssueCollector,
    private readonly keyLine: number | undefined,
  ) {
    this.#entries = new Map(node.entries.map((entry) => [entry.key, entry]));
  }

  /**
   * A reader for `node`, or undefined (with an error) when it is not a mapping. Null reads as
   * empty. `keyLine` is the line of the key that introduced the mapping, where an error about
   * a missing field points.
   */
  static of(
    node: ConfigNode,
    path: string,
    issues: IssueCollector,
    keyLine?: number,
  ): MapReader | undefined {
    if (node.kind === 'scalar' && node.value === null) {
      return new MapReader(path, { kind: 'map', entries: [], ...lineOf(node) }, issues, keyLine);
    }
    if (node.kind !== 'map') {
      issues.error(path, `must be a mapping, got ${describeNode(node)}`, node.line ?? keyLine);
      return undefined;
    }
    return new MapReader(path, node, issues, keyLine);
  }

  /** The line of the key that introduced this mapping, else of the mapping itself. */
  get line(): number | undefined {
    return this.keyLine ?? this.node.line;
  }

  /** The entry for `key`, registering it as known. */
  entry(key: string): ConfigEntry | undefined {
    this.#known.add(key);
    return this.#entries.get(key);
  }

  has(key: string): boolean {
    return this.#entries.has(key);
  }

  pathOf(key: string): string {
    return childPath(this.path, key);
  }

  boolean(key: string, fallback: boolean): boolean;
  boolean(key: string, fallback: undefined): boolean | undefined;
  boolean(key: string, fallback: boolean | undefined): boolean | undefined {
    const entry = this.entry(key);
    if (entry === undefined) return fallback;
    const { value } = entry;
    if (value.kind === 'scalar' && typeof value.value === 'boolean') return value.value;
    this.issues.error(
      this.pathOf(key),
      `must be true or false, got ${describeNode(value)}`,
      value.line ?? entry.line,
    );
    return fallback;
  }

  string(key: string, fallback: string): string;
  string(key: string, fallback: undefined): string | undefined;
  string(key: string, fallback: string | undefined): string | undefined {
    const entry = this.entry(key);
    if (entry === undefined) return fallback;
    const { value } = entry;
    if (value.kind === 'scalar' && typeof value.value === 'string') return value.value;
    this.issues.error(
      this.pathOf(key),
      `must be a string, got ${describeNode(value)}`,
      value.line ?? entry.line,
    );
    return fallback;
  }

  /** A list of strings; invalid items are reported and left out. */
  stringList(key: string): string[] | undefined {
    const entry = this.entry(key);
    if (entry === undefined) return undefined;
    return readStringList(entry.value, this.pathOf(key), this.issues, entry.line);
  }

  /** Reports every key that no read asked for. Call after all reads. */
  finish(): void {
    for (const entry of this.node.entries) {
      if (this.#known.has(entry.key)) continue;
      const known = [...this.#known];
      const suggestion = nearestName(entry.key, known);
      const hint =
        suggestion === undefined
          ? `known fields: ${known.join(', ')}`
          : `did you mean ${suggestion}?`;
      this.issues.error(this.pathOf(entry.key), `unknown field; ${hint}`, entry.line);
    }
  }
}

export function readStringList(
  node: ConfigNode,
  path: string,
  issues: IssueCollector,
  fallbackLine: number | undefined,
): string[] | undefined {
  if (node.kind !== 'sequence') {
    issues.error(
      path,
      `must be a list of strings, got ${describeNode(node)}`,
      node.line ?? fallbackLine,
    );
    return undefined;
  }
  const values: string[] = [];
  for (const [index, item] of node.items.entries()) {
    if (item.kind === 'scalar' && typeof item.value === 'string') values.push(item.value);
    else
      issues.error(
        `${path}[${String(index)}]`,
        `must be a string, got ${describeNode(item)}`,
        item.line,
      );
  }
  return values;
}

function lineOf(node: ConfigNode): { line?: number } {
  return node.line === undefined ? {} : { line: node.line };
}
