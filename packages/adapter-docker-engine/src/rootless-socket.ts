import { lstatSync, type Stats } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { dirname } from 'node:path';

import { peerCredentials } from '@attestor/adapter-io';
import { ContainerRuntimeError } from '@attestor/ports';
import type { buildConnector } from 'undici';

/** Mode bits that let users other than the owner create or replace entries in a directory. */
const WRITABLE_BY_OTHERS = 0o022;

/**
 * Why the socket at `socketPath` cannot be trusted to be `ownerUid`'s, or undefined when it
 * can. Nothing is followed: the socket must itself be a socket (not a symlink to someone
 * else's) owned by `ownerUid`, in a directory (not a symlink) owned by `ownerUid` that no
 * other user can write to, so that no one else can have put it there.
 */
function rootlessSocketProblem(socketPath: string, ownerUid: number): string | undefined {
  const socket = lstatOrUndefined(socketPath);
  if (socket === undefined) return undefined; // connecting says it is missing, as for any socket
  if (socket.isSymbolicLink()) return 'is a symbolic link';
  if (!socket.isSocket()) return 'is not a socket';
  if (socket.uid !== ownerUid) return `is owned by uid ${String(socket.uid)}`;
  const directory = lstatOrUndefined(dirname(socketPath));
  if (directory === undefined) return 'has no directory';
  if (directory.isSymbolicLink()) return 'is in a directory that is a symbolic link';
  if (!directory.isDirectory()) return 'is in something that is not a directory';
  if (directory.uid !== ownerUid) return `is in a directory owned by uid ${String(directory.uid)}`;
  if ((directory.mode & WRITABLE_BY_OTHERS) !== 0)
    return `is in a directory other users can write to (mode 0${(directory.mode & 0o777).toString(8)})`;
  return undefined;
}

/**
 * An undici connector for the socket of rootless Podman user `ownerUid`. Before every
 * connection it checks the path (rootlessSocketProblem); after connecting, it checks who
 * serves it (SO_PEERCRED): `ownerUid` or root, and no one else. The second check closes the
 * race in which the path is swapped between the first and the connect.
 */
export function rootlessConnector(socketPath: string, ownerUid: number): buildConnector.connector {
  const untrusted = (reason: string): ContainerRuntimeError =>
    new ContainerRuntimeError(
      'untrusted_socket',
      socketPath,
      `the rootless Podman socket ${socketPath} of uid ${String(ownerUid)} ${reason}; it is not asked`,
    );
  return (_options, callback) => {
    const problem = rootlessSocketProblem(socketPath, ownerUid);
    if (problem !== undefined) {
      callback(untrusted(problem), null);
      return;
    }
    const socket: Socket = connect(socketPath);
    const onError = (error: Error): void => {
      callback(error, null);
    };
    socket.once('error', onError);
    socket.once('connect', () => {
      socket.off('error', onError);
      let peerUid: number;
      try {
        peerUid = peerCredentials(socket).uid;
      } catch (error) {
        socket.destroy();
        callback(untrusted(`gives no peer credentials (${String(error)})`), null);
        return;
      }
      if (peerUid !== ownerUid && peerUid !== 0) {
        socket.destroy();
        callback(untrusted(`is served by uid ${String(peerUid)}`), null);
        return;
      }
      callback(null, socket);
    });
  };
}

function lstatOrUndefined(path: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch {
    return undefined;
  }
}
