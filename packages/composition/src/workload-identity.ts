import { LocalAuthority } from '@attestor/adapter-local-authority';
import type { WorkloadIdentityConfig } from '@attestor/config';
import type { Logger } from '@attestor/ports';
import { WorkloadApiServer } from '@attestor/workload-api';
import { IdentityPolicy } from '@attestor/workload-attestor';
import { type Attestor, WorkloadIdentityService } from '@attestor/workload-identity';

/** The Workload API of one agent: its authority, the use case and the gRPC server. */
export interface WorkloadIdentityHandle {
  readonly config: WorkloadIdentityConfig;
  start(): Promise<void>;
  /**
   * A reload: new identities and TTLs apply at once (open streams are sent what they now
   * give). The trust domain, socket and state directory stay as started; a change of them is
   * returned, for the agent to say it takes a restart.
   */
  update(config: WorkloadIdentityConfig): readonly RestartField[];
  stop(): Promise<void>;
}

export type WorkloadIdentityFactory = (
  config: WorkloadIdentityConfig,
  attestor: Attestor,
) => Promise<WorkloadIdentityHandle>;

/** How often the agent's own CA is checked for rotation (a year-long CA: ample). */
const ROTATION_CHECK_MS = 10 * 60 * 1000;

const RESTART_FIELDS = [
  'trustDomain',
  'workloadApiSocketPath',
  'stateDirectory',
  'authority',
] as const;

/** The fields of the section that a running Workload API keeps until a restart. */
type RestartField = (typeof RESTART_FIELDS)[number];

/**
 * Builds the Workload API for a `WorkloadIdentity` section: opens (or makes) the local
 * authority in the state directory, and serves the use case on the section's socket. That the
 * agent runs in the host pid namespace is checked once, at its start (missingPrivileges).
 */
export async function createWorkloadIdentity(
  config: WorkloadIdentityConfig,
  attestor: Attestor,
  logger: Logger,
): Promise<WorkloadIdentityHandle> {
  const authority = await LocalAuthority.open(
    config.stateDirectory,
    config.trustDomain,
    config.authority,
  );
  const service = new WorkloadIdentityService(
    attestor,
    authority,
    settingsOf(config),
    logger.child({ component: 'workload-identity' }),
  );
  const server = new WorkloadApiServer(service, logger.child({ component: 'workload-api' }), {
    socketPath: config.workloadApiSocketPath,
  });
  const log = logger.child({ component: 'workload-identity' });
  const rotate = async (): Promise<void> => {
    try {
      if (await authority.rotate()) {
        log.info('the CA or the JWT key rotated: bundles and SVIDs are sent again');
        service.changed();
      }
    } catch (error) {
      log.error('rotation failed; the CA and JWT key in force keep signing', {
        reason: error instanceof Error ? error.message : String(error),
      });
    }
  };
  let rotation: NodeJS.Timeout | undefined;
  return {
    config,
    start: async () => {
      await rotate();
      await server.start();
      rotation = setInterval(() => void rotate(), ROTATION_CHECK_MS);
      rotation.unref();
    },
    update: (next) => {
      service.update(settingsOf(next));
      return RESTART_FIELDS.filter(
        (field) => JSON.stringify(next[field]) !== JSON.stringify(config[field]),
      );
    },
    stop: () => {
      clearInterval(rotation);
      return server.stop();
    },
  };
}

function settingsOf(config: WorkloadIdentityConfig) {
  return {
    policy: new IdentityPolicy(config),
    x509SvidTtlMs: config.x509SvidTtlMs,
    jwtSvidTtlMs: config.jwtSvidTtlMs,
  };
}
