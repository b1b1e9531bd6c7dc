import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { ContainerRuntimeError, type RuntimeEndpoint } from '@attestor/ports';
import { rejection } from '@attestor/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { DockerEngineContainerRuntime } from './docker-engine-container-runtime.js';

const ID = 'ab'.repeat(32);
const IMAGE = `sha256:${'cd'.repeat(32)}`;

function inspectBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    Id: ID,
    Image: IMAGE,
    Config: {
      Image: 'example/app:1',
      Labels: { 'com.example.app': 'payments' },
      Env: ['APP_X=1', 'SECRET=hunter2'],
    },
    State: { Pid: 4242, Running: true },
    HostConfig: { PidMode: '' },
    ...overrides,
  };
}

type Handler = (request: IncomingMessage, response: ServerResponse) => void;

describe(DockerEngineContainerRuntime, () => {
  let dir = '';
  let server: Server | undefined;
  let runtime: DockerEngineContainerRuntime;
  let requests: string[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'attestor-engine-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  afterEach(async () => {
    await runtime.close();
    await new Promise<void>((resolve) => {
      if (server === undefined) resolve();
      else {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }
    });
    server = undefined;
  });

  let counter = 0;
  async function serve(
    handler: Handler,
    apiVersion = '1.41',
    options = {},
  ): Promise<RuntimeEndpoint> {
    const socketPath = join(dir, `engine-${String(++counter)}.sock`);
    requests = [];
    server = createServer((request, response) => {
      requests.push(request.url ?? '');
      if (request.url === '/_ping') {
        response.writeHead(200, { 'api-version': apiVersion });
        response.end('OK');
        return;
      }
      handler(request, response);
    });
    await new Promise<void>((resolve) => server?.listen(socketPath, resolve));
    runtime = new DockerEngineContainerRuntime({
      timeoutMs: 500,
      maxResponseBytes: 64 * 1024,
      ...options,
    });
    return { kind: 'docker', socketPath };
  }

  const json =
    (body: unknown, status = 200): Handler =>
    (_request, response) => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(body));
    };

  describe('.inspectContainer', () => {
    it('reads the facts of a container with the negotiated API version', async () => {
      const endpoint = await serve(json(inspectBody()), '1.40');
      expect(await runtime.inspectContainer(endpoint, ID)).toStrictEqual({
        id: ID,
        imageReference: 'example/app:1',
        imageId: IMAGE,
        labels: Object.assign(Object.create(null) as Record<string, string>, {
          'com.example.app': 'payments',
        }),
        env: ['APP_X=1', 'SECRET=hunter2'],
        initPid: 4242,
        running: true,
      });
      expect(requests).toStrictEqual(['/_ping', `/v1.40/containers/${ID}/json`]);
    });

    it('keeps a label named __proto__ as a label', async () => {
      // JSON text, since an object literal would take __proto__ as its prototype.
      const endpoint = await serve((_request, response) => {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(
          JSON.stringify(inspectBody()).replace(
            '"Labels":{',
            '"Labels":{"__proto__":"x","constructor":"y",',
          ),
        );
      });
      const details = await runtime.inspectContainer(endpoint, ID);
      expect(Object.entries(details?.labels ?? {})).toStrictEqual([
        ['__proto__', 'x'],
        ['constructor', 'y'],
        ['com.example.app', 'payments'],
      ]);
    });

    it('asks in the daemon’s own version below 1.52 and negotiates once per socket', async () => {
      const endpoint = await serve(
        json(
          inspectBody({
            Config: { Image: 'x', Labels: null, Env: null },
          }),
        ),
        '1.43',
      );
      const details = await runtime.inspectContainer(endpoint, ID);
      await runtime.inspectContainer(endpoint, ID);
      expect(details).toMatchObject({ labels: {}, env: [] });
      expect(requests).toStrictEqual([
        '/_ping',
        `/v1.43/containers/${ID}/json`,
        `/v1.43/containers/${ID}/json`,
      ]);
    });

    it('returns undefined for an unknown container', async () => {
      const endpoint = await serve(json({ message: 'No such container' }, 404));
      expect(await runtime.inspectContainer(endpoint, ID)).toBeUndefined();
    });

    it('refuses a daemon older than API 1.24', async () => {
      const endpoint = await serve(json(inspectBody()), '1.12');
      const error = await rejection(ContainerRuntimeError, runtime.inspectContainer(endpoint, ID));
      expect(error.code).toBe('protocol');
      expect(error.message).toContain('older than the 1.24 attestor needs');
    });

    it('refuses an answer about another container', async () => {
      const endpoint = await serve(json(inspectBody({ Id: 'ef'.repeat(32) })));
      const error = await rejection(ContainerRuntimeError, runtime.inspectContainer(endpoint, ID));
      expect(error).toMatchObject({ code: 'protocol', socketPath: endpoint.socketPath });
      expect(error.message).toContain(`asked for ${ID}, got an answer about`);
    });

    it.each([
      [{ State: { Pid: -1, Running: true } }, 'State.Pid is not a process ID'],
      [{ State: { Pid: 1.5, Running: true } }, 'State.Pid is not a process ID'],
      [{ State: { Pid: 1, Running: 'yes' } }, 'State.Running is not a boolean'],
      [{ Config: { Image: 'x', Env: 'SECRET=hunter2' } }, 'Config.Env is not a list of strings'],
      [{ Config: { Image: 'x', Labels: { a: 1 } } }, 'Config.Labels entry is not a string'],
      [{ Config: null }, 'Config is not an object'],
      [{ Image: 7 }, 'Image is not a string'],
    ])('refuses a malformed inspect %j without echoing values', async (overrides, message) => {
      const endpoint = await serve(json(inspectBody(overrides)));
      const error = await rejection(ContainerRuntimeError, runtime.inspectContainer(endpoint, ID));
      expect(error.code).toBe('protocol');
      expect(error.message).toBe(`container inspect from ${endpoint.socketPath}: ${message}`);
      expect(error.message).not.toContain('hunter2');
    });

    it.each(['busybox:latest', '', `sha256:${'CD'.repeat(32)}`, `sha512:${'cd'.repeat(64)}`])(
      'refuses the image ID %j as a protocol error naming the field',
      async (image) => {
        const endpoint = await serve(json(inspectBody({ Image: image })));
        const error = await rejection(
          ContainerRuntimeError,
          runtime.inspectContainer(endpoint, ID),
        );
        expect(error.code).toBe('protocol');
        expect(error.message).toBe(
          `container inspect from ${endpoint.socketPath}: Image is not a sha256 image ID`,
        );
      },
    );

    it('refuses a response that is not JSON', async () => {
      const endpoint = await serve((_request, response) => {
        response.writeHead(200);
        response.end('<html>');
      });
      expect(
        await rejection(ContainerRuntimeError, runtime.inspectContainer(endpoint, ID)),
      ).toMatchObject({
        code: 'protocol',
      });
    });

    it('quotes a plain-text error answer, so that its newlines cannot forge log lines', async () => {
      const endpoint = await serve((_request, response) => {
        response.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
        response.end('engine broke\nlevel=info msg="attested as root"\n');
      });
      const error = await rejection(ContainerRuntimeError, runtime.inspectContainer(endpoint, ID));
      expect(error.code).toBe('unexpected_status');
      expect(error.message).toBe(
        `container inspect from docker at ${endpoint.socketPath}: HTTP 500: ` +
          '"engine broke\\nlevel=info msg=\\"attested as root\\""',
      );
      expect(error.message).not.toContain('\n');
    });

    it('refuses an oversized response, declared or streamed', async () => {
      const big = 'x'.repeat(100 * 1024);
      const declared = await serve(json(inspectBody({ Padding: big })));
      expect(
        await rejection(ContainerRuntimeError, runtime.inspectContainer(declared, ID)),
      ).toMatchObject({
        code: 'response_too_large',
      });
      await runtime.close();
      server?.close();
      const streamed = await serve((_request, response) => {
        response.writeHead(200, { 'transfer-encoding': 'chunked' });
        response.write('{"a":"');
        response.write(big);
        response.end('"}');
      });
      const error = await rejection(ContainerRuntimeError, runtime.inspectContainer(streamed, ID));
      expect(error.code).toBe('response_too_large');
      expect(error.message).toContain('larger than 65536 bytes');
    });

    it('times out on a daemon that does not answer', async () => {
      const endpoint = await serve(() => {
        // never answers
      });
      const error = await rejection(ContainerRuntimeError, runtime.inspectContainer(endpoint, ID));
      expect(error.code).toBe('timeout');
      expect(error.message).toContain(endpoint.socketPath);
    });

    it('holds its deadline over the whole body against a daemon that drips it', async () => {
      // One byte every 100 ms never trips a gap timeout, so only a deadline on the whole
      // answer stops it: the body would take about 30 s.
      const text = JSON.stringify(inspectBody());
      const endpoint = await serve((_request, response) => {
        response.writeHead(200, { 'content-type': 'application/json' });
        let sent = 0;
        const drip = setInterval(() => {
          if (response.destroyed || sent >= text.length) {
            clearInterval(drip);
            return;
          }
          response.write(text[sent++]);
        }, 100);
      });
      const error = await rejection(ContainerRuntimeError, runtime.inspectContainer(endpoint, ID));
      expect(error.code).toBe('timeout');
      expect(error.message).toBe(
        `container inspect from docker at ${endpoint.socketPath}: no complete answer within 500 ms`,
      );
    });

    it('stops when the caller’s signal aborts, saying aborted', async () => {
      const endpoint = await serve(() => {
        // never answers
      });
      const caller = new AbortController();
      const pending = rejection(
        ContainerRuntimeError,
        runtime.inspectContainer(endpoint, ID, caller.signal),
      );
      caller.abort();
      const error = await pending;
      expect(error.code).toBe('aborted');
      expect(error.message).toContain(endpoint.socketPath);
      // A signal aborted before the call makes no request at all.
      const before = requests.length;
      expect(
        (
          await rejection(
            ContainerRuntimeError,
            runtime.inspectContainer(endpoint, ID, AbortSignal.abort()),
          )
        ).code,
      ).toBe('aborted');
      expect(requests.length).toBe(before);
    });

    it('refuses deeply nested JSON before parsing it', async () => {
      const endpoint = await serve((_request, response) => {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(`${'['.repeat(10_000)}${']'.repeat(10_000)}`);
      });
      const error = await rejection(ContainerRuntimeError, runtime.inspectContainer(endpoint, ID));
      expect(error.code).toBe('protocol');
      expect(error.message).toBe(
        `container inspect from docker at ${endpoint.socketPath}: the response nests deeper than 64 levels`,
      );
    });

    it('allows brackets inside strings, which are not nesting', async () => {
      const endpoint = await serve(
        json(
          inspectBody({ Config: { Image: '[['.repeat(100), Labels: { '{{': '\\"[' }, Env: [] } }),
        ),
      );
      expect(await runtime.inspectContainer(endpoint, ID)).toMatchObject({
        imageReference: '[['.repeat(100),
      });
    });

    it('holds a rootless socket to a lower size limit', async () => {
      const big = inspectBody({
        Config: { Image: 'x', Labels: { big: 'y'.repeat(40 * 1024) }, Env: [] },
      });
      const endpoint = await serve(json(big), '1.41', { maxRootlessResponseBytes: 32 * 1024 });
      expect(await runtime.inspectContainer(endpoint, ID)).toMatchObject({ imageReference: 'x' });
      // Owned by this test's own user, which also serves it: the socket checks pass.
      const rootless: RuntimeEndpoint = {
        ...endpoint,
        kind: 'podman-rootless',
        ownerUid: process.getuid?.() ?? 0,
      };
      const error = await rejection(ContainerRuntimeError, runtime.inspectContainer(rootless, ID));
      expect(error.code).toBe('response_too_large');
      expect(error.message).toContain('larger than 32768 bytes');
    });

    it('reports an error status with the daemon message', async () => {
      const endpoint = await serve(json({ message: 'server exploded' }, 500));
      const error = await rejection(ContainerRuntimeError, runtime.inspectContainer(endpoint, ID));
      expect(error.code).toBe('unexpected_status');
      expect(error.message).toBe(
        `container inspect from docker at ${endpoint.socketPath}: HTTP 500: "server exploded"`,
      );
    });

    it('says unreachable, naming the socket, when no daemon listens', async () => {
      runtime = new DockerEngineContainerRuntime();
      const socketPath = join(dir, 'nobody.sock');
      const error = await rejection(
        ContainerRuntimeError,
        runtime.inspectContainer({ kind: 'docker', socketPath }, ID),
      );
      expect(error).toMatchObject({ code: 'unreachable', socketPath });
      expect(error.message).toContain(`docker at ${socketPath}`);
      expect(error.message).toContain('ENOENT');
    });

    it('refuses an ID that is not 64 hex characters', async () => {
      runtime = new DockerEngineContainerRuntime();
      await expect(
        runtime.inspectContainer({ kind: 'docker', socketPath: '/x' }, '../../etc'),
      ).rejects.toThrow(RangeError);
    });
  });

  describe('.inspectImage', () => {
    it('reads the config digest and repo digests', async () => {
      const endpoint = await serve(
        json({ Id: IMAGE, RepoDigests: ['127.0.0.1:5000/app@sha256:' + '1'.repeat(64)] }),
      );
      expect(await runtime.inspectImage(endpoint, IMAGE)).toStrictEqual({
        configDigest: IMAGE,
        repoDigests: ['127.0.0.1:5000/app@sha256:' + '1'.repeat(64)],
      });
    });

    it('refuses an image ID that is not a sha256 digest', async () => {
      const endpoint = await serve(json({ Id: 'latest' }));
      expect(
        await rejection(ContainerRuntimeError, runtime.inspectImage(endpoint, IMAGE)),
      ).toMatchObject({
        code: 'protocol',
      });
    });
  });

  describe('.ping', () => {
    it('asks /_ping every time and answers the daemon’s API version', async () => {
      const endpoint = await serve(json({}), '1.47');
      expect(await runtime.ping(endpoint)).toBe('1.47');
      expect(await runtime.ping(endpoint)).toBe('1.47');
      expect(requests).toStrictEqual(['/_ping', '/_ping']);
    });

    it('says unreachable, naming the socket, when no daemon listens', async () => {
      runtime = new DockerEngineContainerRuntime({ timeoutMs: 500 });
      const socketPath = join(dir, 'nobody.sock');
      const error = await rejection(
        ContainerRuntimeError,
        runtime.ping({ kind: 'podman', socketPath }),
      );
      expect(error.code).toBe('unreachable');
      expect(error.message).toContain(socketPath);
    });
  });

  describe('.listRunningContainerIds', () => {
    it('lists the IDs', async () => {
      const endpoint = await serve(json([{ Id: ID }, { Id: 'ef'.repeat(32) }]));
      expect(await runtime.listRunningContainerIds(endpoint)).toStrictEqual([ID, 'ef'.repeat(32)]);
    });

    it('refuses a list longer than the cap, naming the cap', async () => {
      const endpoint = await serve(
        json(Array.from({ length: 4 }, (_, index) => ({ Id: String(index).repeat(64) }))),
        '1.41',
        { maxListedContainers: 3 },
      );
      const error = await rejection(
        ContainerRuntimeError,
        runtime.listRunningContainerIds(endpoint),
      );
      expect(error.code).toBe('response_too_large');
      expect(error.message).toBe(
        `container list from ${endpoint.socketPath}: 4 containers, more than the 3 discovery examines`,
      );
    });

    it('refuses entries without a valid ID', async () => {
      const endpoint = await serve(json([{ Id: 'short' }]));
      expect(
        await rejection(ContainerRuntimeError, runtime.listRunningContainerIds(endpoint)),
      ).toMatchObject({
        code: 'protocol',
      });
    });
  });
});
