import { createServer, type Server } from 'node:http';
import { join } from 'node:path';

import { test } from '@attestor/testing/fixtures';
import { afterEach, describe, expect } from 'vitest';

import { Cli, type CliCommands } from '../cli.js';
import { ExitCode } from '../exit-codes.js';
import { AgentCommand } from './agent.js';

type Route = (path: string) => { status: number; body: string };

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(
    servers.splice(0).map(
      (server) =>
        new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => {
            resolve();
          });
        }),
    ),
  );
});

/** A stand-in for the agent's local API on a unix socket, and the CLI pointed at it. */
async function agentAt(directory: string, route: Route) {
  const socket = join(directory, 'agent.sock');
  const server = createServer((request, response) => {
    const { status, body } = route(request.url ?? '');
    response.writeHead(status, { 'content-type': 'application/json' });
    response.end(body);
  });
  await new Promise<void>((resolve) => server.listen(socket, resolve));
  servers.push(server);
  const out: string[] = [];
  const err: string[] = [];
  const output = {
    stdout: (text: string) => out.push(text),
    stderr: (text: string) => err.push(text),
  };
  const cli = new Cli(
    { agent: new AgentCommand(output) } as unknown as CliCommands,
    output,
    '9.9.9',
  );
  return {
    run: (...argv: string[]) => cli.run(['agent', ...argv, '--socket', socket]),
    socket,
    stdout: () => out.join(''),
    stderr: () => err.join(''),
  };
}

const READY: Route = (path) =>
  path === '/healthz'
    ? { status: 200, body: '{"status":"ok"}' }
    : { status: 200, body: '{"status":"ready","config":{"kind":"file","sha256":"ab"}}' };

describe(AgentCommand, () => {
  test('status says healthy and ready, with the configuration in force', async ({ tempDir }) => {
    const agent = await agentAt(tempDir, READY);
    expect(await agent.run('status')).toBe(ExitCode.ok);
    expect(agent.stdout()).toBe(
      `${agent.socket}: healthy, ready (configuration {"kind":"file","sha256":"ab"})\n`,
    );
  });

  test('status exits 3 for an agent that is not ready', async ({ tempDir }) => {
    const agent = await agentAt(tempDir, (path) =>
      path === '/healthz'
        ? { status: 200, body: '{"status":"ok"}' }
        : { status: 503, body: '{"status":"not ready"}' },
    );
    expect(await agent.run('status', '-o', 'json')).toBe(ExitCode.unavailable);
    expect(JSON.parse(agent.stdout())).toMatchObject({ healthy: true, ready: false });
  });

  test('status exits 3 naming the socket when no agent listens', async ({ tempDir }) => {
    const agent = await agentAt(tempDir, READY);
    const out: string[] = [];
    const output = {
      stdout: (text: string) => out.push(text),
      stderr: (text: string) => out.push(text),
    };
    const cli = new Cli({ agent: new AgentCommand(output) } as unknown as CliCommands, output, '9');
    const missing = join(tempDir, 'none.sock');
    expect(await cli.run(['agent', 'status', '--socket', missing, '-o', 'json'])).toBe(
      ExitCode.unavailable,
    );
    const { error } = JSON.parse(out.join('')) as { error: { code: string; message: string } };
    expect(error.code).toBe('agent_unreachable');
    expect(error.message).toContain(missing);
    expect(agent.stdout()).toBe('');
  });

  test('attest prints the agent’s answer for a pid', async ({ tempDir }) => {
    const seen: string[] = [];
    const agent = await agentAt(tempDir, (path) => {
      seen.push(path);
      return { status: 200, body: '{"pid":42,"kind":"not_in_container","attributes":{}}' };
    });
    expect(await agent.run('attest', '--pid', '42', '-o', 'text')).toBe(ExitCode.ok);
    expect(agent.stdout()).toBe('pid 42: not in a container\n');
    expect(seen).toStrictEqual(['/v1/attest?pid=42']);
  });

  test('attest exits with the attestation error’s own code, as `attestor attest` does', async ({
    tempDir,
  }) => {
    const agent = await agentAt(tempDir, () => ({
      status: 409,
      body: '{"error":{"code":"pid_namespace_mismatch","message":"process 42 is not in it"}}',
    }));
    expect(await agent.run('attest', '--pid', '42')).toBe(ExitCode.refused);
    expect(agent.stderr()).toBe(
      'attestor agent attest: pid_namespace_mismatch: process 42 is not in it\n',
    );
  });

  test('attest refuses an answer larger than any the agent gives', async ({ tempDir }) => {
    const agent = await agentAt(tempDir, () => ({
      status: 200,
      body: JSON.stringify({ padding: 'x'.repeat(2 * 1024 * 1024) }),
    }));
    expect(await agent.run('attest', '--pid', '42')).toBe(ExitCode.unavailable);
    expect(agent.stderr()).toContain('agent_unreachable');
    expect(agent.stderr()).toContain('larger than 1048576 bytes');
  });

  test('attest asks /v1/identity with --identity', async ({ tempDir }) => {
    const agent = await agentAt(tempDir, () => ({
      status: 200,
      body: '{"pid":42,"spiffeId":"spiffe://example.org/w"}',
    }));
    expect(await agent.run('attest', '--pid', '42', '--identity', '-o', 'text')).toBe(ExitCode.ok);
    expect(agent.stdout()).toBe('spiffe://example.org/w\n');
  });
});
