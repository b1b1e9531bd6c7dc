import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { loadConfigFile, loadYamlConfig } from '@attestor/adapter-yaml-config';
import { RecordingLogger } from '@attestor/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { Agent } from './agent.js';
import { LocalApiServer } from './api-server.js';
import { AgentConfigLoader } from './config-loader.js';
import { EMBEDDED_DEFAULT_CONFIG } from './embedded-config.js';

function get(socketPath: string, path: string): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, path, method: 'GET' }, (response) => {
      let text = '';
      response.on('data', (chunk: Buffer) => (text += chunk.toString()));
      response.on('end', () => {
        resolve({ status: response.statusCode ?? 0, body: JSON.parse(text) });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

describe(Agent, () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'attestor-agent-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  function agentFor(configPath: string, socketPath: string, logger = new RecordingLogger()) {
    const loader = new AgentConfigLoader(
      configPath,
      loadConfigFile,
      loadYamlConfig,
      EMBEDDED_DEFAULT_CONFIG,
      logger,
    );
    return {
      agent: new Agent(loader, () => new LocalApiServer(socketPath, 0o600, logger), logger),
      logger,
    };
  }

  describe('.start', () => {
    it('runs the embedded default (Docker enabled) when no file exists, and serves health', async () => {
      const socket = join(dir, 'embedded.sock');
      const { agent, logger } = agentFor(join(dir, 'absent.yaml'), socket);
      expect(await agent.start()).toBe(true);
      try {
        expect(agent.configuration?.origin).toStrictEqual({ kind: 'embedded' });
        expect(agent.configuration?.config.docker.enabled).toBe(true);
        expect(await get(socket, '/healthz')).toStrictEqual({
          status: 200,
          body: { status: 'ok' },
        });
        expect(await get(socket, '/readyz')).toStrictEqual({
          status: 200,
          body: { status: 'ready', config: { kind: 'embedded' } },
        });
        expect(await get(socket, '/nope')).toMatchObject({ status: 404 });
        expect((await stat(socket)).mode & 0o777).toBe(0o600);
        expect(logger.records.map((record) => record.message)).toContain(
          'no configuration file; using the embedded default',
        );
      } finally {
        await agent.stop();
      }
      await expect(stat(socket)).rejects.toMatchObject({ code: 'ENOENT' });
    });

    it('refuses to start on an invalid file and logs every error', async () => {
      const path = join(dir, 'bad.yaml');
      await writeFile(
        path,
        'section: WorkloadAttestation\nschema: v1\nspec:\n  docker:\n    enabled: 1\n    bogus: 2\n',
      );
      const { agent, logger } = agentFor(path, join(dir, 'bad.sock'));
      expect(await agent.start()).toBe(false);
      expect(
        logger.records
          .filter((record) => record.level === 'error')
          .map((record) => record.fields['issue']),
      ).toStrictEqual([
        `${path}:5: spec.docker.enabled: must be true or false, got number 1`,
        `${path}:6: spec.docker.bogus: unknown field; known fields: enabled, dockerSocketPath, podmanSocketPath, podmanSocketPathTemplate, includeEnvVars, rootlessPodmanDiscovery, sigstore`,
        undefined,
      ]);
    });

    it('replaces a stale socket file but refuses a live one', async () => {
      const socket = join(dir, 'shared.sock');
      await writeFile(socket, '');
      const first = agentFor(join(dir, 'absent.yaml'), socket).agent;
      expect(await first.start()).toBe(true);
      try {
        const second = agentFor(join(dir, 'absent.yaml'), socket).agent;
        await expect(second.start()).rejects.toThrow(`another process is serving ${socket}`);
      } finally {
        await first.stop();
      }
    });
  });
});
