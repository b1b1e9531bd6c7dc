import { create, createRegistry, type DescFile, type Registry, toBinary } from '@bufbuild/protobuf';
import { FileDescriptorProtoSchema } from '@bufbuild/protobuf/wkt';
import { type Server, status } from '@grpc/grpc-js';

import {
  file_grpc_health_v1_health,
  Health,
  HealthCheckResponse_ServingStatus,
  HealthCheckResponseSchema,
  HealthListResponseSchema,
} from './gen/grpc/health/v1/health_pb.js';
import {
  ErrorResponseSchema,
  file_grpc_reflection_v1_reflection,
  FileDescriptorResponseSchema,
  ListServiceResponseSchema,
  ServerReflection,
  type ServerReflectionRequest,
  type ServerReflectionResponse,
  ServerReflectionResponseSchema,
  ServiceResponseSchema,
} from './gen/grpc/reflection/v1/reflection_pb.js';
import { file_workload, SpiffeWorkloadAPI } from './gen/workload_pb.js';
import { addService, RpcError } from './grpc.js';

/** The services on the Workload API socket, as reflection lists them. */
const SERVICES = [SpiffeWorkloadAPI.typeName, Health.typeName, ServerReflection.typeName];

/** At most this many reflection requests on one stream: a client needs a handful. */
const MAX_REFLECTION_REQUESTS = 1_000;

/**
 * The standard gRPC health service (grpc.health.v1): the server (`""`) and the Workload API
 * are SERVING while the server runs. It needs no metadata, so that ordinary probes work; it
 * tells nothing about any workload.
 */
export function addHealthService(server: Server, serving: () => boolean): void {
  const current = (): HealthCheckResponse_ServingStatus =>
    serving()
      ? HealthCheckResponse_ServingStatus.SERVING
      : HealthCheckResponse_ServingStatus.NOT_SERVING;
  const statusOf = (service: string): HealthCheckResponse_ServingStatus | undefined =>
    service === '' || service === SpiffeWorkloadAPI.typeName ? current() : undefined;
  addService(server, Health, {
    check: (request) => {
      const found = statusOf(request.service);
      if (found === undefined)
        throw new RpcError(status.NOT_FOUND, `unknown service ${JSON.stringify(request.service)}`);
      return create(HealthCheckResponseSchema, { status: found });
    },
    async *watch(request, context) {
      yield create(HealthCheckResponseSchema, {
        status: statusOf(request.service) ?? HealthCheckResponse_ServingStatus.SERVICE_UNKNOWN,
      });
      // The status does not change while the server runs; the stream ends when it stops.
      await new Promise<void>((resolve) => {
        context.signal.addEventListener(
          'abort',
          () => {
            resolve();
          },
          { once: true },
        );
      });
    },
    list: () =>
      create(HealthListResponseSchema, {
        statuses: Object.fromEntries(
          ['', SpiffeWorkloadAPI.typeName].map((service) => [
            service,
            create(HealthCheckResponseSchema, { status: current() }),
          ]),
        ),
      }),
  });
}

/**
 * gRPC server reflection (grpc.reflection.v1), so that grpcurl and buf curl can call the
 * Workload API without a copy of its proto. It describes only the vendored files.
 */
export function addReflectionService(server: Server): void {
  const served = [file_workload, file_grpc_health_v1_health, file_grpc_reflection_v1_reflection];
  const registry = createRegistry(...served);
  const files = new Map(served.flatMap(withDependencies).map((file) => [file.proto.name, file]));
  addService(server, ServerReflection, {
    async *serverReflectionInfo(requests) {
      let answered = 0;
      for await (const request of requests) {
        if (++answered > MAX_REFLECTION_REQUESTS)
          throw new RpcError(
            status.RESOURCE_EXHAUSTED,
            'too many reflection requests on one stream',
          );
        yield reflect(registry, files, request);
      }
    },
  });
}

function reflect(
  registry: Registry,
  byName: ReadonlyMap<string, DescFile>,
  request: ServerReflectionRequest,
): ServerReflectionResponse {
  const answer = (messageResponse: ServerReflectionResponse['messageResponse']) =>
    create(ServerReflectionResponseSchema, {
      validHost: request.host,
      originalRequest: request,
      messageResponse,
    });
  const notFound = (what: string) =>
    answer({
      case: 'errorResponse',
      value: create(ErrorResponseSchema, {
        errorCode: status.NOT_FOUND,
        errorMessage: `${what} not found`,
      }),
    });
  const files = (file: DescFile | undefined, what: string) =>
    file === undefined
      ? notFound(what)
      : answer({
          case: 'fileDescriptorResponse',
          value: create(FileDescriptorResponseSchema, {
            fileDescriptorProto: withDependencies(file).map((each) =>
              toBinary(FileDescriptorProtoSchema, each.proto),
            ),
          }),
        });
  const { messageRequest } = request;
  switch (messageRequest.case) {
    case 'listServices':
      return answer({
        case: 'listServicesResponse',
        value: create(ListServiceResponseSchema, {
          service: SERVICES.map((name) => create(ServiceResponseSchema, { name })),
        }),
      });
    case 'fileByFilename':
      return files(byName.get(messageRequest.value), `file ${messageRequest.value}`);
    case 'fileContainingSymbol':
      return files(fileOfSymbol(registry, messageRequest.value), `symbol ${messageRequest.value}`);
    case 'fileContainingExtension':
    case 'allExtensionNumbersOfType':
      // These files define no extensions.
      return notFound('extension');
    case undefined:
      return answer({
        case: 'errorResponse',
        value: create(ErrorResponseSchema, {
          errorCode: status.INVALID_ARGUMENT,
          errorMessage: 'empty reflection request',
        }),
      });
  }
}

/** The file that defines `symbol`: a message, enum or service, or a service's method. */
function fileOfSymbol(registry: Registry, symbol: string): DescFile | undefined {
  const found = registry.get(symbol);
  if (found !== undefined && 'file' in found) return found.file;
  // A method, `Service.Method`: the file of its service.
  const dot = symbol.lastIndexOf('.');
  const service = dot > 0 ? registry.getService(symbol.slice(0, dot)) : undefined;
  return service?.methods.some((method) => method.name === symbol.slice(dot + 1)) === true
    ? service.file
    : undefined;
}

/** A file and every file it imports, each once, the file first. */
function withDependencies(file: DescFile): DescFile[] {
  const seen = new Set<DescFile>();
  const visit = (each: DescFile): void => {
    if (seen.has(each)) return;
    seen.add(each);
    each.dependencies.forEach(visit);
  };
  visit(file);
  return [...seen];
}
