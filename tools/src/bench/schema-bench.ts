/**
 * `npm run bench:schema`: what a schema library (valibot) would cost the inspect path,
 * against the in-house checks of adapter-docker-engine, on the same container inspect answer
 * (30 labels, 20 environment variables, as a real workload has), measured in one run. The
 * figure that decides is the difference per inspect, set against the inspect round trip
 * that `npm run bench` measures ("raw: container inspect"): the rule is a library
 * unless it costs the inspect path more than 5 %.
 */
import { performance } from 'node:perf_hooks';

import { parseContainerInspect } from '@attestor/adapter-docker-engine';
import * as v from 'valibot';

const ID = 'ab'.repeat(32);
const ITERATIONS = 200_000;

function inspectAnswer(): unknown {
  const labels: Record<string, string> = {};
  for (let index = 0; index < 30; index++)
    labels[`com.example.label-${String(index)}`] = `v${String(index)}`;
  const env = Array.from(
    { length: 20 },
    (_, index) => `VAR_${String(index)}=value-${String(index)}`,
  );
  return JSON.parse(
    JSON.stringify({
      Id: ID,
      Image: `sha256:${'cd'.repeat(32)}`,
      State: { Pid: 4242, Running: true, Status: 'running' },
      Config: { Image: 'registry.example/team/app:1.4', Labels: labels, Env: env, Cmd: ['sh'] },
      HostConfig: { PidMode: '' },
      Mounts: [],
    }),
  );
}

const IMAGE_ID = /^(?:sha256:)?[0-9a-f]{64}$/;
const schema = v.object({
  Id: v.pipe(v.string(), v.regex(/^[0-9a-f]{64}$/)),
  Image: v.pipe(v.string(), v.regex(IMAGE_ID)),
  State: v.object({
    Pid: v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(4_194_304)),
    Running: v.boolean(),
  }),
  Config: v.object({
    Image: v.string(),
    Labels: v.nullish(v.record(v.string(), v.string())),
    Env: v.nullish(v.array(v.string())),
  }),
});

function measure(name: string, parse: () => unknown): number {
  for (let index = 0; index < 10_000; index++) parse();
  const started = performance.now();
  for (let index = 0; index < ITERATIONS; index++) parse();
  const perCallUs = ((performance.now() - started) * 1000) / ITERATIONS;
  process.stdout.write(`${name.padEnd(40)} ${perCallUs.toFixed(2).padStart(8)} us per inspect\n`);
  return perCallUs;
}

const body = inspectAnswer();
const inHouse = measure('in-house checks (parseContainerInspect)', () =>
  parseContainerInspect(body, ID, '/var/run/docker.sock'),
);
const library = measure('valibot safeParse of the same fields', () => {
  const result = v.safeParse(schema, body);
  if (!result.success) throw new Error('the schema refused a valid answer');
  // The same result object the in-house parser builds, prototype-free labels included.
  const labels = Object.assign(
    Object.create(null) as Record<string, string>,
    result.output.Config.Labels,
  );
  return { ...result.output, labels };
});
process.stdout.write(
  `difference: ${(library - inHouse).toFixed(2)} us per inspect (${(library / inHouse).toFixed(2)}x the in-house checks)\n`,
);
