import type { X509Certificate } from '@peculiar/x509';

import type { TestCtLog } from './ct-log.js';
import type { TestTimestampAuthority } from './timestamp-authority.js';
import type { TestTransparencyLog } from './transparency-log.js';

/**
 * A Sigstore trusted_root.json (media type application/vnd.dev.sigstore.trustedroot+json;
 * version=0.1) that trusts a test CA, a test transparency log and, when given, a test CT log
 * (verifiers then require an SCT from it in every certificate) and a test RFC 3161 timestamp
 * authority.
 */
export function buildTrustedRoot(options: {
  readonly ca: { readonly root: X509Certificate; readonly intermediate: X509Certificate };
  readonly log: TestTransparencyLog;
  readonly logBaseUrl: string;
  readonly ctLog?: TestCtLog;
  readonly timestampAuthority?: TestTimestampAuthority;
  readonly validFrom?: Date;
}): Record<string, unknown> {
  const start = (options.validFrom ?? new Date(Date.now() - 24 * 60 * 60 * 1000)).toISOString();
  return {
    mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
    tlogs: [
      {
        baseUrl: options.logBaseUrl,
        hashAlgorithm: 'SHA2_256',
        publicKey: {
          rawBytes: options.log.publicKeyDer.toString('base64'),
          keyDetails: 'PKIX_ECDSA_P256_SHA_256',
          validFor: { start },
        },
        logId: { keyId: Buffer.from(options.log.logId, 'hex').toString('base64') },
      },
    ],
    certificateAuthorities: [
      {
        subject: { organization: 'attestor test', commonName: 'attestor test intermediate' },
        uri: 'https://fulcio.test.invalid',
        certChain: {
          certificates: [
            { rawBytes: Buffer.from(options.ca.intermediate.rawData).toString('base64') },
            { rawBytes: Buffer.from(options.ca.root.rawData).toString('base64') },
          ],
        },
        validFor: { start },
      },
    ],
    ctlogs:
      options.ctLog === undefined
        ? []
        : [
            {
              baseUrl: 'https://ctfe.test.invalid',
              hashAlgorithm: 'SHA2_256',
              publicKey: {
                rawBytes: options.ctLog.publicKeyDer.toString('base64'),
                keyDetails: 'PKIX_ECDSA_P256_SHA_256',
                validFor: { start },
              },
              logId: { keyId: Buffer.from(options.ctLog.logId, 'hex').toString('base64') },
            },
          ],
    timestampAuthorities:
      options.timestampAuthority === undefined
        ? []
        : [
            {
              subject: { organization: 'sigstore.mock', commonName: 'tsa' },
              uri: 'https://tsa.test.invalid',
              certChain: {
                certificates: options.timestampAuthority.certificateChain.map((der) => ({
                  rawBytes: der.toString('base64'),
                })),
              },
              validFor: { start },
            },
          ],
  };
}
