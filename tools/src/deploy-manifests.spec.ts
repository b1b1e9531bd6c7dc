/**
 * The Kubernetes manifests under deploy/kubernetes, checked offline: every document against
 * the Kubernetes API's JSON schemas (kubernetes-models), the ConfigMap's agent.yaml against
 * attestor's own configuration rules, and the wiring between them (probes on the metrics
 * port the configuration listens on, the Workload API directory on the host).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { loadYamlConfig } from '@attestor/adapter-yaml-config';
import { DEFAULT_WORKLOAD_API_SOCKET } from '@attestor/workload-api';
import { DaemonSet } from 'kubernetes-models/apps/v1/DaemonSet';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Namespace } from 'kubernetes-models/v1/Namespace';
import { Pod } from 'kubernetes-models/v1/Pod';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';

const ROOT = join(import.meta.dirname, '..', '..');
const DIRECTORY = join(ROOT, 'deploy', 'kubernetes');

/** The kubernetes-models type of each kind, for the compiler's check of field names. */
const TYPES: Readonly<Record<string, readonly [string, string]>> = {
  'apps/v1 DaemonSet': ['IDaemonSet', 'kubernetes-models/apps/v1/DaemonSet'],
  'v1 ConfigMap': ['IConfigMap', 'kubernetes-models/v1/ConfigMap'],
  'v1 Namespace': ['INamespace', 'kubernetes-models/v1/Namespace'],
  'v1 Pod': ['IPod', 'kubernetes-models/v1/Pod'],
};

/**
 * What the API's JSON schemas cannot say: a field name they do not know (`hostPid` for
 * `hostPID` passes them, and the pod silently loses the host's pid namespace). Each object
 * becomes a literal of its kubernetes-models type, which TypeScript checks for unknown
 * properties. Returns the compiler's complaints, empty when there are none.
 */
function unknownFields(objects: readonly Manifest['object'][]): string {
  // Under the repository, so that kubernetes-models resolves from node_modules.
  mkdirSync(join(ROOT, 'tmp'), { recursive: true });
  const scratch = mkdtempSync(join(ROOT, 'tmp', 'k8s-fields-'));
  try {
    const lines = objects.map((object, index) => {
      const [type, module] = TYPES[`${object.apiVersion} ${object.kind}`] ?? ['never', ''];
      return `import type { ${type} as T${String(index)} } from '${module}';\nexport const m${String(index)}: T${String(index)} = ${JSON.stringify(object)};`;
    });
    writeFileSync(join(scratch, 'manifests.ts'), `${lines.join('\n')}\n`);
    writeFileSync(
      join(scratch, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          module: 'nodenext',
          moduleResolution: 'nodenext',
          strict: true,
          noEmit: true,
          skipLibCheck: true,
          types: [],
        },
        files: ['manifests.ts'],
      }),
    );
    try {
      execFileSync(join(ROOT, 'node_modules', '.bin', 'tsc'), ['-p', scratch], {
        encoding: 'utf8',
      });
      return '';
    } catch (error) {
      return String((error as { stdout?: unknown }).stdout ?? error);
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

const MODELS = {
  'apps/v1 DaemonSet': DaemonSet,
  'v1 ConfigMap': ConfigMap,
  'v1 Namespace': Namespace,
  'v1 Pod': Pod,
} as const;

interface Manifest {
  readonly file: string;
  readonly object: { apiVersion: string; kind: string } & Record<string, unknown>;
}

function manifests(): Manifest[] {
  return readdirSync(DIRECTORY)
    .filter((file) => file.endsWith('.yaml'))
    .flatMap((file) =>
      parseAllDocuments(readFileSync(join(DIRECTORY, file), 'utf8')).map((document) => {
        expect(document.errors, file).toStrictEqual([]);
        return { file, object: document.toJS() as Manifest['object'] };
      }),
    );
}

/** Validates against the API's schema; throws naming the field that is wrong. */
function validate({ apiVersion, kind, ...rest }: Manifest['object']): void {
  const Model = MODELS[`${apiVersion} ${kind}` as keyof typeof MODELS] as
    (new (data: unknown) => { validate(): void }) | undefined;
  if (Model === undefined) throw new Error(`no schema for ${apiVersion} ${kind}`);
  new Model({ apiVersion, kind, ...rest }).validate();
}

interface DaemonSetShape {
  spec: { template: { spec: PodSpec } };
}
interface ConfigMapShape {
  data: Record<string, string>;
}

function one(kind: string): Manifest['object'] {
  const found = manifests().filter(({ object }) => object.kind === kind);
  expect(found, kind).toHaveLength(1);
  const [manifest] = found;
  if (manifest === undefined) throw new Error(`no ${kind}`);
  return manifest.object;
}

interface Container {
  ports: { name: string; containerPort: number }[];
  livenessProbe: { httpGet: { path: string; port: string } };
  readinessProbe: { httpGet: { path: string; port: string } };
  volumeMounts: { name: string; mountPath: string }[];
  resources: { requests: Record<string, string>; limits: Record<string, string> };
}
interface PodSpec {
  hostPID?: boolean;
  automountServiceAccountToken?: boolean;
  containers: Container[];
  volumes: { name: string; hostPath?: { path: string }; configMap?: { name: string } }[];
}

describe('deploy/kubernetes', () => {
  it.each(manifests().map(({ file, object }) => [`${file}: ${object.kind}`, object] as const))(
    '%s is valid against the Kubernetes API schema',
    (_name, object) => {
      expect(() => {
        validate(object);
      }).not.toThrow();
    },
  );

  it('names no field the Kubernetes API does not know', () => {
    expect(unknownFields(manifests().map(({ object }) => object))).toBe('');
  }, 60_000);

  it('finds a misspelt field, which the schemas let through', () => {
    const daemonSet = structuredClone(one('DaemonSet')) as Manifest['object'] & {
      spec: { template: { spec: Record<string, unknown> } };
    };
    const pod = daemonSet.spec.template.spec;
    pod['hostPid'] = pod['hostPID'];
    delete pod['hostPID'];
    expect(() => {
      validate(daemonSet);
    }).not.toThrow();
    expect(unknownFields([daemonSet])).toContain("'\"hostPid\"' does not exist in type 'IPodSpec'");
  }, 60_000);

  it('refuses a manifest the API would refuse (the check can fail)', () => {
    const daemonSet = one('DaemonSet') as unknown as DaemonSetShape;
    const broken = structuredClone(daemonSet) as unknown as Manifest['object'] & {
      spec: { template: { spec: { containers: { ports: { containerPort: unknown }[] }[] } } };
    };
    const [container] = broken.spec.template.spec.containers;
    const [port] = container?.ports ?? [];
    if (port !== undefined) port.containerPort = 'nine-four-six-five';
    expect(() => {
      validate(broken);
    }).toThrow(/containerPort must be integer/);
  });

  it('holds an agent.yaml that attestor loads without an error or a warning', () => {
    const configMap = one('ConfigMap') as unknown as ConfigMapShape;
    const result = loadYamlConfig(configMap.data['agent.yaml'] ?? '');
    expect(result.ok ? [] : result.errors).toStrictEqual([]);
    expect(result.warnings).toStrictEqual([]);
    expect(result.ok).toBe(true);
  });

  it('probes /healthz and /readyz on the port the configuration listens on', () => {
    const configMap = one('ConfigMap') as unknown as ConfigMapShape;
    const result = loadYamlConfig(configMap.data['agent.yaml'] ?? '');
    if (!result.ok) throw new Error('invalid agent.yaml');
    const listen = result.config.agent.metricsListenAddress;
    const pod = (one('DaemonSet') as unknown as DaemonSetShape).spec.template.spec;
    const [agent] = pod.containers;
    if (agent === undefined) throw new Error('no container');
    const metrics = agent.ports.find(({ name }) => name === agent.readinessProbe.httpGet.port);
    expect(metrics?.containerPort).toBe(listen?.port);
    expect(agent.livenessProbe.httpGet).toStrictEqual({ path: '/healthz', port: 'metrics' });
    expect(agent.readinessProbe.httpGet).toStrictEqual({ path: '/readyz', port: 'metrics' });
  });

  it('runs in the host pid namespace, without an API token, with every mount backed', () => {
    const pod = (one('DaemonSet') as unknown as DaemonSetShape).spec.template.spec;
    expect(pod.hostPID).toBe(true);
    expect(pod.automountServiceAccountToken).toBe(false);
    const [agent] = pod.containers;
    const volumes = new Map(pod.volumes.map((volume) => [volume.name, volume]));
    for (const mount of agent?.volumeMounts ?? [])
      expect(volumes.has(mount.name), mount.name).toBe(true);
    // The Workload API directory is the host's, where workloads mount it from.
    const agentRun = agent?.volumeMounts.find(({ mountPath }) => mountPath === '/run/attestor');
    expect(volumes.get(agentRun?.name ?? '')?.hostPath?.path).toBe('/run/attestor');
    expect(DEFAULT_WORKLOAD_API_SOCKET).toBe('/run/attestor/workload/api.sock');
    expect(agent?.resources.limits['memory']).toBeDefined();
    expect(agent?.resources.requests['memory']).toBeDefined();
  });
});

describe('deploy/examples/agent.yaml', () => {
  it('is a configuration attestor loads without an error or a warning', () => {
    const text = readFileSync(
      join(import.meta.dirname, '..', '..', 'deploy', 'examples', 'agent.yaml'),
      'utf8',
    );
    const result = loadYamlConfig(text);
    expect(result.ok ? [] : result.errors).toStrictEqual([]);
    expect(result.warnings).toStrictEqual([]);
    if (!result.ok) return;
    // Every section is there, not just the one the loader defaults.
    expect(result.config.docker.sigstore?.allowedIdentities.size).toBe(2);
    expect(result.config.workloadIdentity?.identities.map(({ name }) => name)).toStrictEqual([
      'payments',
      'dev-tools',
    ]);
    expect(result.config.agent.metricsListenAddress).toStrictEqual({
      host: '127.0.0.1',
      port: 9465,
    });
  });
});
