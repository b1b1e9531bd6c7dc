export {
  DockerEngineContainerRuntime,
  type DockerEngineOptions,
} from './docker-engine-container-runtime.js';
export {
  negotiateApiVersion,
  parseContainerInspect,
  parseImageInspect,
} from './inspect-parsers.js';
