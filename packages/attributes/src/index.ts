export { AttributeSet, AttributeSetBuilder, type AttributeValue } from './attribute-set.js';
export { AttributeError, type AttributeErrorCode } from './errors.js';
export {
  ATTRIBUTE_CATALOG,
  type AttributeType,
  DOCKER_CONTAINER_ENV_PREFIX,
  DOCKER_CONTAINER_IMAGE,
  DOCKER_CONTAINER_IMAGE_CONFIG_DIGEST,
  DOCKER_CONTAINER_LABEL_PREFIX,
  DOCKER_RUNTIME,
  DOCKER_RUNTIME_OWNER_UID,
  envAttributeName,
  isKnownAttributeName,
  labelAttributeName,
  SIGNATURE_INTEGRATED_TIME,
  SIGNATURE_ISSUER,
  SIGNATURE_LOG_ID,
  SIGNATURE_LOG_INDEX,
  SIGNATURE_SIGNED_ENTRY_TIMESTAMP,
  SIGNATURE_SUBJECT,
  SIGNATURE_VALUE,
} from './names.js';
export {
  escapePathSegment,
  renderSpiffeIdPath,
  renderTemplate,
  spiffeIdPathTemplateProblem,
  unescapePathSegment,
} from './render.js';
export { parseTemplate, type Template, type TemplatePart } from './template.js';
