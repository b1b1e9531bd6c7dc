export const HELP = `attestor: identify the container behind a process

Usage:
  attestor config validate FILE...         check configuration files; list every error
  attestor attest --pid N [--config FILE] [--output json|text] [--identity]
                                           attest a process: its container's attributes;
                                           with --identity, its SPIFFE ID (WorkloadIdentity)
  attestor verify-image REF [--config FILE] [--output json|text]
                                           verify an image's Sigstore signature (exit 0 only when verified)
  attestor sigstore verify-bundle --bundle FILE (--certificate-identity ID --certificate-oidc-issuer URL | --key KEY)
                                  [--trusted-root FILE] FILE_OR_DIGEST   (default root: public Sigstore, via TUF)
                                           verify one Sigstore bundle (exit 0 only when verified)
  attestor policy check --issuer I --subject S [--config FILE] [--output json|text]
                                           which allowedIdentities pattern allows a signer
  attestor locate --pid N                  print the container a process runs in (from its cgroup)
  attestor locate --cgroup-file FILE       the same, from a saved /proc/<pid>/cgroup
  attestor svid fetch [--socket S] [--write DIR] [--output json|text]
                                           this process's X.509-SVIDs from the Workload API
                                           (--write: svid.pem, svid.key, bundle.pem)
  attestor svid jwt --audience A [--spiffe-id ID] [--socket S] [--output json|text]
                                           this process's JWT-SVIDs for an audience
  attestor svid validate --audience A TOKEN [--socket S] [--output json|text]
                                           validate a JWT-SVID (exit 0 only when valid)
                                           (the socket: --socket, $SPIFFE_ENDPOINT_SOCKET,
                                           then /run/attestor/workload/api.sock)
  attestor --help                          show this help
  attestor --version                       show the version

Exit codes:
  0   success (a process outside any container is a success: {"containerId": null})
  1   invalid input: configuration errors, malformed cgroup text
  2   usage error: unknown command or option
  3   unavailable: a file or process could not be read, a runtime did not answer
  4   refused: the process could not be tied to a container; no SVID for it; a JWT-SVID
      that does not validate
  70  internal error (a bug; please report it)
`;
