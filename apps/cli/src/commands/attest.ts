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

import { ExitCode } from '../exit-codes.js';
import { type CommandOutput, UsageError } from '../io.js';
import { type CommandConfigLoader, configForCommand } from './command-config.js';

const EXIT_BY_CODE: Readonly<Record<AttestationErrorCode, ExitCode>> = {
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

/**
 * `attestor attest --pid N [--config F] [--output json|text] [--identity]`: attests one process
 * in this process, with the same use case and adapters as the agent. With `--identity`, prints
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
    pid?: string | undefined;
    config?: string | undefined;
    output?: string | undefined;
    identity?: boolean | undefined;
  }): Promise<ExitCode> {
    if (options.pid === undefined) throw new UsageError('attest needs --pid N');
    if (!/^[1-9]\d{0,9}$/.test(options.pid))
      throw new UsageError(`--pid must be a positive integer, got ${JSON.stringify(options.pid)}`);
    const format = options.output ?? 'json';
    if (format !== 'json' && format !== 'text')
      throw new UsageError(`--output must be json or text, got ${JSON.stringify(format)}`);

    const config = await configForCommand(this.loadConfig, this.output, options.config);
    if (typeof config === 'number') return config;
    if (options.identity === true && config.workloadIdentity === undefined) {
      this.output.stderr(
        'attestor attest: --identity needs a configuration with a WorkloadIdentity section\n',
      );
      return ExitCode.invalid;
    }
    const attestor = this.createAttestor(config);
    try {
      const attestation = await attestor.attest(Number(options.pid));
      if (options.identity === true && config.workloadIdentity !== undefined)
        return this.#identity(config.workloadIdentity, attestation, format);
      const json = attestationToJson(attestation);
      if (format === 'json') {
        this.output.stdout(`${JSON.stringify(json, null, 2)}\n`);
      } else {
        const header =
          json.runtime === undefined
            ? `pid ${String(json.pid)}: not in a container`
            : `pid ${String(json.pid)}: container ${json.containerId ?? ''} (${json.runtime.kind} at ${json.runtime.socket})`;
        const lines = Object.entries(json.attributes).map(([name, value]) => `${name} = ${value}`);
        this.output.stdout(`${[header, ...lines].join('\n')}\n`);
      }
      return ExitCode.ok;
    } catch (error) {
      if (!AttestationError.is(error)) throw error;
      this.output.stderr(`attestor attest: ${error.code}: ${error.message}\n`);
      return EXIT_BY_CODE[error.code];
    }
  }

  #identity(
    identity: WorkloadIdentityConfig,
    attestation: Attestation,
    format: 'json' | 'text',
  ): ExitCode {
    let spiffeId: string;
    try {
      spiffeId = spiffeIdOf(identity, attestation);
    } catch (error) {
      if (!(AttributeError.is(error) || IdentityError.is(error))) throw error;
      this.output.stderr(`attestor attest: ${error.code}: ${error.message}\n`);
      return ExitCode.refused;
    }
    this.output.stdout(
      format === 'json'
        ? `${JSON.stringify(identityToJson(attestation, spiffeId), null, 2)}\n`
        : `${spiffeId}\n`,
    );
    return ExitCode.ok;
  }
}
