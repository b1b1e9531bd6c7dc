import { existsSync } from 'node:fs';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { DEFAULT_CONFIG_PATH } from '@attestor/adapter-yaml-config';
import { unrefusedMalformedRequests } from '@attestor/testing';
import { test } from '@attestor/testing/fixtures';
import { describe, expect } from 'vitest';

import { AGENT_BIN, Background, freePort, getJson, NODE } from './processes.js';

describe('attestor agent (built binary)', () => {
  test('starts with the embedded default when the default config file is absent, serves health, and stops on SIGTERM', async () => {
    // No --config and no $ATTESTOR_CONFIG: the default path, which does not exist here, so the
    // embedded default runs, default API socket included (/run/attestor/agent.sock: the tests
    // run as root, as CI does).
    expect(existsSync(DEFAULT_CONFIG_PATH)).toBe(false);
    const socket = '/run/attestor/agent.sock';
    await using agent = new Background(NODE, [AGENT_BIN], { ATTESTOR_CONFIG: '' });
    await agent.waitForLog('"msg":"agent started"');
    expect(agent.stderr).toContain('"msg":"no configuration file; using the embedded default"');
    expect(agent.stderr).toContain('"dockerEnabled":true');
    expect(await getJson(socket, '/healthz')).toStrictEqual({
      status: 200,
      body: { status: 'ok' },
    });
    expect((await stat(socket)).mode & 0o777).toBe(0o600);
    agent.child.kill('SIGTERM');
    expect(await agent.exited).toBe(0);
    expect(agent.stderr).toContain('"msg":"agent stopped"');
    await expect(stat(socket)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  test('refuses to start when --config names a file that does not exist', async ({ tempDir }) => {
    const configPath = join(tempDir, 'missing.yaml');
    await using agent = new Background(NODE, [AGENT_BIN, '--config', configPath]);
    expect(await agent.exited).toBe(1);
    expect(agent.stderr).toContain('"msg":"the configuration file named does not exist"');
    expect(agent.stderr).toContain(`"path":"${configPath}"`);
    expect(agent.stderr).not.toContain('embedded default');
  });

  test('logs at Agent.spec.logLevel when no --log-level is given', async ({ tempDir }) => {
    const configPath = join(tempDir, 'debug.yaml');
    const socket = join(tempDir, 'debug.sock');
    await writeFile(
      configPath,
      `section: WorkloadAttestation\nschema: v1\nspec:\n  docker:\n    enabled: true\n---\nsection: Agent\nschema: v1\nspec:\n  apiSocketPath: ${socket}\n  logLevel: debug\n`,
    );
    await using agent = new Background(NODE, [AGENT_BIN, '--config', configPath]);
    await agent.waitForLog('"msg":"agent started"');
    expect((await getJson(socket, `/v1/attest?pid=${String(process.pid)}`)).status).toBe(200);
    await agent.waitForLog('"level":"debug","msg":"attested"');
  });

  test('refuses to start with an invalid configuration file, logging every error', async ({
    tempDir,
  }) => {
    const configPath = join(tempDir, 'bad.yaml');
    await writeFile(
      configPath,
      'section: WorkloadAttestation\nschema: v1\nspec:\n  docker:\n    includeEnvVar: [APP_]\n    enabled: maybe\n',
    );
    await using agent = new Background(NODE, [AGENT_BIN, '--config', configPath]);
    expect(await agent.exited).toBe(1);
    expect(agent.stderr).toContain(
      `${configPath}:5: spec.docker.includeEnvVar: unknown field; did you mean includeEnvVars?`,
    );
    expect(agent.stderr).toContain(
      `${configPath}:6: spec.docker.enabled: must be true or false, got string \\"maybe\\"`,
    );
  });

  test('survives every malformed request on the API socket and the metrics listener', async ({
    tempDir,
  }) => {
    const configPath = join(tempDir, 'listeners.yaml');
    const socket = join(tempDir, 'listeners.sock');
    const port = await freePort();
    await writeFile(
      configPath,
      `section: Agent\nschema: v1\nspec:\n  apiSocketPath: ${socket}\n  metricsListenAddress: 127.0.0.1:${String(port)}\n`,
    );
    await using agent = new Background(NODE, [AGENT_BIN, '--config', configPath]);
    await agent.waitForLog('"msg":"agent started"');
    for (const address of [{ path: socket }, { host: '127.0.0.1', port }])
      expect(await unrefusedMalformedRequests(address)).toStrictEqual([]);
    expect(agent.child.exitCode).toBeNull();
    expect(await getJson(socket, '/healthz')).toStrictEqual({
      status: 200,
      body: { status: 'ok' },
    });
    expect((await fetch(`http://127.0.0.1:${String(port)}/metrics`)).status).toBe(200);
    expect(agent.stderr).not.toContain('Uncaught');
    expect(agent.stderr).toContain('"msg":"bad API request"');
    agent.child.kill('SIGTERM');
    expect(await agent.exited).toBe(0);
  });

  test('refuses to start when apiSocketPath names a file that is not a socket, and keeps the file', async ({
    tempDir,
  }) => {
    const configPath = join(tempDir, 'not-a-socket.yaml');
    const notASocket = join(tempDir, 'precious.txt');
    await writeFile(notASocket, 'keep me');
    await writeFile(
      configPath,
      `section: Agent\nschema: v1\nspec:\n  apiSocketPath: ${notASocket}\n`,
    );
    await using agent = new Background(NODE, [AGENT_BIN, '--config', configPath]);
    expect(await agent.exited).toBe(1);
    expect(agent.stderr).toContain(
      `apiSocketPath ${notASocket} exists and is not a socket; remove it or choose another path`,
    );
    expect(await readFile(notASocket, 'utf8')).toBe('keep me');
  });
});
