import {
  classifyTransportFailure,
  type Deadline,
  JsonShape,
  readBoundedBody,
  trustBundle,
  withDeadline,
} from '@attestor/adapter-io';
import { type Clock, RemoteServiceError } from '@attestor/ports';
import { TtlCache } from '@attestor/ttl-cache';
import { Agent, type Dispatcher } from 'undici';

import { digestOf, isDigest, verifyDigest } from './digest.js';
import type { RegistryCredentials } from './docker-config.js';
import { parseAuthenticateHeader } from './www-authenticate.js';

/** How to reach one registry. */
export interface RegistryTransport {
  /** Plain HTTP. Only for registries the configuration lists as insecure. */
  readonly insecure: boolean;
  /** Extra CA certificates (PEM) trusted for this registry, besides the system and Node CAs. */
  readonly caPem?: string;
}

/** Authorization headers kept: one per (registry, repository) the host's images come from. */
const MAX_AUTHORIZATIONS = 1024;

export interface OciRegistryOptions {
  /** Times the bearer tokens' lifetimes (the monotonic reading). */
  readonly clock: Clock;
  /** Per `host[:port]`; registries not listed use HTTPS with the system CAs. */
  readonly transports?: ReadonlyMap<string, RegistryTransport>;
  /** Per `host[:port]`, from a Docker or Podman config.json. */
  readonly credentials?: ReadonlyMap<string, RegistryCredentials>;
  readonly timeoutMs?: number;
  readonly maxManifestBytes?: number;
  readonly maxBlobBytes?: number;
  readonly maxReferrers?: number;
}

/** An OCI content descriptor. */
export interface Descriptor {
  readonly mediaType: string;
  readonly digest: string;
  readonly size: number;
  readonly artifactType?: string;
  readonly annotations?: Readonly<Record<string, string>>;
}

export interface FetchedManifest {
  /** The digest of the bytes received, checked against the reference when it is a digest. */
  readonly digest: string;
  readonly mediaType: string;
  readonly bytes: Uint8Array;
  readonly json: Readonly<Record<string, unknown>>;
}

const MANIFEST_TYPES = [
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
].join(', ');
const INDEX_TYPE = 'application/vnd.oci.image.index.v1+json';
const MAX_REDIRECTS = 3;
const MAX_TOKEN_BYTES = 64 * 1024;
const REPOSITORY =
  /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;

interface Received {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: Uint8Array;
}

function header(headers: Received['headers'], name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * An OCI distribution client for reading what signatures need: manifests, blobs and
 * referrers. Everything fetched is untrusted: manifests fetched by digest and every blob are
 * checked against their digest, every response is size-limited, redirects to another host
 * drop credentials, and plain HTTP is used only for registries configured as insecure.
 * Errors are RemoteServiceErrors naming the registry.
 */
export class OciRegistryClient {
  readonly #options: Required<Omit<OciRegistryOptions, 'clock' | 'transports' | 'credentials'>>;
  readonly #transports: ReadonlyMap<string, RegistryTransport>;
  readonly #credentials: ReadonlyMap<string, RegistryCredentials>;
  readonly #agents = new Map<string, Agent>();
  /** Authorization header per (registry, repository), for as long as its token lives. */
  readonly #authorizations: TtlCache<string>;

  constructor(options: OciRegistryOptions) {
    this.#authorizations = new TtlCache(options.clock, {
      ttlMs: Number.POSITIVE_INFINITY,
      maxEntries: MAX_AUTHORIZATIONS,
    });
    this.#transports = options.transports ?? new Map();
    this.#credentials = options.credentials ?? new Map();
    this.#options = {
      timeoutMs: options.timeoutMs ?? 10_000,
      maxManifestBytes: options.maxManifestBytes ?? 4 * 1024 * 1024,
      maxBlobBytes: options.maxBlobBytes ?? 32 * 1024 * 1024,
      maxReferrers: options.maxReferrers ?? 1024,
    };
  }

  /** The manifest (or index) at a tag or digest; undefined when the registry has none. */
  async getManifest(
    registry: string,
    repository: string,
    reference: string,
    signal?: AbortSignal,
  ): Promise<FetchedManifest | undefined> {
    checkRepository(repository);
    if (!isDigest(reference) && !TAG.test(reference))
      throw new RangeError(`not a tag or digest: ${JSON.stringify(reference)}`);
    const received = await this.#get(
      registry,
      repository,
      `/v2/${repository}/manifests/${reference}`,
      MANIFEST_TYPES,
      this.#options.maxManifestBytes,
      signal,
    );
    if (received.status === 404) return undefined;
    this.#expectOk(registry, received, `manifest ${repository}:${reference}`);
    const computed = digestOf(received.body);
    if (isDigest(reference) && !verifyDigest(received.body, reference)) {
      throw this.#error(
        'bad_response',
        registry,
        `manifest ${repository}@${reference}: the content does not match its digest`,
      );
    }
    const declared = header(received.headers, 'docker-content-digest');
    if (declared !== undefined && declared.startsWith('sha256:') && declared !== computed) {
      throw this.#error(
        'bad_response',
        registry,
        `manifest ${repository}:${reference}: Docker-Content-Digest ${declared} does not match the content (${computed})`,
      );
    }
    const json = parseJsonObject(received.body);
    if (json === undefined)
      throw this.#error(
        'bad_response',
        registry,
        `manifest ${repository}:${reference} is not a JSON object`,
      );
    const what = `manifest ${repository}:${reference}`;
    const shape = new JsonShape((field, expected) =>
      this.#error('bad_response', registry, `${what}: ${field} is not ${expected}`),
    );
    // A manifest names its own type; the Content-Type header stands in only where it does not.
    const mediaType =
      json['mediaType'] === undefined
        ? (header(received.headers, 'content-type') ?? '')
        : shape.string(json['mediaType'], 'mediaType');
    return {
      digest: isDigest(reference) ? reference : computed,
      mediaType,
      bytes: received.body,
      json,
    };
  }

  /** A blob, checked against its digest; undefined when the registry has none. */
  async getBlob(
    registry: string,
    repository: string,
    digest: string,
    signal?: AbortSignal,
  ): Promise<Uint8Array | undefined> {
    checkRepository(repository);
    if (!isDigest(digest)) throw new RangeError(`not a digest: ${JSON.stringify(digest)}`);
    const received = await this.#get(
      registry,
      repository,
      `/v2/${repository}/blobs/${digest}`,
      '*/*',
      this.#options.maxBlobBytes,
      signal,
    );
    if (received.status === 404) return undefined;
    this.#expectOk(registry, received, `blob ${repository}@${digest}`);
    if (!verifyDigest(received.body, digest)) {
      throw this.#error(
        'bad_response',
        registry,
        `blob ${repository}@${digest}: the content does not match its digest`,
      );
    }
    return received.body;
  }

  /**
   * The referrers of a manifest: the OCI referrers API, or, where the registry lacks it (404),
   * the referrers tag `sha256-<hex>` that clients maintain instead. Bounded in count.
   */
  async getReferrers(
    registry: string,
    repository: string,
    digest: string,
    signal?: AbortSignal,
  ): Promise<Descriptor[]> {
    checkRepository(repository);
    if (!digest.startsWith('sha256:') || !isDigest(digest))
      throw new RangeError(`not a sha256 digest: ${JSON.stringify(digest)}`);
    const received = await this.#get(
      registry,
      repository,
      `/v2/${repository}/referrers/${digest}`,
      INDEX_TYPE,
      this.#options.maxManifestBytes,
      signal,
    );
    let index: Readonly<Record<string, unknown>> | undefined;
    if (
      received.status === 200 &&
      (header(received.headers, 'content-type') ?? '').startsWith(INDEX_TYPE)
    ) {
      index = parseJsonObject(received.body);
      if (index === undefined)
        throw this.#error(
          'bad_response',
          registry,
          `referrers of ${repository}@${digest}: not a JSON object`,
        );
    } else if (received.status === 404 || received.status === 200) {
      const fallback = await this.getManifest(
        registry,
        repository,
        digest.replace(':', '-'),
        signal,
      );
      index = fallback?.json;
    } else {
      this.#expectOk(registry, received, `referrers of ${repository}@${digest}`);
    }
    if (index === undefined) return [];
    return this.#descriptors(registry, index['manifests'], `referrers of ${repository}@${digest}`);
  }

  async close(): Promise<void> {
    const agents = [...this.#agents.values()];
    this.#agents.clear();
    await Promise.allSettled(agents.map((agent) => agent.close()));
  }

  #descriptors(registry: string, value: unknown, what: string): Descriptor[] {
    if (value === undefined) return [];
    const shape = new JsonShape((field, expected) =>
      this.#error('bad_response', registry, `${what}: ${field} is not ${expected}`),
    );
    const entries = shape.list(value, 'manifests');
    if (entries.length > this.#options.maxReferrers) {
      throw this.#error(
        'too_large',
        registry,
        `${what}: more than ${String(this.#options.maxReferrers)} entries`,
      );
    }
    return entries.map((entry, index) => {
      const field = `entry ${String(index)}`;
      const record = shape.record(entry, field);
      const mediaType = shape.string(record['mediaType'], `${field}.mediaType`);
      const digest = shape.string(record['digest'], `${field}.digest`);
      if (!isDigest(digest)) throw shape.error(`${field}.digest`, 'a digest');
      const size = shape.integer(record['size'], `${field}.size`, 'a size in bytes');
      const { artifactType } = record;
      // Annotations are optional metadata: a malformed set is dropped, not fatal.
      let annotations: Record<string, string> | undefined;
      try {
        annotations =
          record['annotations'] === undefined
            ? undefined
            : shape.stringMap(record['annotations'], `${field}.annotations`);
      } catch {
        annotations = undefined;
      }
      return {
        mediaType,
        digest,
        size,
        ...(typeof artifactType === 'string' ? { artifactType } : {}),
        ...(annotations === undefined ? {} : { annotations }),
      };
    });
  }

  #expectOk(registry: string, received: Received, what: string): void {
    if (received.status === 401 || received.status === 403) {
      throw this.#error(
        'bad_response',
        registry,
        `${what}: HTTP ${String(received.status)} (access denied; check the credentials in the Docker config)`,
      );
    }
    if (received.status !== 200)
      throw this.#error('bad_response', registry, `${what}: HTTP ${String(received.status)}`);
  }

  /** GET with the registry's authorization, answering one 401 challenge. */
  async #get(
    registry: string,
    repository: string,
    path: string,
    accept: string,
    maxBytes: number,
    signal: AbortSignal | undefined,
  ): Promise<Received> {
    const key = `${registry}/${repository}`;
    let authorization = this.#authorizations.get(key);
    const url = new URL(path, this.#baseUrl(registry));
    for (let attempt = 0; ; attempt++) {
      const received = await this.#send(registry, url, accept, authorization, maxBytes, signal);
      if (received.status !== 401 || attempt > 0) return received;
      const next = await this.#authorize(
        registry,
        repository,
        header(received.headers, 'www-authenticate'),
        signal,
      );
      if (next === undefined) return received;
      this.#authorizations.set(key, next.value, next.ttlMs);
      authorization = next.value;
    }
  }

  async #authorize(
    registry: string,
    repository: string,
    challengeHeader: string | undefined,
    signal: AbortSignal | undefined,
  ): Promise<{ value: string; ttlMs: number } | undefined> {
    const challenge = parseAuthenticateHeader(challengeHeader);
    const credentials = this.#credentials.get(registry);
    const basic =
      credentials === undefined
        ? undefined
        : `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`;
    if (challenge?.scheme === 'basic')
      return basic === undefined ? undefined : { value: basic, ttlMs: Number.POSITIVE_INFINITY };
    if (challenge?.scheme !== 'bearer') return undefined;
    const realm = challenge.parameters['realm'];
    if (realm === undefined || !URL.canParse(realm))
      throw this.#error('bad_response', registry, 'bearer challenge without a valid realm');
    const tokenUrl = new URL(realm);
    const sameHostPlain =
      tokenUrl.protocol === 'http:' &&
      this.#transport(registry).insecure &&
      tokenUrl.host === registry;
    if (tokenUrl.protocol !== 'https:' && !sameHostPlain) {
      throw this.#error(
        'bad_response',
        registry,
        `refusing a token realm over plain HTTP: ${tokenUrl.origin}`,
      );
    }
    if (challenge.parameters['service'] !== undefined)
      tokenUrl.searchParams.set('service', challenge.parameters['service']);
    tokenUrl.searchParams.set('scope', `repository:${repository}:pull`);
    const received = await this.#send(
      tokenUrl.host,
      tokenUrl,
      'application/json',
      basic,
      MAX_TOKEN_BYTES,
      signal,
    );
    if (received.status !== 200)
      throw this.#error(
        'bad_response',
        registry,
        `token endpoint ${tokenUrl.origin}: HTTP ${String(received.status)}`,
      );
    const answer = `token endpoint ${tokenUrl.origin}`;
    const body = parseJsonObject(received.body);
    if (body === undefined)
      throw this.#error('bad_response', registry, `${answer}: the answer is not a JSON object`);
    const shape = new JsonShape((field, expected) =>
      this.#error('bad_response', registry, `${answer}: ${field} is not ${expected}`),
    );
    // Docker's token protocol says `token`; OAuth 2 clients read `access_token`.
    const field = body['token'] === undefined ? 'access_token' : 'token';
    const token = shape.string(body[field], field);
    if (token === '') throw shape.error(field, 'a non-empty string');
    // Absent (or 0) means the protocol's default of 60 seconds.
    const expiresIn =
      (body['expires_in'] === undefined
        ? 0
        : shape.integer(body['expires_in'], 'expires_in', 'a whole number of seconds')) || 60;
    // Renewed 5 s early, so that a token is never sent as it expires.
    return { value: `Bearer ${token}`, ttlMs: Math.min(expiresIn, 3600) * 1000 - 5_000 };
  }

  /**
   * One GET, following up to three redirects; credentials are never sent to another host.
   * One deadline (timeoutMs) covers the whole exchange, every redirect and body byte included.
   */
  #send(
    registry: string,
    start: URL,
    accept: string,
    authorization: string | undefined,
    maxBytes: number,
    signal: AbortSignal | undefined,
  ): Promise<Received> {
    return withDeadline(this.#options.timeoutMs, signal, (deadline) =>
      this.#sendWithin(registry, start, accept, authorization, maxBytes, deadline),
    );
  }

  async #sendWithin(
    registry: string,
    start: URL,
    accept: string,
    authorization: string | undefined,
    maxBytes: number,
    deadline: Deadline,
  ): Promise<Received> {
    const { signal } = deadline;
    let url = start;
    for (let hop = 0; ; hop++) {
      const sameHost = url.host === start.host;
      const headers: Record<string, string> = { accept, 'user-agent': 'attestor' };
      if (authorization !== undefined && sameHost) headers['authorization'] = authorization;
      let response: Dispatcher.ResponseData;
      try {
        response = await this.#agent(sameHost ? registry : url.host).request({
          origin: url.origin,
          path: `${url.pathname}${url.search}`,
          method: 'GET',
          headers,
          signal,
        });
      } catch (error) {
        throw this.#transportError(registry, error, deadline);
      }
      const location = header(response.headers, 'location');
      if (response.statusCode >= 300 && response.statusCode < 400 && location !== undefined) {
        await response.body.dump();
        if (hop >= MAX_REDIRECTS)
          throw this.#error(
            'bad_response',
            registry,
            `more than ${String(MAX_REDIRECTS)} redirects`,
          );
        const next = new URL(location, url);
        if (
          next.protocol !== 'https:' &&
          !(
            next.protocol === 'http:' &&
            next.host === registry &&
            this.#transport(registry).insecure
          )
        ) {
          throw this.#error('bad_response', registry, `refusing a redirect to ${next.origin}`);
        }
        url = next;
        continue;
      }
      return {
        status: response.statusCode,
        headers: response.headers,
        body: await this.#read(registry, response, maxBytes, deadline),
      };
    }
  }

  async #read(
    registry: string,
    response: Dispatcher.ResponseData,
    maxBytes: number,
    deadline: Deadline,
  ): Promise<Uint8Array> {
    try {
      return await readBoundedBody(response.body, response.headers['content-length'], maxBytes);
    } catch (error) {
      throw this.#transportError(registry, error, deadline);
    }
  }

  #transport(registry: string): RegistryTransport {
    return this.#transports.get(registry) ?? { insecure: false };
  }

  #baseUrl(registry: string): string {
    return `${this.#transport(registry).insecure ? 'http' : 'https'}://${registry}`;
  }

  #agent(host: string): Agent {
    let agent = this.#agents.get(host);
    if (agent === undefined) {
      const extra = this.#transports.get(host)?.caPem;
      agent = new Agent({
        connect: {
          ca: trustBundle(extra),
          timeout: this.#options.timeoutMs,
        },
        headersTimeout: this.#options.timeoutMs,
        bodyTimeout: this.#options.timeoutMs,
      });
      this.#agents.set(host, agent);
    }
    return agent;
  }

  #transportError(registry: string, error: unknown, deadline: Deadline): RemoteServiceError {
    const { kind, reason } = classifyTransportFailure(error, deadline.signal);
    switch (kind) {
      case 'timeout':
        return this.#error(
          'timeout',
          registry,
          deadline.callerAborted
            ? 'the verification deadline passed'
            : `no answer within ${String(this.#options.timeoutMs)} ms`,
          error,
        );
      case 'cancelled':
        return this.#error('cancelled', registry, 'the request was cancelled', error);
      case 'too_large':
        return this.#error('too_large', registry, reason, error);
      case 'unreachable':
      case 'other':
        return this.#error('network_error', registry, reason, error);
    }
  }

  #error(
    code: RemoteServiceError['code'],
    registry: string,
    message: string,
    cause?: unknown,
  ): RemoteServiceError {
    return new RemoteServiceError(
      code,
      `registry ${registry}`,
      `registry ${registry}: ${message}`,
      cause === undefined ? undefined : { cause },
    );
  }
}

function checkRepository(repository: string): void {
  if (repository.length > 255 || !REPOSITORY.test(repository))
    throw new RangeError(`not a repository name: ${JSON.stringify(repository)}`);
}

function parseJsonObject(bytes: Uint8Array): Readonly<Record<string, unknown>> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(bytes).toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
