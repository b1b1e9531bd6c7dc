import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { AGENT_ENVIRONMENT, AGENT_NODE_FLAGS } from './agent-node-flags.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');

describe('the Node flags the agent runs with', () => {
  it('are the container image entry point’s', () => {
    const dockerfile = readFileSync(join(ROOT, 'deploy', 'container', 'Dockerfile'), 'utf8');
    const entrypoint = /^ENTRYPOINT (.*)$/m.exec(dockerfile)?.[1] ?? '[]';
    expect(JSON.parse(entrypoint)).toEqual([
      '/opt/attestor/lib/node',
      ...AGENT_NODE_FLAGS,
      '/opt/attestor/lib/attestor/attestor-agent.mjs',
    ]);
  });

  it('are npm start’s', () => {
    const script = readFileSync(join(ROOT, 'tools', 'scripts', 'start-agent.sh'), 'utf8');
    const exec =
      /^exec node_modules\/\.bin\/node (.*) apps\/agent\/bin\/attestor-agent\.js "\$@"$/m.exec(
        script,
      );
    expect(exec?.[1]?.split(' ')).toEqual(AGENT_NODE_FLAGS);
  });
});

/** The name and value of every match of `pattern` (its two groups) in `text`. */
function settings(text: string, pattern: RegExp): Record<string, string> {
  const found: Record<string, string> = {};
  for (const [, name = '', value = ''] of text.matchAll(pattern)) found[name] = value;
  return found;
}

describe('the environment the agent runs with', () => {
  it('is the container image’s', () => {
    const dockerfile = readFileSync(join(ROOT, 'deploy', 'container', 'Dockerfile'), 'utf8');
    const environment = settings(dockerfile, /^ENV (\w+)=(.*)$/gm);
    expect(environment).toEqual(AGENT_ENVIRONMENT);
  });

  it('is npm start’s, unless the caller set its own', () => {
    const script = readFileSync(join(ROOT, 'tools', 'scripts', 'start-agent.sh'), 'utf8');
    const environment = settings(script, /^export (\w+)="\$\{\1:-(.*)\}"$/gm);
    expect(environment).toEqual(AGENT_ENVIRONMENT);
  });
});
