/** One entry of a transparency log, with the log's promise to include it. */
export interface TransparencyLogEntry {
  /** The log's identifier (hex SHA-256 of its public key). */
  readonly logId: string;
  readonly logIndex: bigint;
  /**
   * Unix seconds at which the log recorded the entry, vouched for by the signed entry
   * timestamp. Absent for a Rekor v2 entry, which proves inclusion with a checkpointed proof
   * and leaves the signing time to a timestamp authority.
   */
  readonly integratedTime?: bigint;
  /** The signed entry timestamp (base64); absent for a Rekor v2 entry. */
  readonly signedEntryTimestamp?: string;
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
