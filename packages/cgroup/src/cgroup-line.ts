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
  const rawLines = text.split('\n');
  for (let index = 0; index < rawLines.length; index++) {
    const rawLine = rawLines[index] ?? '';
    if (rawLine === '' || rawLine.trim() === '') continue;
    const firstColon = rawLine.indexOf(':');
    const secondColon = firstColon < 0 ? -1 : rawLine.indexOf(':', firstColon + 1);
    if (secondColon < 0) throw malformed(index, rawLine, 'expected hierarchy-ID:controllers:path');
    const hierarchyText = rawLine.slice(0, firstColon);
    const controllersText = rawLine.slice(firstColon + 1, secondColon);
    const path = rawLine.slice(secondColon + 1);
    if (!HIERARCHY_ID.test(hierarchyText))
      throw malformed(index, rawLine, 'hierarchy ID is not a number');
    if (!path.startsWith('/')) throw malformed(index, rawLine, 'path is not absolute');
    lines.push({
      hierarchyId: Number(hierarchyText),
      controllers: controllersText === '' ? [] : controllersText.split(','),
      path,
    });
  }
  return lines;
}

const HIERARCHY_ID = /^\d{1,10}$/;

function malformed(index: number, rawLine: string, reason: string): CgroupError {
  return new CgroupError(
    'malformed_line',
    `malformed cgroup line ${String(index + 1)} (${reason}): ${quote(rawLine)}`,
  );
}
