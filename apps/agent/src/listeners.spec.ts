import { lstat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import {
  type ListenerAddress,
  rawHttpStatus,
  RecordingLogger,
  sendRawHttp,
  unrefusedMalformedRequests,
} from '@attestor/testing';
import { test } from '@attestor/testing/fixtures';
import fc from 'fast-check';
import { describe, expect } from 'vitest';

import { LocalApiServer } from './api-server.js';
import { MetricsHttpServer } from './metrics-server.js';

const METRICS = { contentType: 'text/plain; version=0.0.4', text: 'up 1\n' };

/** Each malformed request gets a 4xx answer or a closed connection, and the listener lives on. */
async function expectSurvivesCorpus(address: ListenerAddress, healthyPath: string): Promise<void> {
  const unhealthyAfter: string[] = [];
  const unrefused = await unrefusedMalformedRequests(address, async (name) => {
    const healthy = await sendRawHttp(address, `GET ${healthyPath} HTTP/1.1\r\nHost: x\r\n\r\n`);
    if (rawHttpStatus(healthy) !== 200) unhealthyAfter.push(name);
  });
  expect({ unrefused, unhealthyAfter }).toStrictEqual({ unrefused: [], unhealthyAfter: [] });
}

describe(LocalApiServer, () => {
  describe('having malformed requests', () => {
    test('answers each with a 4xx and keeps serving', async ({ tempDir }) => {
      const logger = new RecordingLogger();
      const path = join(tempDir, 'corpus.sock');
      const server = new LocalApiServer(path, 0o600, logger)
        .route('GET', '/healthz', () => Promise.resolve({ status: 200, body: { status: 'ok' } }))
        .route('GET', '/v1/attest', () => Promise.resolve({ status: 400, body: {} }));
      await server.start();
      try {
        await expectSurvivesCorpus({ path }, '/healthz');
        // The target that once crashed the agent is answered as a bad request, and logged.
        const answer = await sendRawHttp({ path }, 'GET http://[ HTTP/1.1\r\nHost: x\r\n\r\n');
        expect(rawHttpStatus(answer)).toBe(400);
        expect(answer).toContain('"code":"bad_request"');
        expect(logger.records).toContainEqual(
          expect.objectContaining({ level: 'warn', message: 'bad API request' }),
        );
      } finally {
        await server.stop();
      }
    });

    test('answers a failing handler with a 500 and a log line', async ({ tempDir }) => {
      const logger = new RecordingLogger();
      const path = join(tempDir, 'failing.sock');
      const server = new LocalApiServer(path, 0o600, logger).route('GET', '/boom', () =>
        Promise.reject(new TypeError('Invalid URL')),
      );
      await server.start();
      try {
        const answer = await sendRawHttp({ path }, 'GET /boom HTTP/1.1\r\nHost: x\r\n\r\n');
        expect(rawHttpStatus(answer)).toBe(500);
        expect(answer).toContain('"code":"internal"');
        expect(logger.records).toContainEqual(
          expect.objectContaining({ level: 'error', message: 'API handler failed' }),
        );
      } finally {
        await server.stop();
      }
    });
  });

  describe('having generated requests', () => {
    test('answers every one (or closes) and keeps serving', async ({ tempDir }) => {
      const path = join(tempDir, 'generated.sock');
      const server = new LocalApiServer(path, 0o600, new RecordingLogger())
        .route('GET', '/healthz', () => Promise.resolve({ status: 200, body: { status: 'ok' } }))
        .route('GET', '/v1/attest', () => Promise.reject(new Error('handler failure')));
      await server.start();
      try {
        const text = (alphabet: string) =>
          fc
            .array(fc.constantFrom(...Array.from(alphabet)), { maxLength: 40 })
            .map((chars) => chars.join(''));
        const request = fc
          .tuple(
            fc.oneof(
              fc.constantFrom('GET', 'POST', 'PUT', 'CONNECT', 'OPTIONS'),
              text('GETPOS*[ '),
            ),
            fc.oneof(
              fc.constantFrom('/healthz', '/v1/attest?pid=1', 'http://[', '*', '//'),
              text('/%?=&[]:@\x7f\u00e9 #'),
            ),
            fc.constantFrom('HTTP/1.1', 'HTTP/1.0', 'HTTP/2', ''),
            fc.constantFrom(
              'Host: x\r\n',
              '',
              'Transfer-Encoding: chunked\r\n',
              'Content-Length: 3\r\n',
            ),
          )
          .map(
            ([method, target, version, header]) =>
              `${method} ${target} ${version}\r\n${header}\r\n`,
          );
        await fc.assert(
          fc.asyncProperty(request, async (bytes) => {
            const status = rawHttpStatus(await sendRawHttp({ path }, bytes, 2_000));
            if (status !== undefined) expect(status).toBeGreaterThanOrEqual(200);
            const healthy = await sendRawHttp({ path }, 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
            expect(rawHttpStatus(healthy)).toBe(200);
          }),
          { numRuns: 300 },
        );
      } finally {
        await server.stop();
      }
    });
  });

  describe('having something at the socket path that is not a socket', () => {
    test.for<[string, (path: string, dir: string) => Promise<void>]>([
      ['a regular file', (path) => writeFile(path, 'keep me')],
      ['a symlink', (path, dir) => symlink(join(dir, 'elsewhere'), path)],
    ])('refuses to start on %s and leaves it in place', async ([, create], { tempDir }) => {
      const path = join(tempDir, 'not-a-socket');
      await create(path, tempDir);
      const server = new LocalApiServer(path, 0o600, new RecordingLogger());
      await expect(server.start()).rejects.toThrow(
        `apiSocketPath ${path} exists and is not a socket; remove it or choose another path`,
      );
      // Still there, untouched (lstat: a symlink is not followed).
      expect((await lstat(path)).isSocket()).toBe(false);
    });
  });

  describe('having a mode that lets other users connect', () => {
    test.for([
      [0o600, false],
      [0o660, true],
      [0o606, true],
      [0o640, false],
    ] as const)('with mode %o warns: %s', async ([mode, warns], { tempDir }) => {
      const logger = new RecordingLogger();
      const server = new LocalApiServer(
        join(tempDir, `mode-${mode.toString(8)}.sock`),
        mode,
        logger,
      );
      await server.start();
      await server.stop();
      expect(
        logger.records.some(
          (record) =>
            record.level === 'warn' &&
            record.message.startsWith('the local API socket lets other users connect'),
        ),
      ).toBe(warns);
    });
  });
});

describe(MetricsHttpServer, () => {
  test('answers each malformed request with a 4xx and keeps serving', async () => {
    const server = new MetricsHttpServer(
      { host: '127.0.0.1', port: 0 },
      () => Promise.resolve(METRICS),
      () => ({ status: 200, body: { status: 'ready' } }),
      new RecordingLogger(),
    );
    await server.start();
    try {
      await expectSurvivesCorpus({ host: '127.0.0.1', port: server.port }, '/metrics');
    } finally {
      await server.stop();
    }
  });

  test('serves /healthz and /readyz for probes that cannot reach a unix socket', async () => {
    let ready = false;
    const server = new MetricsHttpServer(
      { host: '127.0.0.1', port: 0 },
      () => Promise.resolve(METRICS),
      () =>
        ready
          ? { status: 200, body: { status: 'ready' } }
          : { status: 503, body: { status: 'not ready' } },
      new RecordingLogger(),
    );
    await server.start();
    try {
      const url = (path: string) => `http://127.0.0.1:${String(server.port)}${path}`;
      expect((await fetch(url('/healthz'))).status).toBe(200);
      expect((await fetch(url('/readyz'))).status).toBe(503);
      ready = true;
      const answer = await fetch(url('/readyz'));
      expect(answer.status).toBe(200);
      expect(await answer.json()).toStrictEqual({ status: 'ready' });
    } finally {
      await server.stop();
    }
  });
});
