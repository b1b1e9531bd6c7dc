import { ProcessTableError, type ProcessSnapshot, type ProcessTable } from '@attestor/ports';

/** A process of the fake table: its snapshot and its uid. */
export type FakeProcess = ProcessSnapshot & { readonly uid: number };

/** An in-memory process table. Processes can be replaced mid-test to simulate PID reuse. */
export class FakeProcessTable implements ProcessTable {
  readonly #processes = new Map<number, FakeProcess>();

  set(process: FakeProcess): this {
    this.#processes.set(process.pid, process);
    return this;
  }

  remove(pid: number): this {
    this.#processes.delete(pid);
    return this;
  }

  snapshot(pid: number): Promise<ProcessSnapshot> {
    const process = this.#get(pid);
    return Promise.resolve({
      pid: process.pid,
      startTime: process.startTime,
      pidNamespace: process.pidNamespace,
      cgroup: process.cgroup,
    });
  }

  uid(pid: number): Promise<number> {
    return Promise.resolve(this.#get(pid).uid);
  }

  startTime(pid: number): Promise<bigint> {
    return Promise.resolve(this.#get(pid).startTime);
  }

  pidNamespace(pid: number): Promise<bigint> {
    return Promise.resolve(this.#get(pid).pidNamespace);
  }

  #get(pid: number): FakeProcess {
    const snapshot = this.#processes.get(pid);
    if (snapshot === undefined)
      throw new ProcessTableError('not_found', `process ${String(pid)} does not exist`);
    return snapshot;
  }
}
