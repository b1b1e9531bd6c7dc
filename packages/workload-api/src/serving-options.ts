import type { ServerOptions } from '@grpc/grpc-js';

/**
 * How the Workload API's gRPC server is configured: every local user may connect, so each
 * option bounds what one connection may hold. In a module of its own so that the benchmark's
 * floor is served exactly as the agent serves without loading the server.
 *
 * Answers are never compressed (grpc-js does not compress what a server sends); a compressed
 * request is inflated only up to the largest request the server takes.
 */
export const WORKLOAD_API_SERVER_OPTIONS = {
  /** A workload needs a stream or two per SVID kind; a connection gets no more than this. */
  'grpc.max_concurrent_streams': 16,
  /** MB of HTTP/2 state (headers, unsent frames) one connection may hold. */
  'grpc-node.max_session_memory': 1,
  /** The largest request is a JWT-SVID to validate; 64 KiB is far more than any. */
  'grpc.max_receive_message_length': 64 * 1024,
  /** Channelz keeps a record of every connection and call; nothing here reads it. */
  'grpc.enable_channelz': 0,
} as const satisfies ServerOptions;
