import { CgroupError, containerIdFromCgroup } from '@attestor/cgroup';
import { type ProcessTable, ProcessTableError } from '@attestor/ports';

import { ExitCode } from '../exit-codes.js';
import { type CommandOutput, UsageError } from '../io.js';

export type TextFileReader = (path: string) => Promise<string>;

/**
 * `attestor locate (--pid N | --cgroup-file F)`: where the cgroup says a process runs. Prints
 * `{"containerId": ..., "runtime": ..., "rootlessUid": ...}` (fields only when known), or
 * `{"containerId": null}` for a process outside any container. Asks no runtime.
 */
export class LocateCommand {
  constructor(
    private readonly processTable: ProcessTable,
    private readonly readTextFile: TextFileReader,
    private readonly output: CommandOutput,
  ) {}

  async run(options: {
    pid?: string | undefined;
    cgroupFile?: string | undefined;
  }): Promise<ExitCode> {
    if ((options.pid === undefined) === (options.cgroupFile === undefined)) {
      throw new UsageError('locate needs exactly one of --pid N or --cgroup-file FILE');
    }
    let text: string;
    try {
      if (options.pid !== undefined) {
        if (!/^[1-9]\d{0,9}$/.test(options.pid))
          throw new UsageError(
            `--pid must be a positive integer, got ${JSON.stringify(options.pid)}`,
          );
        text = this.processTable.cgroup(Number(options.pid));
      } else {
        text = await this.readTextFile(options.cgroupFile ?? '');
      }
    } catch (error) {
      if (error instanceof UsageError) throw error;
      this.output.stderr(
        `attestor locate: ${ProcessTableError.is(error) || error instanceof Error ? error.message : String(error)}\n`,
      );
      return ExitCode.unavailable;
    }
    try {
      const location = containerIdFromCgroup(text);
      const result =
        location.kind === 'not_in_container'
          ? { containerId: null }
          : {
              containerId: location.containerId,
              runtime: location.runtime,
              ...(location.rootlessUid === undefined ? {} : { rootlessUid: location.rootlessUid }),
            };
      this.output.stdout(`${JSON.stringify(result)}\n`);
      return ExitCode.ok;
    } catch (error) {
      if (!CgroupError.is(error)) throw error;
      this.output.stderr(`attestor locate: ${error.message}\n`);
      return ExitCode.invalid;
    }
  }
}
