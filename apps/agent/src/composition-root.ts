import { JsonLinesLogger, SystemClock } from '@attestor/adapter-node-process';
import { loadConfigFile, loadYamlConfig } from '@attestor/adapter-yaml-config';
import type { Clock, Logger } from '@attestor/ports';
import { Container, type ServiceIdentifier } from 'inversify';

import { Agent, type ApiServerFactory } from './agent.js';
import { LocalApiServer } from './api-server.js';
import { AgentConfigLoader } from './config-loader.js';
import { EMBEDDED_DEFAULT_CONFIG } from './embedded-config.js';

/** Service identifiers of the agent's container. */
export const AgentTypes = {
  Clock: Symbol.for('attestor.agent.Clock') as ServiceIdentifier<Clock>,
  Logger: Symbol.for('attestor.agent.Logger') as ServiceIdentifier<Logger>,
  ConfigLoader: Symbol.for('attestor.agent.ConfigLoader') as ServiceIdentifier<AgentConfigLoader>,
  ApiServerFactory: Symbol.for(
    'attestor.agent.ApiServerFactory',
  ) as ServiceIdentifier<ApiServerFactory>,
  Agent: Symbol.for('attestor.agent.Agent') as ServiceIdentifier<Agent>,
} as const;

export interface AgentEnvironment {
  readonly configPath: string;
  readonly writeLog: (line: string) => void;
}

/** The agent's composition root: the only place that knows which adapter serves which port. */
export function createAgentContainer(environment: AgentEnvironment): Container {
  const container = new Container({ defaultScope: 'Singleton' });
  container.bind(AgentTypes.Clock).toConstantValue(new SystemClock());
  container
    .bind(AgentTypes.Logger)
    .toResolvedValue(
      (clock: Clock) => new JsonLinesLogger(environment.writeLog, clock, 'info'),
      [AgentTypes.Clock],
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
  container
    .bind(AgentTypes.Agent)
    .toResolvedValue(
      (loader: AgentConfigLoader, factory: ApiServerFactory, logger: Logger) =>
        new Agent(loader, factory, logger),
      [AgentTypes.ConfigLoader, AgentTypes.ApiServerFactory, AgentTypes.Logger],
    );
  return container;
}
