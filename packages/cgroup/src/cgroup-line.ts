import { CgroupError } from './errors.js';

/** One line of /proc/<pid>/cgroup: `hierarchy-ID:controller-list:cgroup-path`. */
export interface CgroupLine {
  readonly hierarchyId: number;
  /** Empty for the cgroup v2 unified hierarchy (`0::/...`). */
  readonly controllers: readonly string[];
  readonly path: string;
}

const MAX_QUOTED_LENGTH = 200;

/** Quotes untrusted text for an error message: JSON-escaped and bounded. */
export function quote(text: string): string {
  const bounded = text.length > MAX_QUOTED_LENGTH ? `${text.slice(0, MAX_QUOTED_LENGTH)}...` : text;
  return JSON.stringify(bounded);
}

/**
 * Splits the text of /proc/<pid>/cgroup into lines. Each line is split on its first two colons
 * only, so that colons inside the path (systemd's `slice:prefix:id` notation) survive.
 * Blank lines are ignored; anything else that is not a well-formed line is an error quoting it.
 */
export function parseCgroupLines(text: string): CgroupLine[] {
  const lines: CgroupLine[] = [];
  scanCgroupLines(text, (hierarchyId, controllersText, path) => {
    lines.push({
      hierarchyId,
      controllers: controllersText === '' ? [] : controllersText.split(','),
      path,
    });
  });
  return lines;
}

/**
 * The validation of `parseCgroupLines`, calling `visit` for each well-formed line instead of
 * building a list: the attestation path needs only the paths.
 */
export function scanCgroupLines(
  text: string,
  visit: (hierarchyId: number, controllersText: string, path: string) => void,
): void {
  let lineNumber = 0;
  for (let start = 0; start <= text.length;) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const rawLine = text.slice(start, end);
    start = end + 1;
    lineNumber++;
    if (rawLine === '' || rawLine.trim() === '') continue;
    const firstColon = rawLine.indexOf(':');
    const secondColon = firstColon < 0 ? -1 : rawLine.indexOf(':', firstColon + 1);
    if (secondColon < 0)
      throw malformed(lineNumber, rawLine, 'expected hierarchy-ID:controllers:path');
    const hierarchyText = rawLine.slice(0, firstColon);
    const path = rawLine.slice(secondColon + 1);
    if (!HIERARCHY_ID.test(hierarchyText))
      throw malformed(lineNumber, rawLine, 'hierarchy ID is not a number');
    if (!path.startsWith('/')) throw malformed(lineNumber, rawLine, 'path is not absolute');
    visit(Number(hierarchyText), rawLine.slice(firstColon + 1, secondColon), path);
  }
}

const HIERARCHY_ID = /^\d{1,10}$/;

function malformed(lineNumber: number, rawLine: string, reason: string): CgroupError {
  return new CgroupError(
    'malformed_line',
    `malformed cgroup line ${String(lineNumber)} (${reason}): ${quote(rawLine)}`,
  );
}
