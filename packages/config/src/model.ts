/** Sigstore image-signature verification settings (`spec.docker.sigstore`). */
export interface SigstoreConfig {
  readonly enabled: boolean;
  /** OIDC issuer pattern -> subject patterns, in file order. */
  readonly allowedIdentities: ReadonlyMap<string, readonly string[]>;
  readonly rekorURL: string;
  readonly skipProvenance: boolean;
  readonly skipTransparencyLog: boolean;
  /** Addition: a trusted_root.json to verify against instead of the public Sigstore root. */
  readonly trustedRootPath?: string;
  /** Addition: the TUF repository the trusted root is fetched from when no trustedRootPath is set. */
  readonly tufMirrorURL: string;
  /** Addition: the initial root.json of that TUF repository (the public one is built in). */
  readonly tufRootPath?: string;
  /** Addition: where TUF metadata and the fetched trusted root are cached. */
  readonly tufCachePath: string;
  /** Addition: per-registry transport settings, keyed by `host[:port]`. */
  readonly registries: ReadonlyMap<string, RegistrySettings>;
  /** Addition: the Docker/Podman config.json that registry credentials are read from. */
  readonly dockerConfigPath?: string;
  /** Addition: the deadline of one image verification, in milliseconds. */
  readonly verificationTimeoutMs: number;
}

/** How to reach one registry. */
export interface RegistrySettings {
  /** Plain HTTP instead of HTTPS. Only for registries listed here as insecure. */
  readonly insecure: boolean;
  /** Extra CA certificates (PEM) trusted for this registry, besides the system CAs. */
  readonly caFile?: string;
}

export const DEFAULT_VERIFICATION_TIMEOUT_MS = 10_000;
export const DEFAULT_TUF_MIRROR_URL = 'https://tuf-repo-cdn.sigstore.dev';
export const DEFAULT_TUF_CACHE_PATH = '/var/lib/attestor/tuf';

/** `spec.docker` of the WorkloadAttestation section. */
export interface DockerAttestationConfig {
  readonly enabled: boolean;
  readonly dockerSocketPath: string;
  readonly podmanSocketPath: string;
  readonly podmanSocketPathTemplate: string;
  readonly includeEnvVars: readonly string[];
  /**
   * Addition to the specification: whether rootless Podman sockets may be asked. A rootless
   * socket is served by its user, who could answer anything; operators who do not want
   * user-controlled runtimes to vouch for workloads turn this off.
   */
  readonly rootlessPodmanDiscovery: boolean;
  /**
   * Addition to the specification: whether containers that share the host's pid namespace
   * (`--pid=host`, or `--pid=container:` of such a container) are attested. Off by default:
   * such a container has no pid namespace of its own to tie a process to, so only its cgroups
   * do.
   */
  readonly attestHostPidContainers: boolean;
  /**
   * Addition: the deadline of one whole attestation, in milliseconds: every runtime call (each
   * also bounded on its own, body included) and the image verification.
   */
  readonly attestationTimeoutMs: number;
  /** Absent when the sigstore block is absent. */
  readonly sigstore?: SigstoreConfig;
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** The agent's own settings (section `Agent`, an addition to the specification). */
export interface AgentConfig {
  /** Unix socket of the agent's local HTTP API. */
  readonly apiSocketPath: string;
  /** File mode of that socket. */
  readonly apiSocketMode: number;
  readonly logLevel: LogLevel;
  /**
   * `host:port` of an optional plain-HTTP listener that serves only /metrics, for Prometheus
   * (which cannot scrape a unix socket). Off when absent.
   */
  readonly metricsListenAddress?: { readonly host: string; readonly port: number };
}

/** One entry of an identity's `match`: an attribute and the identity glob its value must match. */
export interface IdentityMatch {
  /** The canonical attribute name (label keys as `labelAttributeName` writes them). */
  readonly attribute: string;
  readonly pattern: string;
}

/** The X.509 subject fields an identity may set; each value is a template. */
export interface X509SubjectTemplates {
  readonly country?: string;
  readonly organization?: string;
  readonly organizationalUnit?: string;
  readonly commonName?: string;
}

/** One identity of the `WorkloadIdentity` section: who gets it, and what it says. */
export interface IdentityConfig {
  readonly name: string;
  /** Every entry must hold. Empty: every rootful attested container. */
  readonly match: readonly IdentityMatch[];
  /**
   * Whether a workload that a rootless Podman socket vouched for may get this identity: only
   * when `match` names `docker.runtime` with a pattern that matches `podman-rootless` (or, for
   * the older single-template form, when `allowRootlessRuntimes` is on).
   */
  readonly admitsRootless: boolean;
  /** The SPIFFE ID path template, already checked to parse and to make a valid path. */
  readonly pathTemplate: string;
  readonly x509Subject: X509SubjectTemplates;
  /** Custom JWT claims, name -> template; never a registered claim. */
  readonly jwtClaims: Readonly<Record<string, string>>;
}

/** An intermediate CA an operator's root issued to this host (`spec.authority`). */
export interface UpstreamAuthorityConfig {
  readonly certificateFile: string;
  readonly keyFile: string;
  readonly bundleFile: string;
  readonly jwtKeyFile?: string;
}

/** How SPIFFE identities are built and served (section `WorkloadIdentity`). */
export interface WorkloadIdentityConfig {
  readonly trustDomain: string;
  /** The Workload API socket; its directory is the one to mount into containers. */
  readonly workloadApiSocketPath: string;
  /** Where the agent keeps its CA and JWT key (0700). */
  readonly stateDirectory: string;
  readonly x509SvidTtlMs: number;
  readonly jwtSvidTtlMs: number;
  /** In file order: the first that holds is a workload's first SVID. */
  readonly identities: readonly IdentityConfig[];
  /** Absent: the agent's own CA in the state directory. */
  readonly authority?: UpstreamAuthorityConfig;
}

export const DEFAULT_WORKLOAD_IDENTITY = {
  workloadApiSocketPath: '/run/attestor/workload/api.sock',
  stateDirectory: '/var/lib/attestor',
  x509SvidTtlMs: 60 * 60 * 1000,
  jwtSvidTtlMs: 5 * 60 * 1000,
} as const;

export interface AttestorConfig {
  readonly docker: DockerAttestationConfig;
  readonly agent: AgentConfig;
  readonly workloadIdentity?: WorkloadIdentityConfig;
}

export const DEFAULT_REKOR_URL = 'https://rekor.sigstore.dev';

export const DEFAULT_DOCKER_CONFIG: DockerAttestationConfig = {
  enabled: false,
  dockerSocketPath: 'unix:///var/run/docker.sock',
  podmanSocketPath: 'unix:///run/podman/podman.sock',
  podmanSocketPathTemplate: 'unix:///run/user/%d/podman/podman.sock',
  includeEnvVars: [],
  rootlessPodmanDiscovery: true,
  attestHostPidContainers: false,
  attestationTimeoutMs: 15_000,
};

export const DEFAULT_AGENT_CONFIG: AgentConfig = {
  apiSocketPath: '/run/attestor/agent.sock',
  apiSocketMode: 0o600,
  logLevel: 'info',
};

export const DEFAULT_CONFIG: AttestorConfig = {
  docker: DEFAULT_DOCKER_CONFIG,
  agent: DEFAULT_AGENT_CONFIG,
};
