import { closeSync, openSync, readlinkSync } from 'node:fs';

import { FileReadError, ProcFileReader, userNamespaceOwnerUid } from '@attestor/adapter-io';
import {
  type ProcessHandle,
  type ProcessIdentity,
  type ProcessTable,
  ProcessTableError,
} from '@attestor/ports';

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
  const startTime = fieldAfterCommand(stat, 22);
  if (startTime === undefined || !/^\d{1,20}$/.test(startTime)) {
    throw new ProcessTableError(
      'malformed',
      `/proc/${String(pid)}/stat has no numeric start time (field 22): ${quote(stat)}`,
    );
  }
  return BigInt(startTime);
}

/**
 * Field `field` (1-based, 3 or more) of a stat line: fields are counted from the last `)`,
 * which ends field 2, and separated by runs of whitespace. A scan rather than a split: this
 * runs several times per attestation.
 */
function fieldAfterCommand(stat: string, field: number): string | undefined {
  let index = stat.lastIndexOf(')');
  if (index < 0) return undefined;
  index++;
  for (let current = 2; ;) {
    while (index < stat.length && isSpace(stat.charCodeAt(index))) index++;
    if (index >= stat.length) return undefined;
    const start = index;
    while (index < stat.length && !isSpace(stat.charCodeAt(index))) index++;
    if (++current === field) return stat.slice(start, index);
  }
}

function isSpace(code: number): boolean {
  return code === 0x20 || code === 0x0a || code === 0x09 || code === 0x0d;
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
 *
 * Reads are synchronous, as the port says: procfs files are generated from kernel memory and
 * never wait on a disk. A synchronous open/read/close into a reused buffer costs a few
 * microseconds, where an asynchronous readFile makes four thread-pool round trips (open,
 * fstat, read, close). That matters on the cached attestation path, which is mostly procfs
 * reads.
 */
export class ProcfsProcessTable implements ProcessTable {
  /** One read buffer, reused: reads are synchronous, so no two use it at once. */
  readonly #reader = new ProcFileReader(MAX_PROC_FILE_BYTES);

  readonly #procRoot: string;
  #userNamespace: string | undefined;

  /** `procRoot`: /proc, or a directory of fixture files in tests. */
  constructor(procRoot = '/proc') {
    this.#procRoot = procRoot.replace(/\/+$/, '');
  }

  open(pid: number): ProcessHandle {
    const { fd, path } = this.#open(pid, 'stat');
    try {
      const startTime = parseStartTime(this.#readOpen(fd, pid, path), pid);
      return new ProcfsProcessHandle(fd, pid, path, startTime, () => this.#readOpen(fd, pid, path));
    } catch (error) {
      closeSync(fd);
      throw error;
    }
  }

  cgroup(pid: number): string {
    return this.#read(pid, 'cgroup');
  }

  uid(pid: number): number {
    return parseRealUid(this.#read(pid, 'status'), pid);
  }

  ownerUid(pid: number): number {
    this.#checkPid(pid);
    const path = `${this.#procRoot}/${String(pid)}/ns/user`;
    let namespace: string;
    try {
      namespace = readlinkSync(path);
    } catch (error) {
      throw this.#translate(error, pid, path);
    }
    if (namespace === this.#ownUserNamespace()) return this.uid(pid);
    try {
      return userNamespaceOwnerUid(path);
    } catch (error) {
      throw this.#translate(error, pid, path);
    }
  }

  /** The agent's own user namespace (the host's), read once. */
  #ownUserNamespace(): string {
    this.#userNamespace ??= readlinkSync(`${this.#procRoot}/self/ns/user`);
    return this.#userNamespace;
  }

  startTime(pid: number): bigint {
    return parseStartTime(this.#read(pid, 'stat'), pid);
  }

  /**
   * Opens the stat file first, which binds the file to the process that has `pid` now; reads
   * the namespace link and the cgroup file by PID; then reads the stat file. That read fails
   * with ESRCH if the process has exited since the open, so when it succeeds, the process was
   * alive throughout and the reads by PID were its own.
   */
  identify(pid: number): ProcessIdentity {
    const { fd, path } = this.#open(pid, 'stat');
    try {
      const pidNamespace = this.pidNamespace(pid);
      const cgroup = this.cgroup(pid);
      const startTime = parseStartTime(this.#readOpen(fd, pid, path), pid);
      return { startTime, pidNamespace, cgroup };
    } finally {
      closeSync(fd);
    }
  }

  pidNamespace(pid: number): bigint {
    this.#checkPid(pid);
    const path = `${this.#procRoot}/${String(pid)}/ns/pid`;
    let link: string;
    try {
      link = readlinkSync(path);
    } catch (error) {
      throw this.#translate(error, pid, path);
    }
    return parsePidNamespaceLink(link, pid);
  }

  #read(pid: number, name: string): string {
    const { fd, path } = this.#open(pid, name);
    try {
      return this.#readOpen(fd, pid, path);
    } finally {
      closeSync(fd);
    }
  }

  #open(pid: number, name: string): { fd: number; path: string } {
    this.#checkPid(pid);
    const path = `${this.#procRoot}/${String(pid)}/${name}`;
    try {
      return { fd: openSync(path, 'r'), path };
    } catch (error) {
      throw this.#translate(error, pid, path);
    }
  }

  /** Reads an open /proc file from its start (again, for a handle's file). */
  #readOpen(fd: number, pid: number, path: string): string {
    try {
      return this.#reader.readOpen(fd, path);
    } catch (error) {
      if (FileReadError.is(error) && error.code === 'too_large')
        throw new ProcessTableError('malformed', error.message, { cause: error });
      throw this.#translate(error, pid, path);
    }
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

/** An open /proc/<pid>/stat: see ProcessHandle. */
class ProcfsProcessHandle implements ProcessHandle {
  #open = true;

  constructor(
    private readonly fd: number,
    readonly pid: number,
    private readonly path: string,
    readonly startTime: bigint,
    /** Reads the open file again from its start. */
    private readonly reread: () => string,
  ) {}

  confirm(): void {
    if (!this.#open) throw new Error(`the handle on ${this.path} is closed`);
    // ESRCH (the process has exited) comes out as not_found.
    const startTime = parseStartTime(this.reread(), this.pid);
    // The kernel ties the open file to its process, so this cannot differ; checked regardless.
    if (startTime !== this.startTime) {
      throw new ProcessTableError(
        'not_found',
        `process ${String(this.pid)} is not the process opened as ${this.path}`,
      );
    }
  }

  close(): void {
    if (!this.#open) return;
    this.#open = false;
    closeSync(this.fd);
  }
}
