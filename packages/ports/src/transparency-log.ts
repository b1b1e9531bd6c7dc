/** One entry of a transparency log, with the log's promise to include it. */
export interface TransparencyLogEntry {
  /** The log's identifier (hex SHA-256 of its public key). */
  readonly logId: string;
  readonly logIndex: bigint;
  /** Unix seconds at which the log recorded the entry. */
  readonly integratedTime: bigint;
  /** The signed entry timestamp (base64). */
  readonly signedEntryTimestamp: string;
  /** The canonical entry body (base64), as the log returned it. */
  readonly bodyBase64: string;
}

/**
 * A transparency log (Rekor). Queried for the entries that record a signature.
 */
export interface TransparencyLog {
  findEntriesForArtifact(
    sha256Hex: string,
    signal?: AbortSignal,
  ): Promise<readonly TransparencyLogEntry[]>;
}
