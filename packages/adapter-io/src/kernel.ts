import { closeSync, openSync } from 'node:fs';
import type { Socket } from 'node:net';

import koffi from 'koffi';

/**
 * The few Linux system calls Node has no API for, through koffi (a maintained FFI whose npm
 * package ships prebuilt binaries, so nothing is compiled on install). Loaded on first use.
 */
interface Libc {
  readonly getsockopt: (
    fd: number,
    level: number,
    name: number,
    value: Record<string, number>,
    length: number[],
  ) => number;
  readonly getsockoptInt: (
    fd: number,
    level: number,
    name: number,
    value: number[],
    length: number[],
  ) => number;
  readonly ioctl: (fd: number, request: number, value: number[]) => number;
  readonly pidfdSendSignal: (pidfd: number, signal: number) => number;
  /** Undefined where the C library has no malloc_trim (glibc has; musl has not). */
  readonly mallocTrim: ((pad: number) => number) | undefined;
  readonly errno: () => number;
}

let libc: Libc | undefined;

function loadLibc(): Libc {
  if (libc !== undefined) return libc;
  const library = koffi.load('libc.so.6');
  koffi.struct('attestor_ucred', { pid: 'int32', uid: 'uint32', gid: 'uint32' });
  libc = {
    getsockopt: library.func(
      'int getsockopt(int fd, int level, int name, _Out_ attestor_ucred *value, _Inout_ uint32_t *length)',
    ) as Libc['getsockopt'],
    getsockoptInt: library.func(
      'int getsockopt(int fd, int level, int name, _Out_ int32_t *value, _Inout_ uint32_t *length)',
    ) as Libc['getsockoptInt'],
    // Through syscall(2): glibc has had a wrapper only since 2.36. The number is the same on
    // every architecture (the system calls added after 5.0 share one table).
    pidfdSendSignal: (
      (call) => (pidfd: number, signal: number) =>
        call(SYS_PIDFD_SEND_SIGNAL, pidfd, signal, null, 0)
    )(
      library.func(
        'long syscall(long number, int pidfd, int signal, void *info, unsigned int flags)',
      ) as (number: number, pidfd: number, signal: number, info: null, flags: number) => number,
    ),
    // Declared with the one pointer argument this request takes (integer and pointer
    // arguments pass the same way to a variadic function on the ABIs Linux runs Node on).
    ioctl: library.func(
      'int ioctl(int fd, unsigned long request, _Out_ uint32_t *value)',
    ) as Libc['ioctl'],
    mallocTrim: optional(() => library.func('int malloc_trim(size_t pad)')) as
      Libc['mallocTrim'] | undefined,
    errno: () => koffi.errno(),
  };
  return libc;
}

/** What `declare` returns, or undefined when the library does not have that function. */
function optional<T>(declare: () => T): T | undefined {
  try {
    return declare();
  } catch {
    return undefined;
  }
}

const SOL_SOCKET = 1;
const SO_PEERCRED = 17;
const SO_PEERPIDFD = 77;
const SYS_PIDFD_SEND_SIGNAL = 424;
const ESRCH = 3;
/** `_IO(0xb7, 0x4)`: the uid that owns a user namespace (linux/nsfs.h). */
const NS_GET_OWNER_UID = 0xb704;

/** Who is at the other end of a connected unix socket, as the kernel recorded it at connect. */
export interface PeerCredentials {
  readonly pid: number;
  readonly uid: number;
  readonly gid: number;
}

/** The peer credentials (SO_PEERCRED) of a connected unix-domain socket. */
export function peerCredentials(socket: Socket): PeerCredentials {
  const fd = socketFd(socket);
  const value: Record<string, number> = {};
  const length = [12];
  if (loadLibc().getsockopt(fd, SOL_SOCKET, SO_PEERCRED, value, length) !== 0)
    throw new Error(`getsockopt(SO_PEERCRED) failed: errno ${String(loadLibc().errno())}`);
  const { pid, uid, gid } = value;
  // An unconnected socket has no peer: the kernel answers pid 0 and uid (uid_t)-1.
  if (
    pid === undefined ||
    uid === undefined ||
    gid === undefined ||
    pid === 0 ||
    uid === 0xffffffff
  )
    throw new Error('the socket has no peer');
  return { pid, uid, gid };
}

/**
 * A pidfd of the process at the other end of a connected unix-domain socket (SO_PEERPIDFD,
 * Linux 6.5 and later): it names the process that connected, not whichever process has its
 * PID later. Undefined where the kernel does not have the option. The caller closes the fd.
 */
export function peerPidfd(socket: Socket): number | undefined {
  const fd = socketFd(socket);
  const value = [-1];
  const length = [4];
  if (loadLibc().getsockoptInt(fd, SOL_SOCKET, SO_PEERPIDFD, value, length) !== 0) {
    const errno = loadLibc().errno();
    // ENOPROTOOPT: a kernel without the option. ESRCH: the peer has already exited.
    if (errno === ESRCH) throw new Error('the peer process has exited');
    return undefined;
  }
  const pidfd = value[0];
  return pidfd !== undefined && pidfd >= 0 ? pidfd : undefined;
}

/**
 * Whether the process a pidfd names is still running (a signal 0 sent through the pidfd:
 * ESRCH once it has exited, even when another process has its PID by now).
 */
export function pidfdAlive(pidfd: number): boolean {
  if (loadLibc().pidfdSendSignal(pidfd, 0) === 0) return true;
  const errno = loadLibc().errno();
  if (errno === ESRCH) return false;
  throw new Error(`pidfd_send_signal failed: errno ${String(errno)}`);
}

/**
 * The uid that owns the user namespace at `path` (a `/proc/<pid>/ns/user` link), as this
 * process sees it: the effective uid of the process that created the namespace.
 */
export function userNamespaceOwnerUid(path: string): number {
  const fd = openSync(path, 'r');
  try {
    const uid = [0];
    if (loadLibc().ioctl(fd, NS_GET_OWNER_UID, uid) !== 0)
      throw new Error(
        `ioctl(NS_GET_OWNER_UID) on ${path} failed: errno ${String(loadLibc().errno())}`,
      );
    return uid[0] ?? 0;
  } finally {
    closeSync(fd);
  }
}

/**
 * Gives the free pages of the C library's heap back to the kernel (malloc_trim(3) with no
 * padding). True when some were given back; false when none were, or where the C library
 * has no such call.
 */
export function mallocTrim(): boolean {
  const trim = loadLibc().mallocTrim;
  return trim !== undefined && trim(0) === 1;
}

/** The file descriptor under a connected net.Socket (Node keeps it on the socket's handle). */
function socketFd(socket: Socket): number {
  const handle: unknown = (socket as unknown as { _handle?: unknown })._handle;
  const fd =
    typeof handle === 'object' && handle !== null && 'fd' in handle ? handle.fd : undefined;
  if (typeof fd !== 'number' || fd < 0) throw new Error('the socket has no file descriptor');
  return fd;
}
