export { writeFileAtomically } from './atomic-file.js';
export { readBoundedBody, type ResponseBody, ResponseTooLargeError } from './bounded-body.js';
export {
  FileReadError,
  type FileReadErrorCode,
  firstInvalidUtf8Offset,
  readBoundedFile,
  readBoundedText,
} from './bounded-file.js';
export { type Deadline, withDeadline } from './deadline.js';
export { HeapTrimmer } from './heap-trimmer.js';
export { JsonShape } from './json-shape.js';
export {
  type PeerCredentials,
  peerCredentials,
  peerPidfd,
  pidfdAlive,
  userNamespaceOwnerUid,
} from './kernel.js';
export { ProcFileReader } from './proc-file.js';
export {
  classifyTransportFailure,
  type TransportFailure,
  type TransportFailureKind,
} from './transport-failure.js';
export { trustBundle } from './trust-bundle.js';
export { listenOnUnixSocket } from './unix-socket.js';
