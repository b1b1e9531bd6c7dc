/**
 * A configuration document as a plain tree with source lines, independent of the file format.
 * The YAML adapter produces it; this package validates it. Lines are 1-based.
 */
export type ConfigNode = ConfigMap | ConfigSequence | ConfigScalar;

export interface ConfigMap {
  readonly kind: 'map';
  readonly line?: number;
  readonly entries: readonly ConfigEntry[];
}

export interface ConfigEntry {
  readonly key: string;
  readonly line?: number;
  readonly value: ConfigNode;
}

export interface ConfigSequence {
  readonly kind: 'sequence';
  readonly line?: number;
  readonly items: readonly ConfigNode[];
}

export interface ConfigScalar {
  readonly kind: 'scalar';
  readonly line?: number;
  readonly value: string | number | boolean | null;
}

/** One problem found in a configuration. Errors make it invalid; warnings do not. */
export interface ConfigIssue {
  readonly severity: 'error' | 'warning';
  /** The field path, e.g. `spec.docker.podmanSocketPathTemplate` or `section`. */
  readonly path: string;
  readonly message: string;
  readonly line?: number;
  /** 1-based index of the document within a multi-document file. */
  readonly document?: number;
}

/** `path: message`, the form every issue is printed in. */
export function formatIssue(issue: ConfigIssue, source?: string): string {
  const where = [source, issue.line === undefined ? undefined : String(issue.line)].filter(
    (part) => part !== undefined,
  );
  const prefix = where.length > 0 ? `${where.join(':')}: ` : '';
  const severity = issue.severity === 'warning' ? 'warning: ' : '';
  return `${prefix}${severity}${issue.path}: ${issue.message}`;
}
