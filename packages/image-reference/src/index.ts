export { imageDigestReference, parseImageReference } from './image-reference.js';
