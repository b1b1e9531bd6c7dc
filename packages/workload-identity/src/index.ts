export {
  type Attestor,
  type IdentitySettings,
  WorkloadIdentityService,
} from './workload-identity-service.js';
