import { readFile, readlink } from 'node:fs/promises';
import { join } from 'node:path';

import { ProcessTableError, type ProcessSnapshot, type ProcessTable } from '@attestor/ports';

/** /proc files are small; anything larger is not what the kernel wrote. */
const MAX_PROC_FILE_BYTES = 64 * 1024;

function quote(text: string): string {
  return JSON.stringify(text.length > 200 ? `${text.slice(0, 200)}...` : text);
}

/**
 * Field 22 (starttime) of /proc/<pid>/stat. The command name (field 2) is in parentheses and
 * may itself contain spaces and parentheses, so fields are counted after the last `)`.
 */
export function parseStartTime(stat: string, pid: number): bigint {
  const close = stat.lastIndexOf(')');
  const fields =
    close < 0
      ? []
      : stat
          .slice(close + 1)
          .trim()
          .split(/\s+/);
  // fields[0] is field 3 (state); field 22 is fields[19].
  const startTime = fields[19];
  if (startTime === undefined || !/^\d{1,20}$/.test(startTime)) {
    throw new ProcessTableError(
      'malformed',
      `/proc/${String(pid)}/stat has no numeric start time (field 22): ${quote(stat)}`,
    );
  }
  return BigInt(startTime);
}

/** The real uid: the first number of the `Uid:` line of /proc/<pid>/status. */
export function parseRealUid(status: string, pid: number): number {
  const line = status.split('\n').find((candidate) => candidate.startsWith('Uid:'));
  const match = line === undefined ? null : /^Uid:\s+(\d{1,10})\s/.exec(line);
  const uid = match?.[1] === undefined ? Number.NaN : Number(match[1]);
  if (!Number.isInteger(uid) || uid > 4_294_967_295) {
    throw new ProcessTableError(
      'malformed',
      `/proc/${String(pid)}/status has no valid Uid: line: ${quote(line ?? '')}`,
    );
  }
  return uid;
}

/** The inode of a `pid:[4026531836]` namespace link. */
export function parsePidNamespaceLink(link: string, pid: number): bigint {
  const match = /^pid:\[(\d{1,20})\]$/.exec(link);
  if (match?.[1] === undefined) {
    throw new ProcessTableError(
      'malformed',
      `/proc/${String(pid)}/ns/pid is not a pid namespace link: ${quote(link)}`,
    );
  }
  return BigInt(match[1]);
}

/**
 * Reads processes from procfs. `procRoot` is /proc on a host; tests point it at a directory
 * of fixture files. Only /proc/<pid>/{stat,status,cgroup} and the ns/pid link are read.
 */
export class ProcfsProcessTable implements ProcessTable {
  constructor(private readonly procRoot = '/proc') {}

  async snapshot(pid: number): Promise<ProcessSnapshot> {
    const startTime = await this.startTime(pid);
    const [status, cgroup, pidNamespace] = await Promise.all([
      this.#read(pid, 'status'),
      this.#read(pid, 'cgroup'),
      this.pidNamespace(pid),
    ]);
    return { pid, startTime, uid: parseRealUid(status, pid), pidNamespace, cgroup };
  }

  async startTime(pid: number): Promise<bigint> {
    return parseStartTime(await this.#read(pid, 'stat'), pid);
  }

  async pidNamespace(pid: number): Promise<bigint> {
    this.#checkPid(pid);
    const path = join(this.procRoot, String(pid), 'ns', 'pid');
    try {
      return parsePidNamespaceLink(await readlink(path), pid);
    } catch (error) {
      throw this.#translate(error, pid, path);
    }
  }

  async #read(pid: number, name: string): Promise<string> {
    this.#checkPid(pid);
    const path = join(this.procRoot, String(pid), name);
    let buffer: Buffer;
    try {
      buffer = await readFile(path);
    } catch (error) {
      throw this.#translate(error, pid, path);
    }
    if (buffer.length > MAX_PROC_FILE_BYTES) {
      throw new ProcessTableError(
        'malformed',
        `${path} is larger than ${String(MAX_PROC_FILE_BYTES)} bytes`,
      );
    }
    return buffer.toString('utf8');
  }

  #checkPid(pid: number): void {
    if (!Number.isInteger(pid) || pid <= 0 || pid > 4_194_304) {
      throw new ProcessTableError('not_found', `${String(pid)} is not a valid process ID`);
    }
  }

  #translate(error: unknown, pid: number, path: string): Error {
    if (ProcessTableError.is(error)) return error;
    const code = error instanceof Error && 'code' in error ? String(error.code) : '';
    if (code === 'ENOENT' || code === 'ESRCH') {
      return new ProcessTableError('not_found', `process ${String(pid)} does not exist (${path})`, {
        cause: error,
      });
    }
    if (code === 'EACCES' || code === 'EPERM') {
      return new ProcessTableError('permission_denied', `permission denied reading ${path}`, {
        cause: error,
      });
    }
    return new ProcessTableError(
      'io',
      `cannot read ${path}: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
}
