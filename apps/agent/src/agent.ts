import { AttributeError } from '@attestor/attributes';
import type {
  SignatureVerificationFactory,
  SignatureVerificationHandle,
  WorkloadIdentityFactory,
  WorkloadIdentityHandle,
} from '@attestor/composition';
import type { AttestorConfig, LogLevel } from '@attestor/config';
import {
  type AttestationMetrics,
  type Clock,
  type ContainerRuntime,
  ContainerRuntimeError,
  type Logger,
  type RuntimeKind,
} from '@attestor/ports';
import { socketPathFromUrl } from '@attestor/runtime-resolver';
import {
  type Attestation,
  AttestationError,
  attestationErrorToJson,
  attestationToJson,
  IdentityError,
  identityToJson,
  spiffeIdOf,
  type WorkloadAttestor,
} from '@attestor/workload-attestor';

import type { LocalApiServer } from './api-server.js';
import type { AgentConfigLoader, LoadedConfig } from './config-loader.js';
import { ATTESTATION_ERROR_STATUS } from './http-status.js';
import { MetricsHttpServer } from './metrics-server.js';
import type { RouteResult } from './route-table.js';

/** Builds the API server once the configuration (which names its socket) is known. */
export type ApiServerFactory = (loaded: LoadedConfig) => LocalApiServer;

/** Something that notices configuration changes and calls back; started after the agent. */
export interface ConfigChangeSource {
  start(): Promise<void>;
  stop(): void;
}

export interface AgentDependencies {
  readonly configLoader: AgentConfigLoader;
  readonly attestor: WorkloadAttestor;
  readonly createApiServer: ApiServerFactory;
  /** `onChange` gets the SHA-256 (hex) of the file's new content. */
  readonly createConfigWatcher: (onChange: (sha256: string) => Promise<void>) => ConfigChangeSource;
  readonly metricsText: () => Promise<{ contentType: string; text: string }>;
  /** Counts each reload, applied or rejected. */
  readonly metrics: Pick<AttestationMetrics, 'configurationReload'>;
  readonly clock: Clock;
  /** Asked by /readyz whether each rootful runtime socket answers now. */
  readonly runtime: Pick<ContainerRuntime, 'ping'>;
  /**
   * Builds the image signature verification for a sigstore block (reading its trusted root
   * and registry credentials); undefined when verification is off. Throws when a file it
   * names cannot be read, which makes the configuration unusable.
   */
  readonly createSignatureVerification: SignatureVerificationFactory;
  /** Builds the Workload API for a WorkloadIdentity section (its authority, its server). */
  readonly createWorkloadIdentity?: WorkloadIdentityFactory;
  /** Applies Agent.spec.logLevel of each configuration applied (a flag may override it). */
  readonly applyLogLevel?: (level: LogLevel) => void;
  readonly logger: Logger;
}

const PID = /^[1-9]\d{0,9}$/;
/** How long /readyz waits for each runtime socket's answer. */
const READINESS_PING_MS = 1_000;

/**
 * The agent daemon: loads its configuration, serves the local API (attest, health, metrics),
 * reloads its configuration when the file changes or on SIGHUP (an invalid new file keeps the
 * last good configuration), and stops cleanly.
 */
export class Agent {
  #server: LocalApiServer | undefined;
  #watcher: ConfigChangeSource | undefined;
  #metricsServer: MetricsHttpServer | undefined;
  #workloadApi: WorkloadIdentityHandle | undefined;
  #signatures: SignatureVerificationHandle | undefined;
  #reloading: Promise<void> = Promise.resolve();
  /** Verification handles of earlier configurations, still draining their connections. */
  readonly #retiring = new Set<Promise<void>>();
  #current: LoadedConfig | undefined;
  /** Aborts every attestation in flight when the agent stops. */
  readonly #stopping = new AbortController();

  constructor(private readonly deps: AgentDependencies) {}

  get configuration(): LoadedConfig | undefined {
    return this.#current;
  }

  /** Starts the agent; returns false (having logged why) when it cannot run. */
  async start(): Promise<boolean> {
    const loaded = await this.deps.configLoader.load();
    if (loaded === undefined) {
      this.deps.logger.error('no valid configuration; not starting');
      return false;
    }
    try {
      await this.#apply(loaded);
    } catch (error) {
      this.deps.logger.error('cannot apply the configuration', {
        reason: error instanceof Error ? error.message : String(error),
      });
      return false;
    }
    const server = this.deps.createApiServer(loaded);
    server
      .route('GET', '/healthz', () => Promise.resolve({ status: 200, body: { status: 'ok' } }))
      .route('GET', '/readyz', () => this.#readiness())
      .route('GET', '/metrics', async () => ({ status: 200, ...(await this.deps.metricsText()) }))
      .route('GET', '/v1/attest', (_request, url, callerGone) => this.#attest(url, callerGone))
      .route('GET', '/v1/identity', (_request, url, callerGone) => this.#identity(url, callerGone));
    await server.start();
    this.#server = server;
    if (!(await this.#startWorkloadIdentity(loaded))) {
      await server.stop();
      this.#server = undefined;
      return false;
    }
    const { metricsListenAddress } = loaded.config.agent;
    if (metricsListenAddress !== undefined) {
      this.#metricsServer = new MetricsHttpServer(
        metricsListenAddress,
        this.deps.metricsText,
        () => this.#publicReadiness(),
        this.deps.logger,
      );
      await this.#metricsServer.start();
    }
    this.#watcher = this.deps.createConfigWatcher((sha256) =>
      // A change that a SIGHUP reload has applied already is not applied a second time.
      this.#current?.origin.kind === 'file' && this.#current.origin.sha256 === sha256
        ? Promise.resolve()
        : this.reload(),
    );
    await this.#watcher.start();
    this.deps.logger.info('agent started');
    return true;
  }

  /**
   * Reloads the configuration; on any error keeps the last good one (errors are logged).
   * Reloads run one at a time, in the order asked: a reload that read the file earlier can
   * never be applied after one that read it later (a SIGHUP and a file change close together).
   */
  reload(): Promise<void> {
    const next = this.#reloading.then(() => this.#reloadOnce());
    // A failed reload (already logged) must not stop the ones after it.
    this.#reloading = next.catch(() => undefined);
    return next;
  }

  /** Reloads rejected since start, and the last one, as /readyz reports them. */
  #rejectedReloads = 0;
  #lastRejectedReload: { readonly at: string; readonly reason: string } | undefined;

  #rejected(reason: string): void {
    this.#rejectedReloads++;
    this.#lastRejectedReload = { at: new Date(this.deps.clock.now()).toISOString(), reason };
    this.deps.metrics.configurationReload('rejected');
  }

  async #reloadOnce(): Promise<void> {
    const loaded = await this.deps.configLoader.load('reload');
    if (loaded === undefined) {
      this.deps.logger.warn('configuration reload rejected; keeping the last good configuration');
      this.#rejected('the new configuration could not be read or is invalid (see the log)');
      return;
    }
    const previous = this.#current?.config;
    if (
      previous !== undefined &&
      previous.agent.apiSocketPath !== loaded.config.agent.apiSocketPath
    ) {
      this.deps.logger.warn('apiSocketPath changes take effect after a restart', {
        current: previous.agent.apiSocketPath,
        configured: loaded.config.agent.apiSocketPath,
      });
    }
    try {
      await this.#apply(loaded);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      this.deps.logger.error('configuration reload rejected; keeping the last good configuration', {
        reason,
      });
      this.#rejected(reason);
      return;
    }
    this.#updateWorkloadIdentity(loaded);
    this.deps.metrics.configurationReload('applied');
    this.deps.logger.info('configuration reloaded');
  }

  /** Starts the Workload API when the configuration has a WorkloadIdentity section. */
  async #startWorkloadIdentity(loaded: LoadedConfig): Promise<boolean> {
    const section = loaded.config.workloadIdentity;
    if (section === undefined) return true;
    if (this.deps.createWorkloadIdentity === undefined) {
      this.deps.logger.error('this agent cannot serve the Workload API');
      return false;
    }
    try {
      const identity = await this.deps.createWorkloadIdentity(section, this.deps.attestor);
      await identity.start();
      this.#workloadApi = identity;
      return true;
    } catch (error) {
      this.deps.logger.error('cannot start the Workload API', {
        reason: error instanceof Error ? error.message : String(error),
      });
      return false;
    }
  }

  /**
   * Applies a reload's identities and TTLs to the running Workload API. Its trust domain,
   * socket and state directory stay as they started; a section that is added or removed
   * takes a restart too (until then, a removed one issues nothing).
   */
  #updateWorkloadIdentity(loaded: LoadedConfig): void {
    const section = loaded.config.workloadIdentity;
    const identity = this.#workloadApi;
    if (identity === undefined) {
      if (section !== undefined)
        this.deps.logger.warn('the WorkloadIdentity section takes effect after a restart');
      return;
    }
    if (section === undefined) {
      this.deps.logger.warn(
        'the WorkloadIdentity section was removed: no identity is issued until a restart stops the Workload API',
      );
      identity.update({ ...identity.config, identities: [] });
      return;
    }
    for (const field of identity.update(section))
      this.deps.logger.warn(`WorkloadIdentity ${field} changes take effect after a restart`, {
        current: JSON.stringify(identity.config[field] ?? null),
        configured: JSON.stringify(section[field] ?? null),
      });
  }

  /**
   * Stops the agent: no new request is accepted, every attestation in flight is aborted (its
   * runtime calls and image verification stop at once), the listeners close their
   * connections. The adapters' pools are closed by the container that made them.
   */
  async stop(): Promise<void> {
    this.deps.logger.info('agent stopping');
    this.#watcher?.stop();
    this.#stopping.abort();
    await this.#workloadApi?.stop();
    this.#workloadApi = undefined;
    await this.#metricsServer?.stop();
    await this.#server?.stop();
    this.#server = undefined;
    await this.#signatures?.close();
    this.#signatures = undefined;
    await Promise.allSettled([...this.#retiring]);
    this.deps.logger.info('agent stopped');
  }

  /** Builds what the configuration needs, then swaps it in; on failure nothing changes. */
  async #apply(loaded: LoadedConfig): Promise<void> {
    const signatures = await this.deps.createSignatureVerification(loaded.config.docker.sigstore);
    try {
      this.deps.attestor.configure(loaded.config.docker, signatures?.verification);
    } catch (error) {
      // The attestor kept the configuration in force; so does the agent.
      if (signatures !== undefined) this.#retire(signatures);
      throw error;
    }
    const previous = this.#signatures;
    this.#current = loaded;
    this.#signatures = signatures;
    this.deps.applyLogLevel?.(loaded.config.agent.logLevel);
    this.deps.logger.info('configuration applied', summarize(loaded));
    // The previous handle closes in the background: its connections drain as the verifications
    // still using them end (each within its deadline). Waiting here would hold up this reload,
    // and every later one, behind a stalled registry.
    if (previous !== undefined) this.#retire(previous);
  }

  #retire(handle: SignatureVerificationHandle): void {
    const closing = handle
      .close()
      .catch((error: unknown) => {
        this.deps.logger.warn('closing the previous signature verification failed', {
          reason: error instanceof Error ? error.message : String(error),
        });
      })
      .finally(() => this.#retiring.delete(closing));
    this.#retiring.add(closing);
  }

  /** Readiness for the TCP listener: the verdict and the count, nothing about the files. */
  #publicReadiness(): RouteResult {
    const body = {
      status: this.#current === undefined ? 'not ready' : 'ready',
      reloads: { rejected: this.#rejectedReloads },
    };
    return { status: this.#current === undefined ? 503 : 200, body };
  }

  /**
   * Ready once a configuration is applied. Each rootful runtime socket is asked now and
   * reported as it answers, without deciding readiness: Podman may simply not be installed,
   * and a Docker that is down fails attestations with `runtime_unavailable` either way.
   * Rootless sockets are found per user when a workload names one, and are not listed.
   */
  async #readiness(): Promise<RouteResult> {
    const reloads = {
      rejected: this.#rejectedReloads,
      ...(this.#lastRejectedReload === undefined ? {} : { lastRejected: this.#lastRejectedReload }),
    };
    const current = this.#current;
    if (current === undefined) return { status: 503, body: { status: 'not ready', reloads } };
    const { docker } = current.config;
    const sockets: [RuntimeKind, string][] = docker.enabled
      ? [
          ['docker', socketPathFromUrl(docker.dockerSocketPath)],
          ['podman', socketPathFromUrl(docker.podmanSocketPath)],
        ]
      : [];
    const runtimes = await Promise.all(
      sockets.map(async ([kind, socketPath]) => {
        try {
          const apiVersion = await this.deps.runtime.ping(
            { kind, socketPath },
            AbortSignal.timeout(READINESS_PING_MS),
          );
          return { kind, socket: socketPath, state: 'up', apiVersion };
        } catch (error) {
          if (!ContainerRuntimeError.is(error)) throw error;
          return { kind, socket: socketPath, state: 'down', reason: error.code };
        }
      }),
    );
    const sigstore =
      this.#signatures === undefined
        ? { enabled: false }
        : { enabled: true, trustedRoot: this.#signatures.trustedRoot() };
    return {
      status: 200,
      body: { status: 'ready', config: current.origin, reloads, runtimes, sigstore },
    };
  }

  async #attest(url: URL, callerGone: AbortSignal): Promise<RouteResult> {
    const outcome = await this.#attestation(url, callerGone);
    return 'status' in outcome
      ? outcome
      : { status: 200, body: attestationToJson(outcome.attestation) };
  }

  /**
   * The SPIFFE ID of the process under the `WorkloadIdentity` section. Attestation is the same
   * as /v1/attest (image verification fail-open included); building the ID is not fail-open: a
   * template that references an attribute the workload lacks is a missing_attribute error.
   */
  async #identity(url: URL, callerGone: AbortSignal): Promise<RouteResult> {
    const identity = this.#current?.config.workloadIdentity;
    if (identity === undefined) {
      return {
        status: 404,
        body: {
          error: {
            code: 'identity_not_configured',
            message: 'the configuration has no WorkloadIdentity section',
          },
        },
      };
    }
    const outcome = await this.#attestation(url, callerGone);
    if ('status' in outcome) return outcome;
    const { attestation } = outcome;
    try {
      return {
        status: 200,
        body: identityToJson(attestation, spiffeIdOf(identity, attestation)),
      };
    } catch (error) {
      if (IdentityError.is(error)) {
        this.deps.logger.warn('no SPIFFE ID for the workload', {
          pid: attestation.pid,
          code: error.code,
          reason: error.message,
        });
        return { status: 403, body: { error: { code: error.code, message: error.message } } };
      }
      if (!AttributeError.is(error)) throw error;
      // The error names the attribute or the path segment, never an attribute's value.
      this.deps.logger.warn('no SPIFFE ID for the workload', {
        pid: attestation.pid,
        code: error.code,
        reason: error.message,
      });
      return {
        status: 422,
        body: {
          error: {
            code: error.code,
            message: error.message,
            ...(error.attribute === undefined ? {} : { attribute: error.attribute }),
          },
        },
      };
    }
  }

  async #attestation(
    url: URL,
    callerGone: AbortSignal,
  ): Promise<{ readonly attestation: Attestation } | RouteResult> {
    const pid = url.searchParams.get('pid') ?? '';
    if (!PID.test(pid)) {
      return {
        status: 400,
        body: {
          error: {
            code: 'bad_request',
            message: `pid must be a positive integer, got ${JSON.stringify(pid.slice(0, 20))}`,
          },
        },
      };
    }
    try {
      // A client that hangs up, or the agent stopping, stops the attestation.
      const attestation = await this.deps.attestor.attest(
        Number(pid),
        AbortSignal.any([callerGone, this.#stopping.signal]),
      );
      // One line per answer: who was asked about, and what vouched. No attribute values (env
      // values may be secrets); their names at debug.
      this.deps.logger.info('attestation served', {
        pid: Number(pid),
        kind: attestation.kind,
        ...(attestation.kind === 'attested'
          ? {
              containerId: attestation.containerId,
              runtime: attestation.runtime.kind,
              socket: attestation.runtime.socketPath,
            }
          : {}),
      });
      this.deps.logger.debug('attested', {
        pid: Number(pid),
        attributes: attestation.attributes.names(),
      });
      return { attestation };
    } catch (error) {
      if (!AttestationError.is(error)) throw error;
      this.deps.logger.warn('attestation failed', {
        pid: Number(pid),
        code: error.code,
        reason: error.message,
      });
      return { status: ATTESTATION_ERROR_STATUS[error.code], body: attestationErrorToJson(error) };
    }
  }
}

function summarize({
  config,
  origin,
}: LoadedConfig): Record<string, string | boolean | readonly string[]> {
  const { docker }: AttestorConfig = config;
  return {
    config: origin.kind === 'file' ? origin.path : 'embedded default',
    ...(origin.kind === 'file' ? { configSha256: origin.sha256 } : {}),
    dockerEnabled: docker.enabled,
    dockerSocket: docker.dockerSocketPath,
    podmanSocket: docker.podmanSocketPath,
    podmanSocketTemplate: docker.podmanSocketPathTemplate,
    rootlessPodmanDiscovery: docker.rootlessPodmanDiscovery,
    attestHostPidContainers: docker.attestHostPidContainers,
    includeEnvVars: docker.includeEnvVars,
    sigstoreEnabled: docker.sigstore?.enabled ?? false,
  };
}
