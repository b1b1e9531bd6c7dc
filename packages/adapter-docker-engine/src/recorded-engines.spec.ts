/**
 * The adapter against the answers of real engines, replayed by a daemon that, like the real
 * ones, refuses API versions outside its range with HTTP 400 in the form the engine used.
 * Docker 20.10, Docker 28.5 (both image stores), Podman 4.3 and Podman 5.8 were recorded from
 * real daemons with tools/scripts/record-engine.mjs; Docker 29 does not run on the CI machine,
 * and its answers are composed from those recordings and the Engine API reference (each file
 * says how).
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { ContainerRuntimeError, type RuntimeEndpoint } from '@attestor/ports';
import { rejection } from '@attestor/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { DockerEngineContainerRuntime } from './docker-engine-container-runtime.js';

/** A daemon's refusal of a version, as it came; `{version}` stands for the version asked. */
interface Refusal {
  readonly contentType: string;
  readonly body: string;
}

interface Recording {
  readonly engine: string;
  readonly apiVersions: { readonly minimum: string; readonly maximum: string };
  readonly tooOld?: Refusal;
  readonly tooNew?: Refusal;
  readonly ping: Record<string, string>;
  readonly version: Record<string, unknown>;
  readonly containerInspect: Record<string, unknown> & { Id: string; Image: string };
  readonly imageInspect: Record<string, unknown> & { Id: string };
}

function recording(name: string): Recording {
  return JSON.parse(
    readFileSync(join(import.meta.dirname, '..', 'recorded', `${name}.json`), 'utf8'),
  ) as Recording;
}

function parts(version: string): number {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  return major * 1000 + minor;
}

describe('DockerEngineContainerRuntime against recorded engines', () => {
  let dir = '';
  let server: Server | undefined;
  let runtime: DockerEngineContainerRuntime | undefined;
  let requests: string[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'attestor-recorded-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  afterEach(async () => {
    await runtime?.close();
    server?.closeAllConnections();
    await new Promise<void>((resolve) => {
      if (server === undefined) resolve();
      else
        server.close(() => {
          resolve();
        });
    });
    server = undefined;
  });

  let counter = 0;
  /** A daemon that answers as `engine` did, and refuses versions outside its range as it does. */
  async function replay(engine: Recording): Promise<RuntimeEndpoint> {
    const socketPath = join(dir, `engine-${String(++counter)}.sock`);
    requests = [];
    server = createServer((request, response) => {
      const url = request.url ?? '';
      requests.push(url);
      const reply = (status: number, body: unknown) => {
        response.writeHead(status, { 'content-type': 'application/json' });
        response.end(JSON.stringify(body));
      };
      const refuse = (refusal: Refusal, version: string) => {
        response.writeHead(400, { 'content-type': refusal.contentType });
        response.end(refusal.body.replaceAll('{version}', version));
      };
      if (url === '/_ping') {
        response.writeHead(200, { ...engine.ping, 'content-type': 'text/plain; charset=utf-8' });
        response.end('OK');
        return;
      }
      if (url === '/version') {
        reply(200, engine.version);
        return;
      }
      const match = /^\/v(\d+\.\d+)(\/.*)$/.exec(url);
      if (match?.[1] === undefined || match[2] === undefined) {
        reply(404, { message: 'page not found' });
        return;
      }
      const [, version, path] = match;
      if (engine.tooOld !== undefined && parts(version) < parts(engine.apiVersions.minimum)) {
        refuse(engine.tooOld, version);
        return;
      }
      if (engine.tooNew !== undefined && parts(version) > parts(engine.apiVersions.maximum)) {
        refuse(engine.tooNew, version);
        return;
      }
      const container = engine.containerInspect;
      const image = engine.imageInspect;
      if (path === `/containers/${container.Id}/json`) {
        reply(200, container);
        return;
      }
      if (path === `/images/${container.Image}/json`) {
        reply(200, image);
        return;
      }
      reply(404, { message: `No such object: ${path}` });
    });
    await new Promise<void>((resolve) => server?.listen(socketPath, resolve));
    runtime = new DockerEngineContainerRuntime({ timeoutMs: 2_000 });
    return { kind: 'docker', socketPath };
  }

  const ENGINES = [
    { name: 'docker-20.10', askedIn: '1.41', image: 'config' },
    { name: 'docker-28.5-classic', askedIn: '1.51', image: 'config' },
    { name: 'docker-28.5-containerd', askedIn: '1.51', image: 'target' },
    { name: 'docker-29-containerd', askedIn: '1.52', image: 'target' },
    { name: 'docker-29-classic', askedIn: '1.52', image: 'config' },
    { name: 'podman-4.3', askedIn: '1.41', image: 'config' },
    { name: 'podman-5.8', askedIn: '1.44', image: 'config' },
  ] as const;

  for (const { name, askedIn, image } of ENGINES) {
    it(`attests with ${name}, asking in API ${askedIn}`, async () => {
      const engine = recording(name);
      const endpoint = await replay(engine);
      const container = engine.containerInspect;
      const details = await runtime?.inspectContainer(endpoint, container.Id);
      expect(details).toMatchObject({
        id: container.Id,
        imageId: container.Image,
        running: true,
        labels: { 'com.example.app': 'payments' },
      });
      expect(details?.env).toContain('APP_X=1');
      const imageDetails = await runtime?.inspectImage(endpoint, container.Image);
      const digest = `sha256:${container.Image.replace(/^sha256:/, '')}`;
      expect(imageDetails).toStrictEqual({
        ...(image === 'config' ? { configDigest: digest } : { targetDigest: digest }),
        repoDigests: engine.imageInspect['RepoDigests'],
      });
      expect(requests.filter((url) => url.startsWith('/v'))).toStrictEqual([
        `/v${askedIn}/containers/${container.Id}/json`,
        `/v${askedIn}/images/${container.Image}/json`,
      ]);
    });
  }

  /** Docker 29's answers from a future daemon that speaks `maximum` and accepts `minimum`. */
  function future(minimum: string, maximum: string): Recording {
    const engine = recording('docker-29-containerd');
    return {
      ...engine,
      apiVersions: { minimum, maximum },
      ping: { ...engine.ping, 'Api-Version': maximum },
      version: { ...engine.version, ApiVersion: maximum, MinAPIVersion: minimum },
    };
  }

  it('asks a daemon newer than 1.52 for its minimum, and speaks 1.52 when it is accepted', async () => {
    const engine = future('1.44', '1.57');
    const endpoint = await replay(engine);
    await runtime?.inspectContainer(endpoint, engine.containerInspect.Id);
    expect(requests).toStrictEqual([
      '/_ping',
      '/version',
      `/v1.52/containers/${engine.containerInspect.Id}/json`,
    ]);
  });

  it('refuses, by name, a daemon whose minimum is above the newest version it reads', async () => {
    const engine = future('1.55', '1.60');
    const endpoint = await replay(engine);
    const error = await rejection(
      ContainerRuntimeError,
      runtime?.inspectContainer(endpoint, engine.containerInspect.Id) ?? Promise.resolve(),
    );
    expect(error.code).toBe('protocol');
    expect(error.message).toContain('accepts API 1.55 and newer; attestor reads at most 1.52');
    expect(requests).toStrictEqual(['/_ping', '/version']);
  });

  it('says what Docker 28.5 said when it refuses a version in plain text', async () => {
    // A daemon that raised its minimum after announcing its range: Docker 28.5 refuses a
    // too-old version in text/plain, not in JSON, and the error still carries its words.
    const engine = recording('docker-28.5-classic');
    const endpoint = await replay({ ...engine, apiVersions: { minimum: '1.52', maximum: '1.52' } });
    const error = await rejection(
      ContainerRuntimeError,
      runtime?.inspectContainer(endpoint, engine.containerInspect.Id) ?? Promise.resolve(),
    );
    expect(error.code).toBe('unexpected_status');
    expect(error.message).toContain(
      'HTTP 400: "client version 1.51 is too old. Minimum supported API version is 1.24',
    );
  });

  /** The image inspect error for Docker 29's answer with `descriptor` in place of its own. */
  async function withDescriptor(
    descriptor: (own: Recording) => Record<string, unknown>,
  ): Promise<ContainerRuntimeError> {
    const engine = recording('docker-29-containerd');
    const endpoint = await replay({
      ...engine,
      imageInspect: { ...engine.imageInspect, Descriptor: descriptor(engine) },
    });
    return rejection(
      ContainerRuntimeError,
      runtime?.inspectImage(endpoint, engine.containerInspect.Image) ?? Promise.resolve(),
    );
  }

  it('refuses a multi-platform store answer whose Descriptor is another image’s', async () => {
    const error = await withDescriptor(() => ({
      mediaType: 'application/vnd.oci.image.index.v1+json',
      digest: `sha256:${'e'.repeat(64)}`,
      size: 1609,
    }));
    expect(error.code).toBe('protocol');
    expect(error.message).toContain('Descriptor.digest');
  });

  it('refuses a Descriptor that names an image config, which no store names an image by', async () => {
    const error = await withDescriptor((own) => ({
      mediaType: 'application/vnd.oci.image.config.v1+json',
      digest: own.imageInspect.Id,
    }));
    expect(error.code).toBe('protocol');
    expect(error.message).toContain('Descriptor.mediaType');
  });
});
