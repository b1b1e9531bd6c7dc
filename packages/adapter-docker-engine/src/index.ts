export {
  DockerEngineContainerRuntime,
  type DockerEngineOptions,
} from './docker-engine-container-runtime.js';
export {
  parseContainerInspect,
  parseImageInspect,
  negotiateApiVersion,
} from './inspect-parsers.js';
