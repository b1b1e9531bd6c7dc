import { ProcessTableError, type ProcessHandle, type ProcessTable } from '@attestor/ports';

/** A process of the fake table: what procfs would say about it. */
export interface FakeProcess {
  readonly pid: number;
  readonly startTime: bigint;
  readonly pidNamespace: bigint;
  readonly cgroup: string;
  readonly uid: number;
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

  open(pid: number): Promise<ProcessHandle> {
    try {
      const process = this.#get(pid);
      this.#openHandles++;
      let open = true;
      const handle: ProcessHandle = {
        pid,
        startTime: process.startTime,
        confirm: () =>
          this.#processes.get(pid) === process
            ? Promise.resolve()
            : Promise.reject(
                new ProcessTableError('not_found', `process ${String(pid)} does not exist`),
              ),
        close: () => {
          if (open) this.#openHandles--;
          open = false;
        },
      };
      return Promise.resolve(handle);
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }

  cgroup(pid: number): Promise<string> {
    return this.#answer(pid, (process) => process.cgroup);
  }

  uid(pid: number): Promise<number> {
    return this.#answer(pid, (process) => process.uid);
  }

  startTime(pid: number): Promise<bigint> {
    return this.#answer(pid, (process) => process.startTime);
  }

  pidNamespace(pid: number): Promise<bigint> {
    return this.#answer(pid, (process) => process.pidNamespace);
  }

  #answer<T>(pid: number, fact: (process: FakeProcess) => T): Promise<T> {
    try {
      return Promise.resolve(fact(this.#get(pid)));
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }

  #get(pid: number): FakeProcess {
    const process = this.#processes.get(pid);
    if (process === undefined)
      throw new ProcessTableError('not_found', `process ${String(pid)} does not exist`);
    return process;
  }
}
