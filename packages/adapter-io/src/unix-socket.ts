import { chmod, lstat, unlink } from 'node:fs/promises';
import { connect, type Server } from 'node:net';

/**
 * Makes `server` listen on a unix socket at `path` with file mode `mode`. A socket file left
 * by an earlier run that nothing serves any more is removed first; anything else at the path
 * (a regular file, a directory, a symlink, a live socket) is refused, since it is not ours to
 * delete. `what` names the socket in errors (`apiSocketPath`). The parent directory must exist.
 *
 * The socket file is created by listen() with the process umask. A umask of 0177 while it is
 * created makes it owner-only from its first instant; chmod then applies `mode`. No other file
 * is created while the umask is narrowed.
 */
export async function listenOnUnixSocket(
  server: Server,
  path: string,
  mode: number,
  what: string,
): Promise<void> {
  await removeStaleSocket(path, what);
  const previousUmask = process.umask(0o177);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(path, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } finally {
    process.umask(previousUmask);
  }
  await chmod(path, mode);
}

async function removeStaleSocket(path: string, what: string): Promise<void> {
  let isSocket: boolean;
  try {
    isSocket = (await lstat(path)).isSocket();
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return;
    throw error;
  }
  if (!isSocket)
    throw new Error(`${what} ${path} exists and is not a socket; remove it or choose another path`);
  const alive = await new Promise<boolean>((resolve) => {
    const socket = connect(path);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => {
      resolve(false);
    });
  });
  if (alive) throw new Error(`another process is serving ${path}; is an agent already running?`);
  await unlink(path).catch((error: unknown) => {
    if (errorCode(error) !== 'ENOENT') throw error;
  });
}

function errorCode(error: unknown): unknown {
  return error instanceof Error && 'code' in error ? error.code : undefined;
}
