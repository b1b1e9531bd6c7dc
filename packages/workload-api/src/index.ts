export { SpiffeWorkloadAPI } from './gen/workload_pb.js';
export { WORKLOAD_API_HTTP2_OPTIONS, WORKLOAD_API_PROTOCOLS } from './serving-options.js';
export {
  DEFAULT_WORKLOAD_API_SOCKET,
  type FetchedX509Svid,
  socketPathOf,
  splitDer,
  WorkloadApiCallError,
  WorkloadApiClient,
  type WorkloadApiErrorKind,
} from './workload-api-client.js';
export { WorkloadApiServer, type WorkloadApiServerOptions } from './workload-api-server.js';
