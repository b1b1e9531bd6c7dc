import { CgroupError, containerIdFromCgroup } from '@attestor/cgroup';
import { ProcessTableError } from '@attestor/ports';

import type { OutputFormat } from '../command-line.js';
import { ExitCode } from '../exit-codes.js';
import { CommandFailure, type CommandOutput, messageOf, UsageError } from '../io.js';
import { pidOf } from './command-config.js';

export type TextFileReader = (path: string) => Promise<string>;

/** What `locate` needs of the process table: one process's cgroup text. */
export interface CgroupReader {
  cgroup(pid: number): string;
}

/**
 * `attestor locate (--pid N | --cgroup-file F) [-o json|text]`: where the cgroup says a
 * process runs. Prints `{"containerId": ..., "runtime": ..., "rootlessUid": ...}` (fields only
 * when known), or `{"containerId": null}` for a process outside any container. Asks no runtime.
 */
export class LocateCommand {
  constructor(
    private readonly processTable: CgroupReader,
    private readonly readTextFile: TextFileReader,
    private readonly output: CommandOutput,
  ) {}

  async run(options: {
    pid: string | undefined;
    cgroupFile: string | undefined;
    format: OutputFormat;
  }): Promise<ExitCode> {
    if ((options.pid === undefined) === (options.cgroupFile === undefined))
      throw new UsageError('locate needs exactly one of --pid N or --cgroup-file FILE');
    const pid = options.pid === undefined ? undefined : pidOf(options.pid, 'locate');
    let text: string;
    try {
      text =
        pid === undefined
          ? await this.readTextFile(options.cgroupFile ?? '')
          : this.processTable.cgroup(pid);
    } catch (error) {
      const code = ProcessTableError.is(error) ? `process_${error.code}` : 'unreadable';
      throw new CommandFailure(ExitCode.unavailable, code, messageOf(error));
    }
    let location;
    try {
      location = containerIdFromCgroup(text);
    } catch (error) {
      if (!CgroupError.is(error)) throw error;
      throw new CommandFailure(ExitCode.invalid, error.code, error.message);
    }
    const result =
      location.kind === 'not_in_container'
        ? { containerId: null }
        : {
            containerId: location.containerId,
            runtime: location.runtime,
            ...(location.rootlessUid === undefined ? {} : { rootlessUid: location.rootlessUid }),
          };
    if (options.format === 'json') this.output.stdout(`${JSON.stringify(result)}\n`);
    else if (result.containerId === null) this.output.stdout('not in a container\n');
    else
      this.output.stdout(
        `${result.containerId} (${result.runtime}${'rootlessUid' in result ? `, rootless uid ${String(result.rootlessUid)}` : ''})\n`,
      );
    return ExitCode.ok;
  }
}
