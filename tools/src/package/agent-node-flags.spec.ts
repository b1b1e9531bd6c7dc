import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { AGENT_NODE_FLAGS } from './agent-node-flags.js';

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
