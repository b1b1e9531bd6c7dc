import { type IncomingMessage, request } from 'node:http';

import { readBoundedBody, ResponseTooLargeError } from '@attestor/adapter-io';
import { DEFAULT_AGENT_CONFIG } from '@attestor/config';
import type { AttestationErrorCode } from '@attestor/workload-attestor';

import type { OutputFormat } from '../command-line.js';
import { ExitCode } from '../exit-codes.js';
import { CommandFailure, type CommandOutput, messageOf } from '../io.js';
import { attestationText, EXIT_BY_CODE } from './attest.js';
import { pidOf } from './command-config.js';

/** The agent's answers are small; a larger one is not the agent's. */
const MAX_ANSWER_BYTES = 1024 * 1024;
const TIMEOUT_MS = 10_000;

interface Answer {
  readonly status: number;
  readonly body: unknown;
}

/** One GET on the agent's local API socket, bounded in size and time. */
export type AgentApi = (socketPath: string, path: string) => Promise<Answer>;

const agentApi: AgentApi = async (socketPath, path) => {
  // One deadline over the whole exchange: the request's signal also stops the body.
  const response = await new Promise<IncomingMessage>((resolve, reject) => {
    const call = request(
      { socketPath, path, method: 'GET', signal: AbortSignal.timeout(TIMEOUT_MS) },
      resolve,
    );
    call.on('error', reject);
    call.end();
  });
  let text: string;
  try {
    text = (
      await readBoundedBody(response, response.headers['content-length'], MAX_ANSWER_BYTES)
    ).toString('utf8');
  } catch (error) {
    if (ResponseTooLargeError.is(error))
      throw new Error(`the answer is larger than ${String(MAX_ANSWER_BYTES)} bytes`, {
        cause: error,
      });
    throw error;
  }
  try {
    return { status: response.statusCode ?? 0, body: JSON.parse(text) as unknown };
  } catch {
    throw new Error(`${path}: the answer is not JSON (HTTP ${String(response.statusCode)})`);
  }
};

function errorOf(body: unknown): { code: string; message: string } | undefined {
  if (typeof body !== 'object' || body === null || !('error' in body)) return undefined;
  const error = body.error;
  if (typeof error !== 'object' || error === null) return undefined;
  const code = 'code' in error && typeof error.code === 'string' ? error.code : undefined;
  const message = 'message' in error && typeof error.message === 'string' ? error.message : '';
  return code === undefined ? undefined : { code, message };
}

/**
 * `attestor agent status|attest`: asks a running agent over its local API socket (root's, as
 * the agent makes it), in the manner of `spire-agent healthcheck` and `spire-agent api`.
 */
export class AgentCommand {
  constructor(
    private readonly output: CommandOutput,
    private readonly api: AgentApi = agentApi,
  ) {}

  /** `agent status [--socket S]`: health, readiness and the configuration in force. */
  async status(options: { socket: string | undefined; format: OutputFormat }): Promise<ExitCode> {
    const socket = options.socket ?? DEFAULT_AGENT_CONFIG.apiSocketPath;
    const health = await this.#get(socket, '/healthz');
    const readiness = await this.#get(socket, '/readyz');
    const ready = readiness.status === 200;
    if (options.format === 'json') {
      this.output.stdout(
        `${JSON.stringify({ socket, healthy: health.status === 200, ready, readiness: readiness.body }, null, 2)}\n`,
      );
    } else {
      const config =
        typeof readiness.body === 'object' && readiness.body !== null && 'config' in readiness.body
          ? ` (configuration ${JSON.stringify(readiness.body.config)})`
          : '';
      this.output.stdout(
        `${socket}: ${health.status === 200 ? 'healthy' : `unhealthy (HTTP ${String(health.status)})`}, ${ready ? 'ready' : 'not ready'}${config}\n`,
      );
    }
    return health.status === 200 && ready ? ExitCode.ok : ExitCode.unavailable;
  }

  /** `agent attest --pid N [--identity] [--socket S]`: the agent's /v1/attest (or /v1/identity). */
  async attest(options: {
    pid: string | undefined;
    identity: boolean;
    socket: string | undefined;
    format: OutputFormat;
  }): Promise<ExitCode> {
    const pid = pidOf(options.pid, 'agent attest');
    const socket = options.socket ?? DEFAULT_AGENT_CONFIG.apiSocketPath;
    const answer = await this.#get(
      socket,
      `/v1/${options.identity ? 'identity' : 'attest'}?pid=${String(pid)}`,
    );
    if (answer.status !== 200) {
      const error = errorOf(answer.body) ?? {
        code: 'unexpected_answer',
        message: `HTTP ${String(answer.status)}`,
      };
      const exitCode =
        error.code in EXIT_BY_CODE
          ? EXIT_BY_CODE[error.code as AttestationErrorCode]
          : answer.status === 403 || answer.status === 422
            ? ExitCode.refused
            : ExitCode.unavailable;
      throw new CommandFailure(exitCode, error.code, error.message);
    }
    if (options.format === 'json') this.output.stdout(`${JSON.stringify(answer.body, null, 2)}\n`);
    else if (options.identity)
      this.output.stdout(`${String((answer.body as { spiffeId?: unknown }).spiffeId)}\n`);
    else this.output.stdout(attestationText(answer.body as Parameters<typeof attestationText>[0]));
    return ExitCode.ok;
  }

  async #get(socket: string, path: string): Promise<Answer> {
    try {
      return await this.api(socket, path);
    } catch (error) {
      throw new CommandFailure(
        ExitCode.unavailable,
        'agent_unreachable',
        `${socket}: ${messageOf(error)}`,
      );
    }
  }
}
