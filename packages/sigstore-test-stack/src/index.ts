export {
  TestCertificateAuthority,
  OID_ISSUER_V1,
  OID_ISSUER_V2,
  type SignerIdentity,
  type IssuedCertificate,
} from './test-ca.js';
export { TestTransparencyLog, type LogEntryEvidence } from './transparency-log.js';
export { buildTrustedRoot } from './trusted-root.js';
export { OID_SCT_LIST, TestCtLog } from './ct-log.js';
export { TestTimestampAuthority } from './timestamp-authority.js';
export {
  asBundleVersion,
  signArtifact,
  signArtifactRekorV2,
  signArtifactWithKey,
  signStatement,
  signStatementRekorV2,
  signImageLegacy,
  signAttestationLegacy,
  imageStatement,
  canonicalize,
} from './signer.js';
export { pushBlob, pushManifest, sha256 } from './oci-push.js';
export { publishCosignArtifacts, slsaProvenance, type PublishOptions } from './cosign-publisher.js';
export { TestRekorServer } from './rekor-server.js';
export { TestTufRepository } from './tuf-repository.js';
