export { publishCosignArtifacts, type PublishOptions, slsaProvenance } from './cosign-publisher.js';
export { OID_SCT_LIST, TestCtLog } from './ct-log.js';
export { pushBlob, pushManifest, sha256 } from './oci-push.js';
export { TestRekorServer } from './rekor-server.js';
export {
  asBundleVersion,
  canonicalize,
  imageStatement,
  signArtifact,
  signArtifactRekorV2,
  signArtifactWithKey,
  signAttestationLegacy,
  signImageLegacy,
  signStatement,
  signStatementRekorV2,
} from './signer.js';
export {
  type IssuedCertificate,
  OID_ISSUER_V1,
  OID_ISSUER_V2,
  type SignerIdentity,
  TestCertificateAuthority,
} from './test-ca.js';
export { TestTimestampAuthority } from './timestamp-authority.js';
export { type LogEntryEvidence, TestTransparencyLog } from './transparency-log.js';
export { buildTrustedRoot } from './trusted-root.js';
export { TestTufRepository } from './tuf-repository.js';
