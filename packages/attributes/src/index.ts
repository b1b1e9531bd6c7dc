export {
  ATTRIBUTE_CATALOG,
  DOCKER_CONTAINER_IMAGE,
  DOCKER_CONTAINER_IMAGE_CONFIG_DIGEST,
  DOCKER_CONTAINER_LABEL_PREFIX,
  DOCKER_CONTAINER_ENV_PREFIX,
  DOCKER_RUNTIME,
  DOCKER_RUNTIME_OWNER_UID,
  SIGNATURE_SUBJECT,
  SIGNATURE_ISSUER,
  SIGNATURE_VALUE,
  SIGNATURE_LOG_ID,
  SIGNATURE_LOG_INDEX,
  SIGNATURE_INTEGRATED_TIME,
  SIGNATURE_SIGNED_ENTRY_TIMESTAMP,
  labelAttributeName,
  envAttributeName,
  isKnownAttributeName,
  type AttributeType,
} from './names.js';
export { AttributeSet, AttributeSetBuilder, type AttributeValue } from './attribute-set.js';
export { parseTemplate, type Template, type TemplatePart } from './template.js';
export { renderTemplate, renderSpiffeIdPath, spiffeIdPathTemplateProblem } from './render.js';
export { AttributeError, type AttributeErrorCode } from './errors.js';
