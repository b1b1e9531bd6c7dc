import { CommandLine, type CommandSpec } from './command-line.js';
import type { AgentCommand } from './commands/agent.js';
import type { AttestCommand } from './commands/attest.js';
import type { ConfigValidateCommand } from './commands/config-validate.js';
import type { LocateCommand } from './commands/locate.js';
import type { PolicyCheckCommand } from './commands/policy-check.js';
import type { SvidCommand } from './commands/svid.js';
import type { TrustedRootCommand } from './commands/trusted-root.js';
import type { VerifyBundleCommand } from './commands/verify-bundle.js';
import type { VerifyImageCommand } from './commands/verify-image.js';
import type { ExitCode } from './exit-codes.js';
import type { CommandOutput } from './io.js';

export interface CliCommands {
  readonly attest: AttestCommand;
  readonly configValidate: ConfigValidateCommand;
  readonly locate: LocateCommand;
  readonly policyCheck: PolicyCheckCommand;
  readonly verifyImage: VerifyImageCommand;
  readonly verifyBundle: VerifyBundleCommand;
  readonly svid: SvidCommand;
  readonly agent: AgentCommand;
  readonly trustedRoot: TrustedRootCommand;
}

const PID = { type: 'string', value: 'N', help: 'the process ID' } as const;
const SOCKET = {
  type: 'string',
  value: 'S',
  help: 'the Workload API socket (default: $SPIFFE_ENDPOINT_SOCKET, else /run/attestor/workload/api.sock)',
} as const;
const AGENT_SOCKET = {
  type: 'string',
  value: 'S',
  help: "the agent's local API socket (default /run/attestor/agent.sock)",
} as const;

/** Every command: its name, options and help, and the command object that runs it. */
function specsOf(commands: CliCommands): CommandSpec[] {
  return [
    {
      name: 'config validate',
      summary: 'check configuration files; list every error with its field and line',
      arguments: 'FILE...',
      positionals: { min: 1, max: Number.POSITIVE_INFINITY },
      options: {},
      output: 'text',
      run: (input) => commands.configValidate.run(input.positionals, input.format),
    },
    {
      name: 'attest',
      summary: "attest a process: its container's attributes (in this process)",
      positionals: { min: 0, max: 0 },
      options: {
        pid: PID,
        identity: {
          type: 'boolean',
          help: 'print the SPIFFE ID the WorkloadIdentity section builds instead',
        },
      },
      output: 'json',
      config: true,
      run: (input) =>
        commands.attest.run({
          pid: input.text('pid'),
          config: input.text('config'),
          identity: input.flag('identity'),
          format: input.format,
        }),
    },
    {
      name: 'verify-image',
      summary: "verify an image's Sigstore signature (exit 0 only when verified)",
      arguments: 'REF',
      positionals: { min: 1, max: 1 },
      options: {
        'certificate-identity': {
          type: 'string',
          value: 'GLOB',
          help: 'the signer identity to allow (a glob), as cosign; with --certificate-oidc-issuer',
        },
        'certificate-oidc-issuer': {
          type: 'string',
          value: 'GLOB',
          help: 'the OIDC issuer to allow (a glob), as cosign',
        },
        'certificate-identity-regexp': { type: 'string', value: 'RE', help: 'refused: use a glob' },
        'certificate-oidc-issuer-regexp': {
          type: 'string',
          value: 'RE',
          help: 'refused: use a glob',
        },
        'trusted-root': {
          type: 'string',
          value: 'FILE',
          help: 'a trusted_root.json instead of the public Sigstore root',
        },
        'rekor-url': {
          type: 'string',
          value: 'URL',
          help: 'the Rekor log to check the signature against (default https://rekor.sigstore.dev)',
        },
        'insecure-ignore-tlog': {
          type: 'boolean',
          help: 'do not require a transparency log entry, as cosign',
        },
        'allow-http-registry': {
          type: 'boolean',
          help: "reach the image's registry over plain HTTP, as cosign",
        },
      },
      output: 'text',
      config: true,
      notes:
        'With --certificate-identity and --certificate-oidc-issuer it needs no configuration file:\n' +
        'the signature alone is verified, as cosign verify does. With --config, those flags replace\n' +
        "the file's allowedIdentities.",
      run: (input) => commands.verifyImage.run(input),
    },
    {
      name: 'sigstore verify-bundle',
      summary: 'verify one Sigstore bundle (exit 0 only when verified)',
      arguments: 'FILE_OR_DIGEST',
      positionals: { min: 1, max: 1 },
      options: {
        bundle: { type: 'string', value: 'FILE', help: 'the bundle' },
        'certificate-identity': { type: 'string', value: 'ID', help: 'the signer identity' },
        'certificate-oidc-issuer': { type: 'string', value: 'URL', help: 'its OIDC issuer' },
        key: { type: 'string', value: 'KEY', help: 'a public key instead of an identity' },
        'trusted-root': {
          type: 'string',
          value: 'FILE',
          help: 'a trusted_root.json (default: public Sigstore, via TUF)',
        },
      },
      output: 'text',
      run: (input) =>
        commands.verifyBundle.run(input.positionals[0], {
          bundle: input.text('bundle'),
          certificateIdentity: input.text('certificate-identity'),
          certificateOidcIssuer: input.text('certificate-oidc-issuer'),
          key: input.text('key'),
          trustedRoot: input.text('trusted-root'),
          format: input.format,
        }),
    },
    {
      name: 'sigstore trusted-root',
      summary: 'fetch a trusted_root.json through TUF, verified, for an air-gapped host',
      positionals: { min: 0, max: 0 },
      options: {
        'tuf-mirror': {
          type: 'string',
          value: 'URL',
          help: 'the TUF repository (default https://tuf-repo-cdn.sigstore.dev)',
        },
        'tuf-root': {
          type: 'string',
          value: 'FILE',
          help: "its initial root.json (default: the public repository's, built in)",
        },
      },
      run: (input) =>
        commands.trustedRoot.run({
          mirror: input.text('tuf-mirror'),
          root: input.text('tuf-root'),
        }),
    },
    {
      name: 'policy check',
      summary: 'which allowedIdentities pattern allows a signer (exit 0 only when allowed)',
      positionals: { min: 0, max: 0 },
      options: {
        issuer: { type: 'string', value: 'I', help: 'the OIDC issuer' },
        subject: { type: 'string', value: 'S', help: 'the signer identity' },
      },
      output: 'text',
      config: true,
      run: (input) =>
        commands.policyCheck.run({
          issuer: input.text('issuer'),
          subject: input.text('subject'),
          config: input.text('config'),
          format: input.format,
        }),
    },
    {
      name: 'locate',
      summary: 'the container a process runs in, from its cgroup (asks no runtime)',
      positionals: { min: 0, max: 0 },
      options: {
        pid: PID,
        'cgroup-file': { type: 'string', value: 'FILE', help: 'a saved /proc/<pid>/cgroup' },
      },
      output: 'json',
      run: (input) =>
        commands.locate.run({
          pid: input.text('pid'),
          cgroupFile: input.text('cgroup-file'),
          format: input.format,
        }),
    },
    {
      name: 'svid fetch',
      summary: "this process's X.509-SVIDs from the Workload API",
      positionals: { min: 0, max: 0 },
      options: {
        socket: SOCKET,
        write: {
          type: 'string',
          value: 'DIR',
          help: 'write svid.pem, svid.key (0600) and bundle.pem there',
        },
      },
      output: 'text',
      run: (input) =>
        commands.svid.fetch({
          socket: input.text('socket'),
          write: input.text('write'),
          format: input.format,
        }),
    },
    {
      name: 'svid jwt',
      summary: "this process's JWT-SVIDs for an audience",
      positionals: { min: 0, max: 0 },
      options: {
        audience: { type: 'string', value: 'A', multiple: true, help: 'the audience' },
        'spiffe-id': { type: 'string', value: 'ID', help: 'only this SPIFFE ID' },
        socket: SOCKET,
      },
      output: 'text',
      run: (input) =>
        commands.svid.jwt({
          socket: input.text('socket'),
          audience: input.texts('audience'),
          spiffeId: input.text('spiffe-id'),
          format: input.format,
        }),
    },
    {
      name: 'svid validate',
      summary: 'validate a JWT-SVID (exit 0 only when valid)',
      arguments: 'TOKEN',
      positionals: { min: 1, max: 1 },
      options: {
        audience: { type: 'string', value: 'A', help: 'the audience it must have' },
        socket: SOCKET,
      },
      output: 'text',
      run: (input) =>
        commands.svid.validate(input.positionals[0], {
          socket: input.text('socket'),
          audience: input.text('audience'),
          format: input.format,
        }),
    },
    {
      name: 'agent status',
      summary: "a running agent's health, readiness and configuration in force",
      positionals: { min: 0, max: 0 },
      options: { socket: AGENT_SOCKET },
      output: 'text',
      run: (input) => commands.agent.status({ socket: input.text('socket'), format: input.format }),
    },
    {
      name: 'agent attest',
      summary: 'ask a running agent to attest a process',
      positionals: { min: 0, max: 0 },
      options: {
        pid: PID,
        identity: { type: 'boolean', help: 'its SPIFFE ID instead (/v1/identity)' },
        socket: AGENT_SOCKET,
      },
      output: 'json',
      run: (input) =>
        commands.agent.attest({
          pid: input.text('pid'),
          identity: input.flag('identity'),
          socket: input.text('socket'),
          format: input.format,
        }),
    },
  ];
}

/** The `attestor` command line over the commands. */
export class Cli {
  readonly #commandLine: CommandLine;

  constructor(commands: CliCommands, output: CommandOutput, version: string) {
    this.#commandLine = new CommandLine(specsOf(commands), output, version);
  }

  run(argv: readonly string[]): Promise<ExitCode> {
    return this.#commandLine.run(argv);
  }
}
