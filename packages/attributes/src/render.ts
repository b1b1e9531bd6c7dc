import type { AttributeSet } from './attribute-set.js';
import { AttributeError } from './errors.js';
import type { Template, TemplatePart } from './template.js';

type Reference = Extract<TemplatePart, { kind: 'attribute' }>;

/**
 * Substitutes attribute values into a parsed template. A reference to an absent attribute is a
 * missing-attribute error naming it: a template never renders an empty string in its place.
 * `checkValue` sees each substituted value (as text) before it is used, and may throw.
 */
export function renderTemplate(
  template: Template,
  attributes: AttributeSet,
  checkValue?: (value: string, reference: Reference) => void,
): string {
  let rendered = '';
  for (const part of template.parts) {
    if (part.kind === 'literal') {
      rendered += part.text;
      continue;
    }
    const attribute = attributes.get(part.name);
    if (attribute === undefined) {
      throw new AttributeError(
        'missing_attribute',
        `missing attribute ${part.name} (referenced at column ${String(part.column)})`,
        part.column,
        part.name,
      );
    }
    const raw = String(attribute.value);
    const value = part.filter === 'segment' ? escapePathSegment(raw) : raw;
    checkValue?.(value, part);
    rendered += value;
  }
  return rendered;
}

const UNRESERVED = /^[A-Za-z0-9.-]$/;

/**
 * Escapes any text into one SPIFFE ID path segment, reversibly (`unescapePathSegment`): letters,
 * digits, `.` and `-` stay; `_` becomes `__`; every other byte of the UTF-8 text becomes `_`
 * and two upper-case hex digits. A value that would be `.` or `..` has its dots escaped too.
 * `https://ci.example/org@main` becomes `https_3A_2F_2Fci.example_2Forg_40main`.
 */
export function escapePathSegment(value: string): string {
  let escaped = '';
  for (const byte of new TextEncoder().encode(value)) {
    const char = String.fromCharCode(byte);
    if (UNRESERVED.test(char)) escaped += char;
    else if (char === '_') escaped += '__';
    else escaped += `_${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return escaped === '.' || escaped === '..' ? escaped.replaceAll('.', '_2E') : escaped;
}

/** The text `escapePathSegment` made `segment` of; throws RangeError for text it cannot have made. */
export function unescapePathSegment(segment: string): string {
  const bytes: number[] = [];
  for (let index = 0; index < segment.length; index++) {
    const char = segment.charAt(index);
    if (char !== '_') {
      if (!UNRESERVED.test(char))
        throw new RangeError(`not an escaped segment: ${JSON.stringify(segment)}`);
      bytes.push(char.charCodeAt(0));
      continue;
    }
    if (segment[index + 1] === '_') {
      bytes.push(0x5f);
      index++;
      continue;
    }
    const hex = segment.slice(index + 1, index + 3);
    if (!/^[0-9A-F]{2}$/.test(hex))
      throw new RangeError(`not an escaped segment: ${JSON.stringify(segment)}`);
    bytes.push(parseInt(hex, 16));
    index += 2;
  }
  return new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(bytes));
}

const MAX_SPIFFE_ID_LENGTH = 2048;
const SEGMENT_CHAR = /^[A-Za-z0-9._-]$/;

/**
 * Renders the path part of a SPIFFE ID and checks it: it starts with `/`, has no empty, `.`
 * or `..` segment, no trailing `/`, and only the characters the SPIFFE ID specification
 * allows in a path (letters, digits, `.`, `-`, `_`). Each substituted value must be one whole
 * segment by itself, so that a value can fill a segment but never add one (a label
 * `admin/prod` must not turn `/team/{{...}}` into `/team/admin/prod`). Errors name the
 * attribute or the segment and the character, never a value, which may come from an
 * environment variable.
 */
export function renderSpiffeIdPath(template: Template, attributes: AttributeSet): string {
  const invalid = (reason: string): AttributeError =>
    new AttributeError(
      'invalid_spiffe_id_path',
      `rendered SPIFFE ID path from ${JSON.stringify(template.source)} ${reason}`,
    );
  const path = renderTemplate(template, attributes, (value, reference) => {
    const problem = segmentProblem(value);
    if (problem !== undefined)
      throw invalid(
        `would take the value of ${reference.name} (column ${String(reference.column)}), which is not a single path segment: it ${problem}`,
      );
  });
  if (!path.startsWith('/')) throw invalid("does not start with '/'");
  if (path.length > MAX_SPIFFE_ID_LENGTH)
    throw invalid(`is longer than ${String(MAX_SPIFFE_ID_LENGTH)} characters`);
  const segments = path.slice(1).split('/');
  for (const [index, segment] of segments.entries()) {
    const problem = segmentProblem(segment);
    if (problem !== undefined) throw invalid(`has segment ${String(index + 1)} that ${problem}`);
  }
  return path;
}

/** Why `segment` is not a valid SPIFFE ID path segment, or undefined when it is one. */
function segmentProblem(segment: string): string | undefined {
  if (segment === '') return 'is empty';
  if (segment === '.' || segment === '..') return `is ${JSON.stringify(segment)}`;
  for (const char of segment) {
    if (!SEGMENT_CHAR.test(char)) {
      const codePoint = `U+${(char.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
      return `has the character ${codePoint}; allowed are letters, digits, '.', '-' and '_'`;
    }
  }
  return undefined;
}

/**
 * Why a SPIFFE ID path template can never render a valid path, whatever the attribute values,
 * or undefined when it can. Each reference is one whole segment or part of one (a value can
 * fill a segment but never add one), so the template is checked with a plain stand-in for
 * every reference: `/`, `//`, `/a/../b` and `/a/` are refused when the file is loaded.
 */
export function spiffeIdPathTemplateProblem(template: Template): string | undefined {
  let path = '';
  for (const part of template.parts) path += part.kind === 'literal' ? part.text : 'x';
  if (!path.startsWith('/')) return "does not start with '/'";
  const segments = path.slice(1).split('/');
  for (const [index, segment] of segments.entries()) {
    const problem = segmentProblem(segment);
    if (problem !== undefined) return `has segment ${String(index + 1)} that ${problem}`;
  }
  return undefined;
}
