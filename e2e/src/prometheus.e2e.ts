import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { test } from '@attestor/testing/fixtures';
import { describe, expect, vi } from 'vitest';

import { AGENT_BIN, Background, freePort, getJson, NODE, startPrometheus } from './processes.js';

/** A real Prometheus scrapes the agent's metrics listener. */
describe('metrics scraped by Prometheus', { timeout: 120_000 }, () => {
  test('exposes attestation counts and latency with the attestor label', async ({ tempDir }) => {
    const metricsPort = await freePort();
    const apiSocket = join(tempDir, 'agent.sock');
    const configPath = join(tempDir, 'agent.yaml');
    await writeFile(
      configPath,
      `section: WorkloadAttestation\nschema: v1\nspec:\n  docker:\n    enabled: true\n---\nsection: Agent\nschema: v1\nspec:\n  apiSocketPath: ${apiSocket}\n  metricsListenAddress: 127.0.0.1:${String(metricsPort)}\n`,
    );
    await using agent = new Background(NODE, [AGENT_BIN, '--config', configPath]);
    await agent.waitForLog('"msg":"metrics listening"');
    // Three attestations of host processes and one of a PID that does not exist.
    for (const pid of [process.pid, process.pid, process.pid, 4_000_000])
      await getJson(apiSocket, `/v1/attest?pid=${String(pid)}`);

    const prometheus = await startPrometheus(tempDir, metricsPort);
    await using server = prometheus.server;
    const { query } = prometheus;
    await vi.waitFor(
      async () => {
        expect(server.child.exitCode).toBeNull();
        const series = await query('attestor_workload_attestations_total');
        expect(series.length).toBeGreaterThan(0);
      },
      { timeout: 60_000, interval: 500 },
    );
    const samples = await query('attestor_workload_attestations_total');
    const byOutcome = new Map(samples.map((sample) => [sample.metric['outcome'], sample]));
    expect(byOutcome.get('not_in_container')?.metric).toMatchObject({
      attestor: 'docker',
      job: 'attestor',
    });
    expect(byOutcome.get('not_in_container')?.value[1]).toBe('3');
    expect(byOutcome.get('error')?.value[1]).toBe('1');
    expect(byOutcome.get('error')?.metric['error_code']).toBe('process_not_found');
    const latency = await query(
      'attestor_workload_attestation_duration_seconds_count{outcome="not_in_container"}',
    );
    expect(latency[0]?.value[1]).toBe('3');

    // Probes that cannot reach a unix socket (Kubernetes') ask the TCP listener.
    const probe = (path: string) => fetch(`http://127.0.0.1:${String(metricsPort)}${path}`);
    expect((await probe('/healthz')).status).toBe(200);
    const ready = await probe('/readyz');
    expect(ready.status).toBe(200);
    expect(await ready.json()).toStrictEqual({ status: 'ready', reloads: { rejected: 0 } });

    // A broken file, seen by the watcher, is rejected, counted and reported; the agent stays ready.
    await writeFile(configPath, 'section: WorkloadAttestation\nschema: v1\nspec:\n  docker: 7\n');
    await agent.waitForLog(
      '"msg":"configuration reload rejected; keeping the last good configuration"',
    );
    await vi.waitFor(
      async () => {
        const rejected = await query('attestor_configuration_reloads_total{result="rejected"}');
        expect(rejected[0]?.value[1]).toBe('1');
      },
      { timeout: 30_000, interval: 500 },
    );
    expect(await (await probe('/readyz')).json()).toStrictEqual({
      status: 'ready',
      reloads: { rejected: 1 },
    });
  });
});
