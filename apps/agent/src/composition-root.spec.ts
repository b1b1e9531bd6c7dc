import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { DockerEngineContainerRuntime } from '@attestor/adapter-docker-engine';
import { Ports } from '@attestor/composition';
import {
  ContainerDetailsMother,
  containerId,
  FakeContainerRuntime,
  FakeProcessTable,
  getOverUnixSocket,
  ProcessMother,
} from '@attestor/testing';
import { test } from '@attestor/testing/fixtures';
import { describe, expect, vi } from 'vitest';

import { Agent } from './agent.js';
import { createAgentContainer } from './composition-root.js';

const ID = containerId(0xa9e);

describe(createAgentContainer, () => {
  test('wires the agent so that a port rebound to a fake serves its attestations', async ({
    tempDir,
  }) => {
    const configPath = join(tempDir, 'agent.yaml');
    const socket = join(tempDir, 'agent.sock');
    await writeFile(
      configPath,
      `section: WorkloadAttestation\nschema: v1\nspec:\n  docker:\n    enabled: true\n---\nsection: Agent\nschema: v1\nspec:\n  apiSocketPath: ${socket}\n`,
    );
    const lines: string[] = [];
    const container = createAgentContainer({
      configPath,
      configPathNamed: true,
      agentPid: 1,
      writeLog: (line) => lines.push(line),
    });
    container
      .rebind(Ports.ProcessTable)
      .toConstantValue(
        new FakeProcessTable()
          .set(ProcessMother.onHost({ pid: 1, pidNamespace: 1n }))
          .set(ProcessMother.inContainer(ID, { pid: 4242 })),
      );
    container
      .rebind(Ports.ContainerRuntime)
      .toConstantValue(
        new FakeContainerRuntime().addContainer(
          '/var/run/docker.sock',
          ContainerDetailsMother.running({ id: ID, initPid: 4242, env: [] }),
        ),
      );
    const agent = container.get(Agent);
    expect(await agent.start()).toBe(true);
    try {
      const answer = await getOverUnixSocket(socket, '/v1/attest?pid=4242');
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({ pid: 4242, kind: 'attested', containerId: ID });
    } finally {
      await agent.stop();
      await container.unbindAllAsync();
    }
    expect(lines.join('')).toContain('"agent stopped"');
  });

  test('closes the runtime client when the container unbinds it', async ({ tempDir }) => {
    const close = vi.spyOn(DockerEngineContainerRuntime.prototype, 'close');
    try {
      const container = createAgentContainer({
        configPath: join(tempDir, 'absent.yaml'),
        agentPid: 1,
        writeLog: () => undefined,
      });
      expect(container.get(Ports.ContainerRuntime)).toBeInstanceOf(DockerEngineContainerRuntime);
      await container.unbindAllAsync();
      expect(close).toHaveBeenCalledTimes(1);
    } finally {
      close.mockRestore();
    }
  });
});
