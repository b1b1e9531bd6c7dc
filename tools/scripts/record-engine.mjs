#!/usr/bin/env node
/**
 * Records the answers of a real Docker or Podman (compat API) daemon that the Docker adapter
 * reads, into packages/adapter-docker-engine/recorded/NAME.json, for the replay tests.
 *
 *   node tools/scripts/record-engine.mjs --socket /run/docker.sock --name docker-28.5-classic \
 *     --engine 'Docker Engine 28.5.2, classic image store' --rootfs /tmp/rootfs.tar
 *
 * It imports the rootfs tarball as an image, pushes it to the registry and pulls it back (so that
 * the image has the RepoDigests a pulled image has), runs a container from it with the label and
 * environment the tests expect, and records /_ping, /version, the daemon's refusals of a version
 * below its minimum and above its maximum, and the container and image inspect answers in the
 * API version the adapter negotiates. Everything it creates is removed again.
 *
 * Plain node with no dependencies, so that it runs against a daemon anywhere (a chroot, another
 * host) with only this file copied over.
 */
import { Buffer } from 'node:buffer';
import { request } from 'node:http';
import { createReadStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';

/** The newest API version the adapter reads; keep in step with negotiateApiVersion. */
const NEWEST_READ = '1.52';

const { values } = parseArgs({
  options: {
    socket: { type: 'string' },
    name: { type: 'string' },
    engine: { type: 'string' },
    rootfs: { type: 'string' },
    registry: { type: 'string', default: '127.0.0.1:5000' },
    source: { type: 'string', default: 'recorded from the daemon on the CI machine' },
    out: { type: 'string' },
  },
});
for (const required of ['socket', 'name', 'engine', 'rootfs']) {
  if (values[required] === undefined) {
    process.stderr.write(`record-engine: --${required} is required\n`);
    process.exit(2);
  }
}
const { socket, name, engine, rootfs, registry, source } = values;
const out =
  values.out ??
  new URL(`../../packages/adapter-docker-engine/recorded/${name}.json`, import.meta.url);

/** One request to the daemon; the body is a buffer, a stream or a JSON value. */
function call(method, path, { body, headers = {} } = {}) {
  return new Promise((resolve, reject) => {
    const json = body !== undefined && !Buffer.isBuffer(body) && typeof body.pipe !== 'function';
    const req = request(
      {
        socketPath: socket,
        method,
        path,
        headers: json ? { 'content-type': 'application/json', ...headers } : headers,
      },
      (res) => {
        const chunks = [];
        res.on('data', (chunk) => chunks.push(chunk));
        res.on('end', () => {
          resolve({
            status: res.statusCode,
            headers: res.headers,
            text: Buffer.concat(chunks).toString('utf8'),
          });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    if (body === undefined) req.end();
    else if (json) req.end(JSON.stringify(body));
    else if (Buffer.isBuffer(body)) req.end(body);
    else body.pipe(req);
  });
}

/** A request that must succeed; a streamed progress answer must not carry an error. */
async function must(method, path, options) {
  const answer = await call(method, path, options);
  if (answer.status >= 300)
    throw new Error(`${method} ${path}: HTTP ${answer.status}: ${answer.text}`);
  for (const line of answer.text.split('\n')) {
    if (!line.startsWith('{')) continue;
    const message = JSON.parse(line);
    if (message.error !== undefined || message.errorDetail !== undefined) {
      throw new Error(`${method} ${path}: ${message.error ?? JSON.stringify(message.errorDetail)}`);
    }
  }
  return answer;
}

function parts(version) {
  const [major, minor] = version.split('.').map(Number);
  return major * 1000 + minor;
}

const ping = await must('GET', '/_ping');
const pingHeaders = {};
for (const [header, value] of Object.entries(ping.headers)) {
  if (['date', 'content-length', 'content-type', 'connection', 'x-reference-id'].includes(header))
    continue;
  const canonical = header.replace(
    /(^|-)([a-z])/g,
    (_, dash, letter) => dash + letter.toUpperCase(),
  );
  pingHeaders[canonical] = value;
}
const serverVersion = pingHeaders['Api-Version'];
const version = JSON.parse((await must('GET', '/version')).text);
const minimum = version.MinAPIVersion ?? version.MinApiVersion;
const apiVersion = parts(serverVersion) < parts(NEWEST_READ) ? serverVersion : NEWEST_READ;
const v = `/v${apiVersion}`;

/**
 * The daemon's refusal of `asked` as it came (Docker 28 refuses a too-old version in plain text,
 * a too-new one in JSON), with the version replaced by the placeholder the tests fill.
 */
async function refusal(asked) {
  const answer = await call('GET', `/v${asked}/version`);
  if (answer.status !== 400) return undefined;
  return {
    contentType: answer.headers['content-type'],
    body: answer.text.replaceAll(asked, '{version}'),
  };
}

const repository = `${registry}/recorded/${name}`;
const reference = `${repository}:1`;
const registryAuth = Buffer.from('{}').toString('base64');
let containerId;
try {
  await must('POST', `${v}/images/create?fromSrc=-&repo=${encodeURIComponent(repository)}&tag=1`, {
    body: createReadStream(rootfs),
    headers: { 'content-type': 'application/x-tar' },
  });
  await must('POST', `${v}/images/${encodeURIComponent(repository)}/push?tag=1`, {
    headers: { 'x-registry-auth': registryAuth },
  });
  await must('DELETE', `${v}/images/${encodeURIComponent(reference)}`);
  await must('POST', `${v}/images/create?fromImage=${encodeURIComponent(repository)}&tag=1`, {
    headers: { 'x-registry-auth': registryAuth },
  });
  const created = await must('POST', `${v}/containers/create?name=attestor-recorded-${name}`, {
    body: {
      Image: reference,
      Cmd: ['/bin/sleep', '600'],
      Env: ['APP_X=1'],
      Labels: { 'com.example.app': 'payments' },
      HostConfig: { NetworkMode: 'none' },
    },
  });
  containerId = JSON.parse(created.text).Id;
  await must('POST', `${v}/containers/${containerId}/start`);
  const containerInspect = JSON.parse(
    (await must('GET', `${v}/containers/${containerId}/json`)).text,
  );
  const imageInspect = JSON.parse(
    (await must('GET', `${v}/images/${containerInspect.Image}/json`)).text,
  );
  const recording = {
    engine,
    source,
    apiVersions: { minimum, maximum: serverVersion },
    tooOld: await refusal('1.11'),
    tooNew: await refusal('9.99'),
    ping: pingHeaders,
    version,
    containerInspect,
    imageInspect,
  };
  await writeFile(out, `${JSON.stringify(recording, null, 2)}\n`);
  process.stdout.write(
    `record-engine: ${name}: API ${apiVersion} of ${minimum}..${serverVersion} -> ${out}\n`,
  );
} finally {
  if (containerId !== undefined) await call('DELETE', `${v}/containers/${containerId}?force=true`);
  await call('DELETE', `${v}/images/${encodeURIComponent(reference)}?force=true`);
}
