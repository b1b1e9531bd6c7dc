import {
  type ProcessHandle,
  type ProcessIdentity,
  type ProcessTable,
  ProcessTableError,
} from '@attestor/ports';

/** A process of the fake table: what procfs would say about it. */
export interface FakeProcess {
  readonly pid: number;
  readonly startTime: bigint;
  readonly pidNamespace: bigint;
  readonly cgroup: string;
  readonly uid: number;
  /** The owner of its user namespace when it is not the host's; its uid otherwise. */
  readonly ownerUid?: number;
}

/**
 * An in-memory process table. Processes can be removed or replaced mid-test to simulate exits
 * and PID reuse; a handle, like a real one, keeps denoting the process object it was opened on,
 * so it fails to confirm once that object is gone from the table.
 */
export class FakeProcessTable implements ProcessTable {
  readonly #processes = new Map<number, FakeProcess>();
  #openHandles = 0;

  set(process: FakeProcess): this {
    this.#processes.set(process.pid, process);
    return this;
  }

  remove(pid: number): this {
    this.#processes.delete(pid);
    return this;
  }

  /** Handles opened and not yet closed: a test can check that none leaks. */
  get openHandles(): number {
    return this.#openHandles;
  }

  open(pid: number): ProcessHandle {
    const process = this.#get(pid);
    this.#openHandles++;
    let open = true;
    return {
      pid,
      startTime: process.startTime,
      confirm: () => {
        if (this.#processes.get(pid) !== process)
          throw new ProcessTableError('not_found', `process ${String(pid)} does not exist`);
      },
      close: () => {
        if (open) this.#openHandles--;
        open = false;
      },
    };
  }

  cgroup(pid: number): string {
    return this.#get(pid).cgroup;
  }

  uid(pid: number): number {
    return this.#get(pid).uid;
  }

  ownerUid(pid: number): number {
    const process = this.#get(pid);
    return process.ownerUid ?? process.uid;
  }

  startTime(pid: number): bigint {
    return this.#get(pid).startTime;
  }

  pidNamespace(pid: number): bigint {
    return this.#get(pid).pidNamespace;
  }

  identify(pid: number): ProcessIdentity {
    const { startTime, pidNamespace, cgroup } = this.#get(pid);
    return { startTime, pidNamespace, cgroup };
  }

  #get(pid: number): FakeProcess {
    const process = this.#processes.get(pid);
    if (process === undefined)
      throw new ProcessTableError('not_found', `process ${String(pid)} does not exist`);
    return process;
  }
}
