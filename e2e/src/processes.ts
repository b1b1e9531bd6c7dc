import { type ChildProcess, spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { connect, createServer } from 'node:net';
import { join } from 'node:path';

/** The repository root. */
const ROOT = join(import.meta.dirname, '..', '..');
/** The Node binary running the tests (Node 24 from node_modules), used for child processes too. */
export const NODE = process.execPath;
export const CLI_BIN = join(ROOT, 'apps', 'cli', 'bin', 'attestor.js');
export const AGENT_BIN = join(ROOT, 'apps', 'agent', 'bin', 'attestor-agent.js');

export interface Completed {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a command to completion, with a deadline. */
export function run(
  command: string,
  args: readonly string[],
  timeoutMs = 30_000,
  env: Readonly<Record<string, string>> = {},
): Promise<Completed> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: timeoutMs,
      env: { ...process.env, ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      resolve({ code, stdout, stderr });
    });
  });
}

/**
 * A long-running process whose stderr is collected. It runs in a process group of its own, so
 * that stopping it also stops what it forked (Podman re-executes itself, for example).
 */
export class Background {
  readonly child: ChildProcess;
  #stderr = '';
  readonly exited: Promise<number | null>;

  constructor(
    command: string,
    args: readonly string[],
    env: Readonly<Record<string, string>> = {},
  ) {
    this.child = spawn(command, args, {
      cwd: ROOT,
      stdio: ['ignore', 'ignore', 'pipe'],
      detached: true,
      env: { ...process.env, ...env },
    });
    this.child.stderr?.on('data', (chunk: Buffer) => (this.#stderr += chunk.toString()));
    this.exited = new Promise((resolve) =>
      this.child.on('exit', (code) => {
        resolve(code);
      }),
    );
  }

  get stderr(): string {
    return this.#stderr;
  }

  /** Sends `signal` to the whole process group. */
  signalGroup(signal: NodeJS.Signals): void {
    if (this.child.pid === undefined) return;
    try {
      process.kill(-this.child.pid, signal);
    } catch {
      // The group is already gone.
    }
  }

  /** Waits until stderr contains `text`, or fails after `timeoutMs`. */
  async waitForLog(text: string, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.#stderr.includes(text)) {
      if (Date.now() > deadline)
        throw new Error(
          `timed out waiting for ${JSON.stringify(text)}; stderr so far:\n${this.#stderr}`,
        );
      if (this.child.exitCode !== null)
        throw new Error(
          `process exited (${String(this.child.exitCode)}) before logging ${JSON.stringify(text)}:\n${this.#stderr}`,
        );
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** Kills whatever of the group is left. */
  async [Symbol.asyncDispose](): Promise<void> {
    const running = this.child.exitCode === null && this.child.signalCode === null;
    this.signalGroup('SIGKILL');
    if (running) await this.exited;
  }
}

/** GET over a unix socket; JSON body. */
export function getJson(
  socketPath: string,
  path: string,
): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, path, method: 'GET', timeout: 10_000 }, (response) => {
      let text = '';
      response.on('data', (chunk: Buffer) => (text += chunk.toString()));
      response.on('end', () => {
        try {
          resolve({ status: response.statusCode ?? 0, body: JSON.parse(text) });
        } catch (error) {
          reject(error instanceof Error ? error : new Error(String(error)));
        }
      });
    });
    req.on('error', reject);
    req.end();
  });
}

function accepts(socketPath: string): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const socket = connect(socketPath);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => {
      resolve(false);
    });
  });
}

async function waitForSocketState(
  socketPath: string,
  accepting: boolean,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((await accepts(socketPath)) !== accepting) {
    if (Date.now() > deadline) {
      throw new Error(
        `${socketPath} ${accepting ? 'accepted no connection' : 'still accepted connections'} within ${String(timeoutMs)} ms`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Waits until something accepts connections on a unix socket. */
export function waitForSocket(socketPath: string, timeoutMs = 30_000): Promise<void> {
  return waitForSocketState(socketPath, true, timeoutMs);
}

/** Waits until nothing accepts connections on a unix socket any more. */
export function waitForSocketClosed(socketPath: string, timeoutMs = 30_000): Promise<void> {
  return waitForSocketState(socketPath, false, timeoutMs);
}

/** A TCP port on 127.0.0.1 that was free a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address !== null && typeof address === 'object') resolve(address.port);
        else reject(new Error('no port'));
      });
    });
  });
}

/** The docker CLI against the given daemon socket: its trimmed stdout, or an error with stderr. */
export function dockerCli(socketPath: string): (...args: string[]) => Promise<string> {
  return async (...args) => {
    const result = await run(
      '/usr/bin/docker',
      ['--host', `unix://${socketPath}`, ...args],
      120_000,
    );
    if (result.code !== 0) throw new Error(`docker ${args.join(' ')} failed: ${result.stderr}`);
    return result.stdout.trim();
  };
}

/** One series of a Prometheus instant query. */
export interface PrometheusSample {
  readonly metric: Record<string, string>;
  readonly value: [number, string];
}

/**
 * A real Prometheus (the Debian package) scraping `127.0.0.1:<metricsPort>` every second, its
 * data in `dir`. Dispose of `server` to stop it.
 */
export async function startPrometheus(
  dir: string,
  metricsPort: number,
): Promise<{
  server: Background;
  query: (expression: string) => Promise<PrometheusSample[]>;
}> {
  const port = await freePort();
  await writeFile(
    join(dir, 'prometheus.yml'),
    `global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: attestor\n    static_configs:\n      - targets: ['127.0.0.1:${String(metricsPort)}']\n`,
  );
  const server = new Background('prometheus', [
    `--config.file=${join(dir, 'prometheus.yml')}`,
    `--storage.tsdb.path=${join(dir, 'tsdb')}`,
    `--web.listen-address=127.0.0.1:${String(port)}`,
  ]);
  return {
    server,
    query: async (expression) => {
      const response = await fetch(
        `http://127.0.0.1:${String(port)}/api/v1/query?query=${encodeURIComponent(expression)}`,
      );
      const body = (await response.json()) as { data: { result: PrometheusSample[] } };
      return body.data.result;
    },
  };
}
