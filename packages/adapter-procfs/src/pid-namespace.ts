import { ProcFileReader } from '@attestor/adapter-io';

/**
 * Throws unless this process is in the initial (host) pid namespace. `NSpid` in
 * /proc/self/status lists the process's PID in each pid namespace it is in, outermost first:
 * one entry means the host's. Peer credentials and /proc name other processes by their PIDs
 * in the reader's namespace, so an agent in a child namespace would see none of its callers
 * (the kernel gives PID 0 for a process it cannot name) or, worse, other PIDs than the host's.
 */
export function requireHostPidNamespace(procRoot = '/proc'): void {
  const status = new ProcFileReader(64 * 1024).read(`${procRoot}/self/status`);
  const line = status.split('\n').find((candidate) => candidate.startsWith('NSpid:'));
  // Kernels before 4.1 have no NSpid line; they are long out of support and not refused.
  if (line === undefined) return;
  const levels = line.slice('NSpid:'.length).trim().split(/\s+/);
  if (levels.length > 1)
    throw new Error(
      `the agent must run in the host pid namespace (docker run --pid=host, or hostPID: true in Kubernetes); it runs in a child namespace where its PID is ${levels.at(-1) ?? '?'} (host PID ${levels[0] ?? '?'})`,
    );
}
