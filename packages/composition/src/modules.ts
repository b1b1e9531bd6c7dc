import { DockerEngineContainerRuntime } from '@attestor/adapter-docker-engine';
import { SystemClock } from '@attestor/adapter-node-process';
import { CgroupfsCgroupTree, ProcfsProcessTable } from '@attestor/adapter-procfs';
import { PrometheusMetrics } from '@attestor/adapter-prometheus';
import type { DockerAttestationConfig, SigstoreConfig } from '@attestor/config';
import type {
  AttestationMetrics,
  CgroupTree,
  Clock,
  ContainerRuntime,
  Logger,
  ProcessTable,
} from '@attestor/ports';
import { WorkloadAttestor } from '@attestor/workload-attestor';
import { ContainerModule, type ServiceIdentifier } from 'inversify';
import { Registry } from 'prom-client';

import {
  createSignatureVerification,
  type SignatureVerificationHandle,
} from './signature-verification.js';
import { createWorkloadIdentity, type WorkloadIdentityFactory } from './workload-identity.js';

/** Builds the Sigstore verification a sigstore block asks for; undefined when it is off. */
export type SignatureVerificationFactory = (
  sigstore: SigstoreConfig | undefined,
) => Promise<SignatureVerificationHandle | undefined>;

/** A WorkloadAttestor over the bound ports, for one `spec.docker` configuration. */
export type WorkloadAttestorFactory = (config: DockerAttestationConfig) => WorkloadAttestor;

/**
 * The identifiers of what both apps bind: one per port (an interface has no runtime type to
 * bind by) and one per factory. Classes are bound by themselves (`Registry`,
 * `WorkloadAttestor`, the apps' own classes).
 */
export const Ports = {
  Clock: Symbol.for('attestor.Clock') as ServiceIdentifier<Clock>,
  Logger: Symbol.for('attestor.Logger') as ServiceIdentifier<Logger>,
  ProcessTable: Symbol.for('attestor.ProcessTable') as ServiceIdentifier<ProcessTable>,
  CgroupTree: Symbol.for('attestor.CgroupTree') as ServiceIdentifier<CgroupTree>,
  ContainerRuntime: Symbol.for('attestor.ContainerRuntime') as ServiceIdentifier<ContainerRuntime>,
  Metrics: Symbol.for('attestor.Metrics') as ServiceIdentifier<AttestationMetrics>,
} as const;

export const Factories = {
  SignatureVerification: Symbol.for(
    'attestor.SignatureVerificationFactory',
  ) as ServiceIdentifier<SignatureVerificationFactory>,
  WorkloadAttestor: Symbol.for(
    'attestor.WorkloadAttestorFactory',
  ) as ServiceIdentifier<WorkloadAttestorFactory>,
  WorkloadIdentity: Symbol.for(
    'attestor.WorkloadIdentityFactory',
  ) as ServiceIdentifier<WorkloadIdentityFactory>,
} as const;

/** The PID of the attesting process itself, whose pid namespace is taken as the host's. */
export const AgentPid = Symbol.for('attestor.AgentPid') as ServiceIdentifier<number>;

/** The host side of the hexagon: /proc, the cgroup filesystem, the system clock. */
const hostModule = new ContainerModule(({ bind }) => {
  bind(Ports.Clock).toResolvedValue(() => new SystemClock());
  bind(Ports.ProcessTable).toResolvedValue(() => new ProcfsProcessTable());
  bind(Ports.CgroupTree).toResolvedValue(() => new CgroupfsCgroupTree());
});

/**
 * The runtime side: one Docker Engine API client for Docker and both Podmans. Its connection
 * pools are closed when the container unbinds it, so that nothing keeps the process alive.
 */
const runtimeModule = new ContainerModule(({ bind }) => {
  bind(DockerEngineContainerRuntime)
    .toResolvedValue(() => new DockerEngineContainerRuntime())
    .onDeactivation((runtime) => runtime.close());
  bind(Ports.ContainerRuntime).toService(DockerEngineContainerRuntime);
});

/** The metrics side: the attestation metrics on a prom-client registry of their own. */
const metricsModule = new ContainerModule(({ bind }) => {
  bind(Registry).toResolvedValue(() => new Registry());
  bind(Ports.Metrics).toResolvedValue(
    (registry: Registry) => new PrometheusMetrics(registry, 'docker'),
    [Registry],
  );
});

/** The Sigstore side: verifications built per sigstore block (registry, Rekor, trusted root). */
const sigstoreModule = new ContainerModule(({ bind }) => {
  bind(Factories.SignatureVerification).toResolvedValue(
    (metrics: AttestationMetrics, clock: Clock, logger: Logger): SignatureVerificationFactory =>
      (sigstore) =>
        createSignatureVerification(sigstore, metrics, clock, logger),
    [Ports.Metrics, Ports.Clock, Ports.Logger],
  );
});

/** The identity side: the Workload API, its authority and use case, per WorkloadIdentity section. */
const identityModule = new ContainerModule(({ bind }) => {
  bind(Factories.WorkloadIdentity).toResolvedValue(
    (logger: Logger): WorkloadIdentityFactory =>
      (config, attestor) =>
        createWorkloadIdentity(config, attestor, logger),
    [Ports.Logger],
  );
});

/** The use case over the ports above; needs `Ports.Logger` and `AgentPid` bound by the app. */
const attestationModule = new ContainerModule(({ bind }) => {
  bind(Factories.WorkloadAttestor).toResolvedValue(
    (
      processTable: ProcessTable,
      cgroupTree: CgroupTree,
      runtime: ContainerRuntime,
      metrics: AttestationMetrics,
      clock: Clock,
      logger: Logger,
      agentPid: number,
    ): WorkloadAttestorFactory =>
      (config) =>
        new WorkloadAttestor(
          {
            processTable,
            cgroupTree,
            runtime,
            metrics,
            clock,
            logger: logger.child({ component: 'attestor' }),
            agentPid,
          },
          config,
        ),
    [
      Ports.ProcessTable,
      Ports.CgroupTree,
      Ports.ContainerRuntime,
      Ports.Metrics,
      Ports.Clock,
      Ports.Logger,
      AgentPid,
    ],
  );
});

/**
 * Every module above, for an app to load before its own: the app then binds `Ports.Logger`
 * and `AgentPid`, and what only it has.
 */
export const attestorModules: readonly ContainerModule[] = [
  hostModule,
  runtimeModule,
  metricsModule,
  sigstoreModule,
  attestationModule,
  identityModule,
];
