import { AttributeError } from '@attestor/attributes';
import type { AttestorConfig, WorkloadIdentityConfig } from '@attestor/config';
import {
  type Attestation,
  AttestationError,
  type AttestationErrorCode,
  attestationToJson,
  IdentityError,
  identityToJson,
  spiffeIdOf,
  type WorkloadAttestor,
} from '@attestor/workload-attestor';

import type { OutputFormat } from '../command-line.js';
import { ExitCode } from '../exit-codes.js';
import { CommandFailure, type CommandOutput } from '../io.js';
import { type CommandConfigLoader, configForCommand, pidOf } from './command-config.js';

/** The exit code of each attestation refusal: a fact about the process, or a failure to read it. */
export const EXIT_BY_CODE: Readonly<Record<AttestationErrorCode, ExitCode>> = {
  attestation_disabled: ExitCode.unavailable,
  process_not_found: ExitCode.unavailable,
  runtime_unavailable: ExitCode.unavailable,
  deadline_exceeded: ExitCode.unavailable,
  cancelled: ExitCode.unavailable,
  permission_denied: ExitCode.unavailable,
  malformed_process_data: ExitCode.invalid,
  process_changed: ExitCode.refused,
  container_unknown: ExitCode.refused,
  container_not_running: ExitCode.refused,
  pid_namespace_mismatch: ExitCode.refused,
  cgroup_mismatch: ExitCode.refused,
  untrusted_cgroup: ExitCode.refused,
  host_pid_namespace_refused: ExitCode.refused,
};

/** An attestation as text: the container, then one `name = value` line per attribute. */
export function attestationText(json: ReturnType<typeof attestationToJson>): string {
  const header =
    json.runtime === undefined
      ? `pid ${String(json.pid)}: not in a container`
      : `pid ${String(json.pid)}: container ${json.containerId ?? ''} (${json.runtime.kind} at ${json.runtime.socket})`;
  const lines = Object.entries(json.attributes).map(([name, value]) => `${name} = ${value}`);
  return `${[header, ...lines].join('\n')}\n`;
}

/**
 * `attestor attest --pid N [-c FILE] [-o json|text] [--identity]`: attests one process in
 * this process, with the same use case and adapters as the agent. With `--identity`, prints
 * the SPIFFE ID the `WorkloadIdentity` section builds from the attributes instead, as the
 * agent's /v1/identity does; a template that references an attribute the workload lacks is
 * refused (exit 4), while the attestation itself stays fail-open.
 */
export class AttestCommand {
  constructor(
    private readonly loadConfig: CommandConfigLoader,
    private readonly createAttestor: (config: AttestorConfig) => WorkloadAttestor,
    private readonly output: CommandOutput,
  ) {}

  async run(options: {
    pid: string | undefined;
    config: string | undefined;
    identity: boolean;
    format: OutputFormat;
  }): Promise<ExitCode> {
    const pid = pidOf(options.pid, 'attest');
    const config = await configForCommand(this.loadConfig, options.config);
    if (options.identity && config.workloadIdentity === undefined) {
      throw new CommandFailure(
        ExitCode.invalid,
        'no_workload_identity',
        '--identity needs a configuration with a WorkloadIdentity section',
      );
    }
    const attestor = this.createAttestor(config);
    let attestation: Attestation;
    try {
      attestation = await attestor.attest(pid);
    } catch (error) {
      if (!AttestationError.is(error)) throw error;
      throw new CommandFailure(EXIT_BY_CODE[error.code], error.code, error.message);
    }
    if (options.identity && config.workloadIdentity !== undefined)
      return this.#identity(config.workloadIdentity, attestation, options.format);
    const json = attestationToJson(attestation);
    this.output.stdout(
      options.format === 'json' ? `${JSON.stringify(json, null, 2)}\n` : attestationText(json),
    );
    return ExitCode.ok;
  }

  #identity(
    identity: WorkloadIdentityConfig,
    attestation: Attestation,
    format: OutputFormat,
  ): ExitCode {
    let spiffeId: string;
    try {
      spiffeId = spiffeIdOf(identity, attestation);
    } catch (error) {
      if (!(AttributeError.is(error) || IdentityError.is(error))) throw error;
      throw new CommandFailure(ExitCode.refused, error.code, error.message);
    }
    this.output.stdout(
      format === 'json'
        ? `${JSON.stringify(identityToJson(attestation, spiffeId), null, 2)}\n`
        : `${spiffeId}\n`,
    );
    return ExitCode.ok;
  }
}
