import {
  classifyTransportFailure,
  type Deadline,
  JsonShape,
  readBoundedBody,
  trustBundle,
  withDeadline,
} from '@attestor/adapter-io';
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
  readonly #timeoutMs: number;

  constructor(
    private readonly baseUrl: string,
    private readonly options: RekorOptions = {},
  ) {
    if (!baseUrl.startsWith('https://'))
      throw new RangeError(`Rekor URL must be https: ${JSON.stringify(baseUrl)}`);
    this.#service = `rekor ${baseUrl}`;
    const timeout = options.timeoutMs ?? 10_000;
    this.#timeoutMs = timeout;
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
    const index = this.#shape('the index answer');
    const wanted = index
      .stringList(index.list(uuids, 'the answer'), 'the answer')
      .slice(0, this.options.maxEntries ?? 16);
    if (wanted.length === 0) return [];
    const entries = await this.#post(
      '/api/v1/log/entries/retrieve',
      { entryUUIDs: wanted },
      signal,
    );
    const shape = this.#shape('the entries answer');
    return shape
      .list(entries, 'the answer')
      .flatMap((entry, index) =>
        Object.entries(shape.record(entry, `entry ${String(index)}`)).map(([uuid, value]) =>
          this.#entry(shape, value, `entry ${String(index)} (${uuid.slice(0, 80)})`),
        ),
      );
  }

  async close(): Promise<void> {
    await this.#agent.close();
  }

  /** The checks of one answer: a field that is not what it must be is a bad response. */
  #shape(what: string): JsonShape {
    return new JsonShape((field, expected) =>
      this.#error('bad_response', `${what}: ${field} is not ${expected}`),
    );
  }

  #entry(shape: JsonShape, value: unknown, where: string): TransparencyLogEntry {
    const record = shape.record(value, where);
    const verification = shape.record(record['verification'], `${where}.verification`);
    const body = shape.string(record['body'], `${where}.body`);
    const integratedTime = shape.integer(record['integratedTime'], `${where}.integratedTime`);
    const logID = shape.string(record['logID'], `${where}.logID`);
    if (!HEX64.test(logID)) throw shape.error(`${where}.logID`, 'a 64-hex log ID');
    const logIndex = shape.integer(record['logIndex'], `${where}.logIndex`);
    const signedEntryTimestamp = shape.string(
      verification['signedEntryTimestamp'],
      `${where}.verification.signedEntryTimestamp`,
    );
    return {
      logId: logID,
      logIndex: BigInt(logIndex),
      integratedTime: BigInt(integratedTime),
      signedEntryTimestamp,
      bodyBase64: body,
    };
  }

  /** One POST. One deadline (timeoutMs) covers the whole exchange, every body byte included. */
  async #post(path: string, body: unknown, signal: AbortSignal | undefined): Promise<unknown> {
    const url = new URL(path, this.baseUrl);
    const { response, text } = await withDeadline(this.#timeoutMs, signal, async (deadline) => {
      let response;
      try {
        response = await this.#agent.request({
          origin: url.origin,
          path: url.pathname,
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/json' },
          body: JSON.stringify(body),
          signal: deadline.signal,
        });
      } catch (error) {
        throw this.#transportError(error, deadline);
      }
      try {
        const bytes = await readBoundedBody(
          response.body,
          response.headers['content-length'],
          MAX_RESPONSE_BYTES,
        );
        return { response, text: bytes.toString('utf8') };
      } catch (error) {
        throw this.#transportError(error, deadline);
      }
    });
    if (response.statusCode !== 200)
      throw this.#error('bad_response', `${path}: HTTP ${String(response.statusCode)}`);
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw this.#error('bad_response', `${path}: the answer is not JSON`);
    }
  }

  #transportError(error: unknown, deadline: Deadline): RemoteServiceError {
    const { kind, reason } = classifyTransportFailure(error, deadline.signal);
    switch (kind) {
      case 'timeout':
        return this.#error(
          'timeout',
          deadline.callerAborted
            ? 'the verification deadline passed'
            : `no answer within ${String(this.#timeoutMs)} ms`,
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
