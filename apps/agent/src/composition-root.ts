import { DockerEngineContainerRuntime } from '@attestor/adapter-docker-engine';
import { JsonLinesLogger, SystemClock } from '@attestor/adapter-node-process';
import { CgroupfsCgroupTree, ProcfsProcessTable } from '@attestor/adapter-procfs';
import { PrometheusMetrics } from '@attestor/adapter-prometheus';
import {
  EMBEDDED_DEFAULT_CONFIG,
  loadConfigFile,
  loadYamlConfig,
} from '@attestor/adapter-yaml-config';
import { createSignatureVerification } from '@attestor/composition';
import { DEFAULT_CONFIG, type LogLevel } from '@attestor/config';
import type {
  AttestationMetrics,
  Clock,
  ContainerRuntime,
  Logger,
  ProcessTable,
} from '@attestor/ports';
import { WorkloadAttestor } from '@attestor/workload-attestor';
import { Container, type ServiceIdentifier } from 'inversify';
import { Registry } from 'prom-client';

import { Agent, type ApiServerFactory } from './agent.js';
import { LocalApiServer } from './api-server.js';
import { AgentConfigLoader } from './config-loader.js';
import { ConfigWatcher } from './config-watcher.js';

/** Service identifiers of the agent's container. */
export const AgentTypes = {
  Clock: Symbol.for('attestor.agent.Clock') as ServiceIdentifier<Clock>,
  Logger: Symbol.for('attestor.agent.Logger') as ServiceIdentifier<Logger>,
  MetricsRegistry: Symbol.for('attestor.agent.MetricsRegistry') as ServiceIdentifier<Registry>,
  Metrics: Symbol.for('attestor.agent.Metrics') as ServiceIdentifier<AttestationMetrics>,
  ProcessTable: Symbol.for('attestor.agent.ProcessTable') as ServiceIdentifier<ProcessTable>,
  ContainerRuntime: Symbol.for(
    'attestor.agent.ContainerRuntime',
  ) as ServiceIdentifier<ContainerRuntime>,
  WorkloadAttestor: Symbol.for(
    'attestor.agent.WorkloadAttestor',
  ) as ServiceIdentifier<WorkloadAttestor>,
  ConfigLoader: Symbol.for('attestor.agent.ConfigLoader') as ServiceIdentifier<AgentConfigLoader>,
  ApiServerFactory: Symbol.for(
    'attestor.agent.ApiServerFactory',
  ) as ServiceIdentifier<ApiServerFactory>,
  Agent: Symbol.for('attestor.agent.Agent') as ServiceIdentifier<Agent>,
} as const;

export interface AgentEnvironment {
  readonly configPath: string;
  /** The operator named the path (`--config`, `$ATTESTOR_CONFIG`): it must exist at start. */
  readonly configPathNamed?: boolean;
  readonly writeLog: (line: string) => void;
  readonly logLevel?: LogLevel;
  readonly agentPid: number;
  /** How often the configuration file is polled for changes, besides filesystem events. */
  readonly configPollIntervalMs?: number;
}

/** The agent's composition root: the only place that knows which adapter serves which port. */
export function createAgentContainer(environment: AgentEnvironment): Container {
  const container = new Container({ defaultScope: 'Singleton' });
  const clock = new SystemClock();
  const rootLogger = new JsonLinesLogger(
    environment.writeLog,
    clock,
    environment.logLevel ?? 'info',
  );
  container.bind(AgentTypes.Clock).toConstantValue(clock);
  container.bind(AgentTypes.Logger).toConstantValue(rootLogger);
  container.bind(AgentTypes.MetricsRegistry).toConstantValue(new Registry());
  container
    .bind(AgentTypes.Metrics)
    .toResolvedValue(
      (registry: Registry) => new PrometheusMetrics(registry, 'docker'),
      [AgentTypes.MetricsRegistry],
    );
  container.bind(AgentTypes.ProcessTable).toConstantValue(new ProcfsProcessTable());
  const runtime = new DockerEngineContainerRuntime();
  container.bind(AgentTypes.ContainerRuntime).toConstantValue(runtime);
  container.bind(AgentTypes.WorkloadAttestor).toResolvedValue(
    (
      processTable: ProcessTable,
      runtime: ContainerRuntime,
      metrics: AttestationMetrics,
      clock: Clock,
      logger: Logger,
    ) =>
      new WorkloadAttestor(
        {
          processTable,
          runtime,
          metrics,
          clock,
          logger: logger.child({ component: 'attestor' }),
          agentPid: environment.agentPid,
          cgroupTree: new CgroupfsCgroupTree(),
        },
        // Replaced by the loaded configuration before the first attestation.
        DEFAULT_CONFIG.docker,
      ),
    [
      AgentTypes.ProcessTable,
      AgentTypes.ContainerRuntime,
      AgentTypes.Metrics,
      AgentTypes.Clock,
      AgentTypes.Logger,
    ],
  );
  container
    .bind(AgentTypes.ConfigLoader)
    .toResolvedValue(
      (logger: Logger) =>
        new AgentConfigLoader(
          environment.configPath,
          loadConfigFile,
          loadYamlConfig,
          EMBEDDED_DEFAULT_CONFIG,
          logger.child({ component: 'config' }),
          environment.configPathNamed === true ? 'refuse' : 'use-embedded-default',
        ),
      [AgentTypes.Logger],
    );
  container.bind(AgentTypes.ApiServerFactory).toResolvedValue(
    (logger: Logger): ApiServerFactory =>
      ({ config }) =>
        new LocalApiServer(
          config.agent.apiSocketPath,
          config.agent.apiSocketMode,
          logger.child({ component: 'api' }),
        ),
    [AgentTypes.Logger],
  );
  container.bind(AgentTypes.Agent).toResolvedValue(
    (
      configLoader: AgentConfigLoader,
      attestor: WorkloadAttestor,
      createApiServer: ApiServerFactory,
      registry: Registry,
      metrics: AttestationMetrics,
      clock: Clock,
      logger: Logger,
    ) =>
      new Agent({
        configLoader,
        attestor,
        createApiServer,
        createConfigWatcher: (onChange) =>
          new ConfigWatcher(
            environment.configPath,
            onChange,
            logger.child({ component: 'config' }),
            environment.configPollIntervalMs,
          ),
        metricsText: async () => ({
          contentType: registry.contentType,
          text: await registry.metrics(),
        }),
        createSignatureVerification: (sigstore) =>
          createSignatureVerification(sigstore, metrics, clock, logger),
        closeAdapters: () => runtime.close(),
        // --log-level wins over Agent.spec.logLevel.
        applyLogLevel: (level) => {
          if (environment.logLevel === undefined) rootLogger.setLevel(level);
        },
        logger,
      }),
    [
      AgentTypes.ConfigLoader,
      AgentTypes.WorkloadAttestor,
      AgentTypes.ApiServerFactory,
      AgentTypes.MetricsRegistry,
      AgentTypes.Metrics,
      AgentTypes.Clock,
      AgentTypes.Logger,
    ],
  );
  return container;
}
