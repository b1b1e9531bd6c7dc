import {
  type DescMessage,
  type DescMethod,
  type DescMethodBiDiStreaming,
  type DescMethodServerStreaming,
  type DescMethodUnary,
  type DescService,
  fromBinary,
  type MessageShape,
  toBinary,
} from '@bufbuild/protobuf';
import {
  type MethodDefinition,
  type sendUnaryData,
  type Server,
  type ServerDuplexStream,
  type ServerUnaryCall,
  type ServerWritableStream,
  status,
  type StatusObject,
  type UntypedHandleCall,
} from '@grpc/grpc-js';

/**
 * The services of the vendored protos, served and called with grpc-js, the gRPC library of
 * the npm registry that holds a thousand open streams in the least memory (see the bench).
 * The messages stay protobuf-es's, generated from the protos; this module is the one place
 * that knows how the two meet: a method's path, its kind, and its (de)serialization.
 */

/** A gRPC status to end a call with; `message` goes to the caller as the status details. */
export class RpcError extends Error {
  override readonly name = 'RpcError';
  constructor(
    readonly code: status,
    message: string,
  ) {
    super(message);
  }
}

/** What a handler knows of its call. */
export interface CallContext {
  /** The first value of a request metadata key, or undefined. */
  header(name: string): string | undefined;
  /** The connection the call came on, as the server named it when it accepted it. */
  readonly peer: string;
  /** Aborted when the caller cancels, its deadline passes or the connection goes. */
  readonly signal: AbortSignal;
}

type MethodHandler<M extends DescMethod> =
  M extends DescMethodUnary<infer I, infer O>
    ? (request: MessageShape<I>, context: CallContext) => MessageShape<O> | Promise<MessageShape<O>>
    : M extends DescMethodServerStreaming<infer I, infer O>
      ? (request: MessageShape<I>, context: CallContext) => AsyncIterable<MessageShape<O>>
      : M extends DescMethodBiDiStreaming<infer I, infer O>
        ? (
            requests: AsyncIterable<MessageShape<I>>,
            context: CallContext,
          ) => AsyncIterable<MessageShape<O>>
        : never;

/**
 * Handlers for the methods of `S`; a method without one answers Unimplemented, as grpc-js
 * answers it. Client streaming is served by none.
 */
export type ServiceHandlers<S extends DescService> = {
  [K in keyof S['method']]?: MethodHandler<S['method'][K]>;
};

/** The path, kind and codecs of a method, for a grpc-js server and client alike. */
export function methodDefinition(
  service: DescService,
  method: DescMethod,
): MethodDefinition<unknown, unknown> {
  const serializer = (schema: DescMessage) => (message: unknown) => {
    const bytes = toBinary(schema, message as MessageShape<DescMessage>);
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  };
  return {
    path: `/${service.typeName}/${method.name}`,
    originalName: method.localName,
    requestStream:
      method.methodKind === 'client_streaming' || method.methodKind === 'bidi_streaming',
    responseStream:
      method.methodKind === 'server_streaming' || method.methodKind === 'bidi_streaming',
    requestSerialize: serializer(method.input),
    requestDeserialize: (bytes) => fromBinary(method.input, bytes),
    responseSerialize: serializer(method.output),
    responseDeserialize: (bytes) => fromBinary(method.output, bytes),
  };
}

/** Serves `service` on `server` with `handlers`. */
export function addService<S extends DescService>(
  server: Server,
  service: S,
  handlers: ServiceHandlers<S>,
): void {
  const definition: Record<string, MethodDefinition<unknown, unknown>> = {};
  const implementation: Record<string, UntypedHandleCall> = {};
  for (const method of service.methods) {
    definition[method.localName] = methodDefinition(service, method);
    const handler = (handlers as Record<string, AnyHandler | undefined>)[method.localName];
    if (handler !== undefined) implementation[method.localName] = callHandler(method, handler);
  }
  server.addService(definition, implementation);
}

type AnyHandler = (input: unknown, context: CallContext) => unknown;

function callHandler(method: DescMethod, handler: AnyHandler): UntypedHandleCall {
  switch (method.methodKind) {
    case 'unary':
      return (call: ServerUnaryCall<unknown, unknown>, callback: sendUnaryData<unknown>) => {
        new Promise((resolve) => {
          resolve(handler(call.request, contextOf(call)));
        }).then(
          (response) => {
            callback(null, response);
          },
          (error: unknown) => {
            callback(statusOf(error));
          },
        );
      };
    case 'server_streaming':
      return (call: ServerWritableStream<unknown, unknown>) => {
        const context = contextOf(call);
        void respond(call, () => handler(call.request, context) as AsyncIterable<unknown>, context);
      };
    case 'bidi_streaming':
      return (call: ServerDuplexStream<unknown, unknown>) => {
        const context = contextOf(call);
        void respond(call, () => handler(call, context) as AsyncIterable<unknown>, context);
      };
    case 'client_streaming':
      throw new TypeError(`${method.name}: client streaming is not served`);
  }
}

/** Writes every response of a stream, then its status; stops at once when the call ends. */
async function respond(
  call: ServerWritableStream<unknown, unknown> | ServerDuplexStream<unknown, unknown>,
  responses: () => AsyncIterable<unknown>,
  context: CallContext,
): Promise<void> {
  try {
    for await (const response of responses()) {
      if (context.signal.aborted) return;
      if (!call.write(response)) await drained(call, context.signal);
    }
    if (!context.signal.aborted) call.end();
  } catch (error) {
    if (!context.signal.aborted) call.emit('error', statusOf(error));
  }
}

function drained(call: NodeJS.WritableStream, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      call.off('drain', done);
      signal.removeEventListener('abort', done);
      resolve();
    };
    call.once('drain', done);
    signal.addEventListener('abort', done, { once: true });
  });
}

function contextOf(
  call:
    | ServerUnaryCall<unknown, unknown>
    | ServerWritableStream<unknown, unknown>
    | ServerDuplexStream<unknown, unknown>,
): CallContext {
  const controller = new AbortController();
  (call as NodeJS.EventEmitter).once('cancelled', () => {
    controller.abort();
  });
  return {
    header: (name) => {
      const [value] = call.metadata.get(name);
      return typeof value === 'string' ? value : undefined;
    },
    peer: call.getPeer(),
    signal: controller.signal,
  };
}

/** The status a call ends with: an RpcError's own, anything else an internal error. */
function statusOf(error: unknown): Partial<StatusObject> {
  // Anything but an RpcError is a defect: the caller learns nothing of it.
  return error instanceof RpcError
    ? { code: error.code, details: error.message }
    : { code: status.INTERNAL, details: 'internal error' };
}
