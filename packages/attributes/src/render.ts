import type { AttributeSet } from './attribute-set.js';
import { AttributeError } from './errors.js';
import type { Template } from './template.js';

/**
 * Substitutes attribute values into a parsed template. A reference to an absent attribute is a
 * missing-attribute error naming it: a template never renders an empty string in its place.
 */
export function renderTemplate(template: Template, attributes: AttributeSet): string {
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
    rendered += String(attribute.value);
  }
  return rendered;
}

const MAX_SPIFFE_ID_LENGTH = 2048;
const SEGMENT_CHAR = /^[A-Za-z0-9._-]$/;

/**
 * Renders the path part of a SPIFFE ID and checks it: it starts with `/`, has no empty, `.`
 * or `..` segment, no trailing `/`, and only the characters the SPIFFE ID specification
 * allows in a path (letters, digits, `.`, `-`, `_`). Errors name the segment and the
 * character, never the rendered value, which may come from an environment variable.
 */
export function renderSpiffeIdPath(template: Template, attributes: AttributeSet): string {
  const path = renderTemplate(template, attributes);
  const invalid = (reason: string): AttributeError =>
    new AttributeError(
      'invalid_spiffe_id_path',
      `rendered SPIFFE ID path from ${JSON.stringify(template.source)} ${reason}`,
    );
  if (!path.startsWith('/')) throw invalid("does not start with '/'");
  if (path.length > MAX_SPIFFE_ID_LENGTH)
    throw invalid(`is longer than ${String(MAX_SPIFFE_ID_LENGTH)} characters`);
  const segments = path.slice(1).split('/');
  for (const [index, segment] of segments.entries()) {
    const position = `segment ${String(index + 1)}`;
    if (segment === '') throw invalid(`has an empty ${position}`);
    if (segment === '.' || segment === '..')
      throw invalid(`has ${position} ${JSON.stringify(segment)}`);
    for (const char of segment) {
      if (!SEGMENT_CHAR.test(char)) {
        const codePoint = `U+${(char.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
        throw invalid(
          `has the character ${codePoint} in ${position}; allowed are letters, digits, '.', '-' and '_'`,
        );
      }
    }
  }
  return path;
}
