export { SpiffeWorkloadAPI } from './gen/workload_pb.js';
export { addService, type CallContext, RpcError, type ServiceHandlers } from './grpc.js';
export { WORKLOAD_API_SERVER_OPTIONS } from './serving-options.js';
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
