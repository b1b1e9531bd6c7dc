import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { AGENT_BIN, Background, getJson, NODE } from './processes.js';

describe('attestor agent (built binary)', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'attestor-e2e-agent-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('starts with the embedded default when its config file is absent, serves health, and stops on SIGTERM', async () => {
    // With --config naming a missing file the agent runs its embedded default, default API
    // socket included (/run/attestor/agent.sock: the tests run as root, as CI does).
    const configPath = join(dir, 'missing.yaml');
    const socket = '/run/attestor/agent.sock';
    await using agent = new Background(NODE, [AGENT_BIN, '--config', configPath]);
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

  it('refuses to start with an invalid configuration file, logging every error', async () => {
    const configPath = join(dir, 'bad.yaml');
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
});
