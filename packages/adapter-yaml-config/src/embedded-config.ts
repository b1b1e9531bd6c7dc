/**
 * The configuration the agent runs with when no configuration file exists: Docker (and
 * Podman) attestation enabled, every other field at its documented default.
 */
export const EMBEDDED_DEFAULT_CONFIG = `section: WorkloadAttestation
schema: v1
spec:
  docker:
    enabled: true
`;

/** Where the agent looks for its configuration unless --config or ATTESTOR_CONFIG says otherwise. */
export const DEFAULT_CONFIG_PATH = '/etc/attestor/agent.yaml';
