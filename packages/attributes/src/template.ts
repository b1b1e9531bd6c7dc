import { AttributeError } from './errors.js';
import { escapeLabelKey } from './names.js';

export type TemplatePart =
  | { readonly kind: 'literal'; readonly text: string }
  | {
      readonly kind: 'attribute';
      /** The canonical attribute name (label keys re-escaped as in `labelAttributeName`). */
      readonly name: string;
      /** 1-based column of the opening `{{`. */
      readonly column: number;
      /**
       * `segment` for `{{ name | segment }}`: the value is escaped into one path segment by
       * `escapePathSegment` (reversibly), so that a URL or an e-mail address can fill one.
       */
      readonly filter?: 'segment';
    };

export interface Template {
  readonly source: string;
  readonly parts: readonly TemplatePart[];
  /** The attribute names the template references, in order of first use. */
  readonly references: readonly string[];
}

const NAME_CHAR = /[A-Za-z0-9_.-]/;

/**
 * Parses `{{ attribute }}` substitutions in a template such as
 * `/workloads/{{docker.container.label["com.example.app"]}}`.
 *
 * A reference is a dotted name (letters, digits, `_`, `.`, `-`), optionally followed by one
 * bracketed, double-quoted key in which `\"`, `\\` and `\uXXXX` are the escapes. Whitespace
 * inside the braces is allowed. A stray `}}` outside a reference is an error, since it is almost
 * always a typo. Errors carry the 1-based column, so a configuration loader can point at them.
 *
 * `isKnownAttribute`, when given, rejects references to names that can never exist
 * (`docker.container.imag`), at load time rather than at issuance.
 */
export function parseTemplate(
  source: string,
  isKnownAttribute?: (name: string) => boolean,
): Template {
  const parts: TemplatePart[] = [];
  const references: string[] = [];
  const referenced = new Set<string>();
  let literal = '';
  let index = 0;
  const fail = (at: number, message: string): AttributeError =>
    new AttributeError('template_syntax', `column ${String(at + 1)}: ${message}`, at + 1);

  while (index < source.length) {
    if (source.startsWith('}}', index)) throw fail(index, "'}}' without a matching '{{'");
    if (!source.startsWith('{{', index)) {
      literal += source.charAt(index);
      index++;
      continue;
    }
    const open = index;
    index += 2;
    const skipSpaces = (): void => {
      while (source[index] === ' ' || source[index] === '\t') index++;
    };
    skipSpaces();
    const nameStart = index;
    while (index < source.length && NAME_CHAR.test(source.charAt(index))) index++;
    let name = source.slice(nameStart, index);
    if (name === '') {
      if (index >= source.length) throw fail(open, "'{{' is not closed by '}}'");
      throw fail(index, `expected an attribute name, found ${JSON.stringify(source[index])}`);
    }
    if (name.startsWith('.') || name.endsWith('.') || name.includes('..')) {
      throw fail(nameStart, `attribute name ${JSON.stringify(name)} has an empty segment`);
    }
    if (source[index] === '[') {
      const key = parseQuotedKey(source, index + 1, fail);
      index = key.end;
      if (source[index] !== ']') throw fail(index, "expected ']' after the quoted key");
      index++;
      name = `${name}["${escapeLabelKey(key.value)}"]`;
    }
    skipSpaces();
    let filter: 'segment' | undefined;
    if (source[index] === '|') {
      index++;
      skipSpaces();
      const filterStart = index;
      while (index < source.length && /[a-z]/.test(source.charAt(index))) index++;
      const filterName = source.slice(filterStart, index);
      if (filterName !== 'segment')
        throw fail(
          filterStart,
          `unknown filter ${JSON.stringify(filterName)} (the one filter is 'segment')`,
        );
      filter = filterName;
      skipSpaces();
    }
    if (!source.startsWith('}}', index)) {
      if (index >= source.length) throw fail(open, "'{{' is not closed by '}}'");
      throw fail(index, `expected '}}', found ${JSON.stringify(source[index])}`);
    }
    index += 2;
    if (isKnownAttribute !== undefined && !isKnownAttribute(name)) {
      throw new AttributeError(
        'unknown_attribute',
        `column ${String(open + 1)}: unknown attribute ${name}`,
        open + 1,
        name,
      );
    }
    if (literal !== '') parts.push({ kind: 'literal', text: literal });
    literal = '';
    parts.push(
      filter === undefined
        ? { kind: 'attribute', name, column: open + 1 }
        : { kind: 'attribute', name, column: open + 1, filter },
    );
    // A set beside the list: includes() on the list was quadratic (33,000 references, 5.5 s).
    if (!referenced.has(name)) {
      referenced.add(name);
      references.push(name);
    }
  }
  if (literal !== '') parts.push({ kind: 'literal', text: literal });
  return { source, parts, references };
}

function parseQuotedKey(
  source: string,
  start: number,
  fail: (at: number, message: string) => AttributeError,
): { value: string; end: number } {
  if (source[start] !== '"') throw fail(start, "expected '\"' after '['");
  let value = '';
  let index = start + 1;
  for (;;) {
    const char = source[index];
    if (char === undefined) throw fail(start, 'quoted key is not closed');
    if (char === '"') return { value, end: index + 1 };
    if (char !== '\\') {
      value += char;
      index++;
      continue;
    }
    const escaped = source[index + 1];
    if (escaped === '"' || escaped === '\\') {
      value += escaped;
      index += 2;
    } else if (escaped === 'u' && /^[0-9a-fA-F]{4}$/.test(source.slice(index + 2, index + 6))) {
      value += String.fromCharCode(parseInt(source.slice(index + 2, index + 6), 16));
      index += 6;
    } else {
      throw fail(
        index,
        `unknown escape ${JSON.stringify(`\\${escaped ?? ''}`)} (use \\", \\\\ or \\uXXXX)`,
      );
    }
  }
}
