export {
  FileReadError,
  firstInvalidUtf8Offset,
  readBoundedFile,
  readBoundedText,
  type FileReadErrorCode,
} from './bounded-file.js';
export { peerCredentials, userNamespaceOwnerUid, type PeerCredentials } from './kernel.js';
