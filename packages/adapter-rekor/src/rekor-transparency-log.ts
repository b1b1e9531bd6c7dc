import { classifyTransportFailure, readBoundedBody, trustBundle } from '@attestor/adapter-io';
import {
  RemoteServiceError,
  type TransparencyLog,
  type TransparencyLogEntry,
} from '@attestor/ports';
import { Agent } from 'undici';

export interface RekorOptions {
  readonly timeoutMs?: number;
  /** Extra CA certificates (PEM) trusted for this Rekor, besides the system and Node CAs. */
  readonly caPem?: string;
  /** At most this many entries are read for one artifact. */
  readonly maxEntries?: number;
}

const MAX_RESPONSE_BYTES = 4 * 1024 * 1024;
const HEX64 = /^[0-9a-f]{64}$/;

/**
 * The TransparencyLog port over the Rekor v1 API: the search index by artifact hash, then the
 * entries themselves. HTTPS only; responses are bounded in size and count and checked for
 * shape; errors are RemoteServiceErrors naming the Rekor URL.
 */
export class RekorTransparencyLog implements TransparencyLog {
  readonly #agent: Agent;
  readonly #service: string;

  constructor(
    private readonly baseUrl: string,
    private readonly options: RekorOptions = {},
  ) {
    if (!baseUrl.startsWith('https://'))
      throw new RangeError(`Rekor URL must be https: ${JSON.stringify(baseUrl)}`);
    this.#service = `rekor ${baseUrl}`;
    const timeout = options.timeoutMs ?? 10_000;
    this.#agent = new Agent({
      connect: {
        ca: trustBundle(options.caPem),
        timeout,
      },
      headersTimeout: timeout,
      bodyTimeout: timeout,
      maxResponseSize: MAX_RESPONSE_BYTES,
    });
  }

  async findEntriesForArtifact(
    sha256Hex: string,
    signal?: AbortSignal,
  ): Promise<readonly TransparencyLogEntry[]> {
    if (!HEX64.test(sha256Hex))
      throw new RangeError(`not a sha256 digest: ${JSON.stringify(sha256Hex)}`);
    const uuids = await this.#post(
      '/api/v1/index/retrieve',
      { hash: `sha256:${sha256Hex}` },
      signal,
    );
    if (!Array.isArray(uuids) || !uuids.every((uuid) => typeof uuid === 'string'))
      throw this.#error('bad_response', 'the index answer is not a list of entry UUIDs');
    const wanted = uuids.slice(0, this.options.maxEntries ?? 16);
    if (wanted.length === 0) return [];
    const entries = await this.#post(
      '/api/v1/log/entries/retrieve',
      { entryUUIDs: wanted },
      signal,
    );
    if (!Array.isArray(entries))
      throw this.#error('bad_response', 'the entries answer is not a list');
    return entries.flatMap((entry: unknown) =>
      Object.values(typeof entry === 'object' && entry !== null ? entry : {}).map(
        (value: unknown) => this.#entry(value),
      ),
    );
  }

  async close(): Promise<void> {
    await this.#agent.close();
  }

  #entry(value: unknown): TransparencyLogEntry {
    const record = (typeof value === 'object' && value !== null ? value : {}) as Record<
      string,
      unknown
    >;
    const verification = (
      typeof record['verification'] === 'object' && record['verification'] !== null
        ? record['verification']
        : {}
    ) as Record<string, unknown>;
    const { body, integratedTime, logID, logIndex } = record;
    const signedEntryTimestamp = verification['signedEntryTimestamp'];
    if (
      typeof body !== 'string' ||
      typeof integratedTime !== 'number' ||
      !Number.isSafeInteger(integratedTime) ||
      typeof logID !== 'string' ||
      !HEX64.test(logID) ||
      typeof logIndex !== 'number' ||
      !Number.isSafeInteger(logIndex) ||
      typeof signedEntryTimestamp !== 'string'
    ) {
      throw this.#error(
        'bad_response',
        'an entry is missing its body, time, log ID, index or signed entry timestamp',
      );
    }
    return {
      logId: logID,
      logIndex: BigInt(logIndex),
      integratedTime: BigInt(integratedTime),
      signedEntryTimestamp,
      bodyBase64: body,
    };
  }

  async #post(path: string, body: unknown, signal: AbortSignal | undefined): Promise<unknown> {
    const url = new URL(path, this.baseUrl);
    let response;
    try {
      response = await this.#agent.request({
        origin: url.origin,
        path: url.pathname,
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify(body),
        ...(signal === undefined ? {} : { signal }),
      });
    } catch (error) {
      throw this.#transportError(error, signal);
    }
    let text: string;
    try {
      text = (
        await readBoundedBody(response.body, response.headers['content-length'], MAX_RESPONSE_BYTES)
      ).toString('utf8');
    } catch (error) {
      throw this.#transportError(error, signal);
    }
    if (response.statusCode !== 200)
      throw this.#error('bad_response', `${path}: HTTP ${String(response.statusCode)}`);
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw this.#error('bad_response', `${path}: the answer is not JSON`);
    }
  }

  #transportError(error: unknown, signal: AbortSignal | undefined): RemoteServiceError {
    const { kind, reason } = classifyTransportFailure(error, signal);
    switch (kind) {
      case 'timeout':
        return this.#error(
          'timeout',
          signal?.aborted === true ? 'the verification deadline passed' : 'no answer in time',
          error,
        );
      case 'cancelled':
        return this.#error('cancelled', 'the request was cancelled', error);
      case 'too_large':
        return this.#error(
          'too_large',
          `an answer is over ${String(MAX_RESPONSE_BYTES)} bytes`,
          error,
        );
      case 'unreachable':
      case 'other':
        return this.#error('network_error', reason, error);
    }
  }

  #error(code: RemoteServiceError['code'], message: string, cause?: unknown): RemoteServiceError {
    return new RemoteServiceError(
      code,
      this.#service,
      `${this.#service}: ${message}`,
      cause === undefined ? undefined : { cause },
    );
  }
}
