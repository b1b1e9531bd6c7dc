import { ProcessTableError, type ProcessSnapshot, type ProcessTable } from '@attestor/ports';

/** An in-memory process table. Processes can be replaced mid-test to simulate PID reuse. */
export class FakeProcessTable implements ProcessTable {
  readonly #processes = new Map<number, ProcessSnapshot>();

  set(snapshot: ProcessSnapshot): this {
    this.#processes.set(snapshot.pid, snapshot);
    return this;
  }

  remove(pid: number): this {
    this.#processes.delete(pid);
    return this;
  }

  snapshot(pid: number): Promise<ProcessSnapshot> {
    return Promise.resolve(this.#get(pid));
  }

  startTime(pid: number): Promise<bigint> {
    return Promise.resolve(this.#get(pid).startTime);
  }

  pidNamespace(pid: number): Promise<bigint> {
    return Promise.resolve(this.#get(pid).pidNamespace);
  }

  #get(pid: number): ProcessSnapshot {
    const snapshot = this.#processes.get(pid);
    if (snapshot === undefined)
      throw new ProcessTableError('not_found', `process ${String(pid)} does not exist`);
    return snapshot;
  }
}
