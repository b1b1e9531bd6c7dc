import type { ServerOptions } from 'node:http2';

import type { ConnectNodeAdapterOptions } from '@connectrpc/connect-node';

/** A workload needs a stream or two per SVID kind; a connection gets no more than this. */
const MAX_STREAMS_PER_CONNECTION = 16;

/**
 * How the Workload API speaks: gRPC alone. Answers go uncompressed whatever the caller
 * accepts: compression would hold some 256 KiB of zlib state per stream for DER and keys that
 * do not shrink, and would put an SVID's private key through one compressor with text the
 * workload chose. In a module of their own, with the HTTP/2 options, so that the benchmark's
 * floor is served exactly as the agent serves without loading the server.
 */
export const WORKLOAD_API_PROTOCOLS = {
  grpc: true,
  grpcWeb: false,
  connect: false,
  acceptCompression: [],
} as const satisfies Partial<ConnectNodeAdapterOptions>;

/** Every local user may connect: bound what one connection may hold. */
export const WORKLOAD_API_HTTP2_OPTIONS = {
  maxSessionMemory: 1,
  settings: {
    maxConcurrentStreams: MAX_STREAMS_PER_CONNECTION,
    maxHeaderListSize: 16 * 1024,
  },
} as const satisfies ServerOptions;
