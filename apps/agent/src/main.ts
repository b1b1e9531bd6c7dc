import { parseArgs } from 'node:util';

import { HeapTrimmer } from '@attestor/adapter-io';
import { missingPrivileges } from '@attestor/adapter-procfs';
import { DEFAULT_CONFIG_PATH } from '@attestor/adapter-yaml-config';
import { Ports } from '@attestor/composition';

import { Agent } from './agent.js';
import { createAgentContainer } from './composition-root.js';

const USAGE = `Usage: attestor-agent [--config FILE] [--log-level debug|info|warn|error]

Runs the attestor agent. The configuration file is FILE, else $ATTESTOR_CONFIG, else
${DEFAULT_CONFIG_PATH}; only the last may be missing, and then the embedded default is used.
--log-level overrides Agent.spec.logLevel.
SIGHUP reloads the configuration; SIGTERM and SIGINT stop the agent.
`;

const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;

/** At most this long from SIGTERM or SIGINT to exit. */
export const SHUTDOWN_GRACE_MS = 5_000;

/** Entry point of the agent: runs until SIGTERM or SIGINT, then stops cleanly. */
export async function main(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  let configPath: string;
  let configPathNamed: boolean;
  let logLevel: (typeof LOG_LEVELS)[number] | undefined;
  try {
    const { values } = parseArgs({
      args: [...argv],
      strict: true,
      options: {
        config: { type: 'string' },
        'log-level': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    if (values.help === true) {
      process.stdout.write(USAGE);
      return 0;
    }
    // An empty $ATTESTOR_CONFIG is unset.
    const fromEnvironment = env['ATTESTOR_CONFIG'] === '' ? undefined : env['ATTESTOR_CONFIG'];
    const named = values.config ?? fromEnvironment;
    configPath = named ?? DEFAULT_CONFIG_PATH;
    configPathNamed = named !== undefined;
    if (values['log-level'] !== undefined) {
      const level = LOG_LEVELS.find((candidate) => candidate === values['log-level']);
      if (level === undefined)
        throw new Error(`--log-level must be one of ${LOG_LEVELS.join(', ')}`);
      logLevel = level;
    }
  } catch (error) {
    process.stderr.write(
      `attestor-agent: ${error instanceof Error ? error.message : String(error)}\n${USAGE}`,
    );
    return 2;
  }

  const container = createAgentContainer({
    configPath,
    configPathNamed,
    ...(logLevel === undefined ? {} : { logLevel }),
    agentPid: process.pid,
    writeLog: (line) => process.stderr.write(line),
  });
  const agent = container.get(Agent);
  const logger = container.get(Ports.Logger);
  // Said at once, by name: without them every request would be answered 403 or 404 instead.
  const missing = missingPrivileges();
  for (const { privilege, consequence, fatal } of missing)
    logger[fatal ? 'error' : 'warn']('the agent lacks a privilege it needs', {
      privilege,
      consequence,
    });
  if (missing.some(({ fatal }) => fatal)) {
    logger.error('agent not started', {
      reason: `it lacks ${missing
        .filter(({ fatal }) => fatal)
        .map(({ privilege }) => privilege)
        .join(' and ')}`,
    });
    await container.unbindAllAsync();
    return 1;
  }
  try {
    if (!(await agent.start())) {
      await container.unbindAllAsync();
      return 1;
    }
  } catch (error) {
    logger.error('agent failed to start', {
      reason: error instanceof Error ? error.message : String(error),
    });
    await container.unbindAllAsync();
    return 1;
  }
  // What a burst of work freed in the C heap goes back to the kernel (see HeapTrimmer).
  const trimmer = new HeapTrimmer((error) => {
    logger.warn('cannot give freed memory back to the kernel; stopped trying', {
      reason: error instanceof Error ? error.message : String(error),
    });
  });
  trimmer.start();
  const onHangup = (): void => {
    logger.info('signal received', { signal: 'SIGHUP' });
    void agent.reload();
  };
  process.on('SIGHUP', onHangup);
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  process.off('SIGHUP', onHangup);
  trimmer.stop();
  logger.info('signal received', { signal });
  // Whatever is left (a stuck handle in a library) cannot keep the process alive for more
  // than this after the signal; the timer itself does not.
  setTimeout(() => {
    logger.warn('still running after the shutdown grace period; exiting', {
      graceMs: SHUTDOWN_GRACE_MS,
    });
    process.exit(0);
  }, SHUTDOWN_GRACE_MS).unref();
  await agent.stop();
  // Closes what the adapters hold open (the runtime client's connection pools).
  await container.unbindAllAsync();
  return 0;
}
