export { WorkloadApiServer, type WorkloadApiServerOptions } from './workload-api-server.js';
