import { readlinkSync } from 'node:fs';

import { ProcFileReader } from '@attestor/adapter-io';

/**
 * The link of the kernel's initial pid namespace: its inode is a constant of the kernel
 * (PROC_PID_INIT_INO, 0xEFFFFFFC, since Linux 3.8).
 */
const INITIAL_PID_NAMESPACE = 'pid:[4026531836]';

/**
 * Throws unless this process is in the initial (host) pid namespace. Peer credentials and
 * /proc name other processes by their PIDs in the reader's namespace, so an agent in a child
 * namespace would see none of its callers (the kernel gives PID 0 for a process it cannot
 * name) or, worse, other PIDs than the host's.
 *
 * Two signs, since either alone can miss: `NSpid` in /proc/self/status lists the PID in each
 * pid namespace from the one /proc was mounted in down, so more than one entry means a child
 * namespace; but a container mounts its own /proc, where `NSpid` has one entry all the same.
 * The namespace's own link, /proc/self/ns/pid, names the initial namespace only there.
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
  let link: string;
  try {
    link = readlinkSync(`${procRoot}/self/ns/pid`);
  } catch {
    // Not a /proc that has namespace links (Linux before 3.8): nothing is claimed.
    return;
  }
  if (link !== INITIAL_PID_NAMESPACE)
    throw new Error(
      `the agent must run in the host pid namespace (docker run --pid=host, or hostPID: true in Kubernetes); it runs in ${link}, not the initial ${INITIAL_PID_NAMESPACE}`,
    );
}

/** A privilege the agent lacks: which, what breaks without it, and how to grant it. */
export interface MissingPrivilege {
  readonly privilege: string;
  readonly consequence: string;
  /** Without it nothing can be attested truthfully: the agent must not start. */
  readonly fatal: boolean;
}

const CAP_DAC_OVERRIDE = 1n;
const CAP_SYS_PTRACE = 19n;

/**
 * What the agent needs of the kernel and lacks, read from /proc/self/status: the host pid
 * namespace, CAP_SYS_PTRACE (the pid namespace link of a process of another user is
 * readable only with it), and CAP_DAC_OVERRIDE (other users' rootless Podman sockets, in their
 * 0700 /run/user/<uid>). Empty when it has them all.
 */
export function missingPrivileges(procRoot = '/proc'): MissingPrivilege[] {
  const missing: MissingPrivilege[] = [];
  try {
    requireHostPidNamespace(procRoot);
  } catch (error) {
    missing.push({
      privilege: 'the host pid namespace',
      consequence: error instanceof Error ? error.message : String(error),
      fatal: true,
    });
  }
  const status = new ProcFileReader(64 * 1024).read(`${procRoot}/self/status`);
  const effective = /^CapEff:\s*([0-9a-f]+)$/m.exec(status)?.[1];
  // Without the line (not Linux's /proc) nothing is known, and nothing is claimed.
  if (effective === undefined) return missing;
  const capabilities = BigInt(`0x${effective}`);
  const has = (bit: bigint) => (capabilities >> bit) & 1n;
  if (has(CAP_SYS_PTRACE) === 0n)
    missing.push({
      privilege: 'CAP_SYS_PTRACE',
      consequence:
        "without it the kernel hides the pid namespace of other users' processes, and every workload not running as the agent's uid would be refused (docker run --cap-add SYS_PTRACE; under systemd, CapabilityBoundingSet must keep it)",
      fatal: true,
    });
  if (has(CAP_DAC_OVERRIDE) === 0n)
    missing.push({
      privilege: 'CAP_DAC_OVERRIDE',
      consequence:
        "without it other users' rootless Podman sockets, in their 0700 /run/user/<uid>, cannot be reached, and their containers are not attested",
      fatal: false,
    });
  return missing;
}
