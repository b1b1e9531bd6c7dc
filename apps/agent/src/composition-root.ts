import { JsonLinesLogger } from '@attestor/adapter-node-process';
import {
  EMBEDDED_DEFAULT_CONFIG,
  loadConfigFile,
  loadYamlConfig,
} from '@attestor/adapter-yaml-config';
import { AgentPid, attestorModules, Factories, Ports } from '@attestor/composition';
import { DEFAULT_CONFIG, type LogLevel } from '@attestor/config';
import { WorkloadAttestor } from '@attestor/workload-attestor';
import { Container, ContainerModule, type ServiceIdentifier } from 'inversify';
import { Registry } from 'prom-client';

import { Agent, type ApiServerFactory } from './agent.js';
import { LocalApiServer } from './api-server.js';
import { AgentConfigLoader } from './config-loader.js';
import { ConfigWatcher } from './config-watcher.js';

/** What only the agent binds; the ports come from `Ports` in @attestor/composition. */
const AgentTypes = {
  ApiServerFactory: Symbol.for(
    'attestor.agent.ApiServerFactory',
  ) as ServiceIdentifier<ApiServerFactory>,
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

/**
 * The agent's side of the hexagon: its log, its configuration file and reloads, the local
 * API, and the Agent that runs them over the use case.
 */
function agentModule(environment: AgentEnvironment): ContainerModule {
  return new ContainerModule(({ bind }) => {
    bind(AgentPid).toConstantValue(environment.agentPid);
    bind(JsonLinesLogger).toResolvedValue(
      (clock) => new JsonLinesLogger(environment.writeLog, clock, environment.logLevel ?? 'info'),
      [Ports.Clock],
    );
    bind(Ports.Logger).toService(JsonLinesLogger);
    bind(WorkloadAttestor).toResolvedValue(
      // Replaced by the loaded configuration before the first attestation.
      (create) => create(DEFAULT_CONFIG.docker),
      [Factories.WorkloadAttestor],
    );
    bind(AgentConfigLoader).toResolvedValue(
      (logger) =>
        new AgentConfigLoader(
          environment.configPath,
          loadConfigFile,
          loadYamlConfig,
          EMBEDDED_DEFAULT_CONFIG,
          logger.child({ component: 'config' }),
          environment.configPathNamed === true ? 'refuse' : 'use-embedded-default',
        ),
      [Ports.Logger],
    );
    bind(AgentTypes.ApiServerFactory).toResolvedValue(
      (logger): ApiServerFactory =>
        ({ config }) =>
          new LocalApiServer(
            config.agent.apiSocketPath,
            config.agent.apiSocketMode,
            logger.child({ component: 'api' }),
          ),
      [Ports.Logger],
    );
    bind(Agent).toResolvedValue(
      (
        configLoader,
        attestor,
        createApiServer,
        registry,
        createSignatureVerification,
        createWorkloadIdentity,
        logger,
        metrics,
        clock,
        runtime,
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
          createSignatureVerification,
          createWorkloadIdentity,
          // --log-level wins over Agent.spec.logLevel.
          applyLogLevel: (level) => {
            if (environment.logLevel === undefined) logger.setLevel(level);
          },
          logger,
          metrics,
          clock,
          runtime,
        }),
      [
        AgentConfigLoader,
        WorkloadAttestor,
        AgentTypes.ApiServerFactory,
        Registry,
        Factories.SignatureVerification,
        Factories.WorkloadIdentity,
        JsonLinesLogger,
        Ports.Metrics,
        Ports.Clock,
        Ports.ContainerRuntime,
      ],
    );
  });
}

/**
 * The agent's composition root: the only place that knows which adapter serves which port.
 * Unbinding everything (`unbindAllAsync`, as the agent does when it stops) closes what the
 * adapters hold open.
 */
export function createAgentContainer(environment: AgentEnvironment): Container {
  const container = new Container({ defaultScope: 'Singleton' });
  container.load(...attestorModules, agentModule(environment));
  return container;
}
