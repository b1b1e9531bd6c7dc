import { parseArgs } from 'node:util';

import { AgentTypes, createAgentContainer } from './composition-root.js';
import { DEFAULT_CONFIG_PATH } from './embedded-config.js';

const USAGE = `Usage: attestor-agent [--config FILE]

Runs the attestor agent. The configuration file defaults to ${DEFAULT_CONFIG_PATH}
(or $ATTESTOR_CONFIG); when it does not exist the embedded default is used.
`;

/** Entry point of the agent: runs until SIGTERM or SIGINT, then stops cleanly. */
export async function main(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  let configPath: string;
  try {
    const { values } = parseArgs({
      args: [...argv],
      strict: true,
      options: { config: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    });
    if (values.help === true) {
      process.stdout.write(USAGE);
      return 0;
    }
    configPath = values.config ?? env['ATTESTOR_CONFIG'] ?? DEFAULT_CONFIG_PATH;
  } catch (error) {
    process.stderr.write(
      `attestor-agent: ${error instanceof Error ? error.message : String(error)}\n${USAGE}`,
    );
    return 2;
  }

  const container = createAgentContainer({
    configPath,
    writeLog: (line) => process.stderr.write(line),
  });
  const agent = container.get(AgentTypes.Agent);
  const logger = container.get(AgentTypes.Logger);
  try {
    if (!(await agent.start())) return 1;
  } catch (error) {
    logger.error('agent failed to start', {
      reason: error instanceof Error ? error.message : String(error),
    });
    return 1;
  }
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  logger.info('signal received', { signal });
  await agent.stop();
  return 0;
}
