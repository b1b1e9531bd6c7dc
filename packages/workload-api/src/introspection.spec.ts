import { connect } from 'node:net';
import { join } from 'node:path';

import type { WorkloadIdentityProvider } from '@attestor/ports';
import { RecordingLogger } from '@attestor/testing';
import { test } from '@attestor/testing/fixtures';
import { create, createFileRegistry, fromBinary } from '@bufbuild/protobuf';
import { FileDescriptorProtoSchema, FileDescriptorSetSchema } from '@bufbuild/protobuf/wkt';
import { Code, ConnectError, createClient } from '@connectrpc/connect';
import { createGrpcTransport } from '@connectrpc/connect-node';
import { afterEach, describe, expect } from 'vitest';

import { Health, HealthCheckResponse_ServingStatus } from './gen/grpc/health/v1/health_pb.js';
import {
  ExtensionRequestSchema,
  ServerReflection,
  type ServerReflectionRequest,
  ServerReflectionRequestSchema,
} from './gen/grpc/reflection/v1/reflection_pb.js';
import { WorkloadApiServer } from './workload-api-server.js';

/** Health and reflection never reach the provider: every call of it fails the test. */
const UNUSED: WorkloadIdentityProvider = {
  x509Svids: () => Promise.reject(new Error('not for introspection')),
  jwtSvids: () => Promise.reject(new Error('not for introspection')),
  bundles: () => {
    throw new Error('not for introspection');
  },
  validateJwtSvid: () => Promise.reject(new Error('not for introspection')),
  onChange: () => () => undefined,
};

const servers: WorkloadApiServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.stop()));
});

async function transportTo(directory: string) {
  const socketPath = join(directory, 'api.sock');
  const server = new WorkloadApiServer(UNUSED, new RecordingLogger(), { socketPath });
  await server.start();
  servers.push(server);
  return createGrpcTransport({
    baseUrl: 'http://localhost',
    nodeOptions: { createConnection: () => connect(socketPath) },
  });
}

async function* requests(...messages: ServerReflectionRequest['messageRequest'][]) {
  for (const messageRequest of messages) {
    await Promise.resolve();
    yield create(ServerReflectionRequestSchema, { host: 'localhost', messageRequest });
  }
}

describe('the standard gRPC services on the Workload API socket', () => {
  test('health: the server and the Workload API are SERVING, an unknown service NotFound', async ({
    tempDir,
  }) => {
    const health = createClient(Health, await transportTo(tempDir));
    expect((await health.check({ service: '' })).status).toBe(
      HealthCheckResponse_ServingStatus.SERVING,
    );
    expect((await health.check({ service: 'SpiffeWorkloadAPI' })).status).toBe(
      HealthCheckResponse_ServingStatus.SERVING,
    );
    const unknown = await health
      .check({ service: 'nope' })
      .catch((error: unknown) => ConnectError.from(error));
    expect(unknown).toMatchObject({ code: Code.NotFound });
    expect(Object.keys((await health.list({})).statuses).sort()).toStrictEqual([
      '',
      'SpiffeWorkloadAPI',
    ]);
    // Watch sends the status at once, and holds the stream open.
    const controller = new AbortController();
    const watched: HealthCheckResponse_ServingStatus[] = [];
    try {
      for await (const status of health.watch({ service: 'nope' }, { signal: controller.signal })) {
        watched.push(status.status);
        controller.abort();
      }
    } catch (error) {
      expect(ConnectError.from(error).code).toBe(Code.Canceled);
    }
    expect(watched).toStrictEqual([HealthCheckResponse_ServingStatus.SERVICE_UNKNOWN]);
  });

  test('reflection lists the services and describes them, imports included', async ({
    tempDir,
  }) => {
    const reflection = createClient(ServerReflection, await transportTo(tempDir));
    const answers = [];
    for await (const answer of reflection.serverReflectionInfo(
      requests(
        { case: 'listServices', value: '' },
        { case: 'fileContainingSymbol', value: 'SpiffeWorkloadAPI.FetchX509SVID' },
        { case: 'fileByFilename', value: 'grpc/health/v1/health.proto' },
        { case: 'fileContainingSymbol', value: 'No.Such.Thing' },
        {
          case: 'fileContainingExtension',
          value: create(ExtensionRequestSchema, { containingType: 'X509SVID', extensionNumber: 9 }),
        },
      ),
    ))
      answers.push(answer.messageResponse);
    const [services, workload, health, unknown, extension] = answers;
    expect(
      services?.case === 'listServicesResponse' && services.value.service.map(({ name }) => name),
    ).toStrictEqual([
      'SpiffeWorkloadAPI',
      'grpc.health.v1.Health',
      'grpc.reflection.v1.ServerReflection',
    ]);
    // The descriptors are enough to build a registry: the Workload API and what it imports.
    const described = workload?.case === 'fileDescriptorResponse' ? workload.value : undefined;
    const files = (described?.fileDescriptorProto ?? []).map((bytes) =>
      fromBinary(FileDescriptorProtoSchema, bytes),
    );
    expect(files.map(({ name }) => name)).toStrictEqual([
      'workload.proto',
      'google/protobuf/struct.proto',
    ]);
    const registry = createFileRegistry(create(FileDescriptorSetSchema, { file: files.reverse() }));
    expect(registry.getService('SpiffeWorkloadAPI')?.methods.map(({ name }) => name)).toContain(
      'FetchJWTSVID',
    );
    expect(
      health?.case === 'fileDescriptorResponse' && health.value.fileDescriptorProto,
    ).toHaveLength(1);
    for (const error of [unknown, extension])
      expect(error?.case === 'errorResponse' && error.value.errorCode).toBe(Code.NotFound);
  });
});
