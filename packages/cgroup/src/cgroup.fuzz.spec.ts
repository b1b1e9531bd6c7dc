import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { cgroupMembership } from './cgroup-membership.js';
import { containerIdFromCgroup } from './container-location.js';
import { CgroupError } from './errors.js';

/**
 * Generated inputs (fast-check, a bounded number of runs so CI stays fast): the parsers of
 * untrusted /proc text either answer or throw their own coded error, never anything else.
 */
const ID = '0123456789abcdef'.repeat(4);
const segment = fc.oneof(
  fc.constantFrom(
    'docker',
    'libpod',
    'libpod_parent',
    'user.slice',
    'user-1000.slice',
    ID,
    `docker-${ID}.scope`,
    `libpod-${ID}.scope`,
    `libpod-conmon-${ID}.scope`,
    `${ID}.scope`,
    'pod:cri-containerd:' + ID,
    '..',
    '',
  ),
  fc.string({ maxLength: 70 }),
);
const path = fc.array(segment, { maxLength: 8 }).map((segments) => `/${segments.join('/')}`);
const line = fc
  .tuple(fc.nat(20), fc.constantFrom('', 'pids', 'memory', 'cpu,cpuacct', 'name=systemd'), path)
  .map(([id, controllers, p]) => `${String(id)}:${controllers}:${p}`);
const cgroupText = fc.array(line, { maxLength: 10 }).map((lines) => `${lines.join('\n')}\n`);

function onlyCgroupErrors(run: () => unknown): void {
  try {
    run();
  } catch (error) {
    if (!CgroupError.is(error)) throw error;
  }
}

describe('cgroup parsers against generated input', () => {
  it('containerIdFromCgroup answers or throws CgroupError, and an ID it gives is in the text', () => {
    fc.assert(
      fc.property(fc.oneof(cgroupText, fc.string({ maxLength: 400 })), (text) => {
        let location: ReturnType<typeof containerIdFromCgroup> | undefined;
        onlyCgroupErrors(() => (location = containerIdFromCgroup(text)));
        if (location?.kind === 'container') {
          expect(location.containerId).toMatch(/^[0-9a-f]{64}$/);
          expect(text).toContain(location.containerId);
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('cgroupMembership: a text is within itself, and within its own ancestors', () => {
    // Paths as the kernel writes them: no empty segment, no trailing '/'.
    const name = fc
      .string({ minLength: 1, maxLength: 12 })
      .map((text) => text.replace(/[/\n]/g, '_'));
    const kernelPath = fc.array(name, { maxLength: 6 }).map((names) => `/${names.join('/')}`);
    const kernelText = fc
      .uniqueArray(fc.tuple(fc.nat(20), kernelPath), {
        selector: ([id]) => id,
        minLength: 1,
        maxLength: 8,
      })
      .map((lines) => lines.map(([id, p]) => `${String(id)}:c:${p}`).join('\n'));
    fc.assert(
      fc.property(kernelText, name, (text, child) => {
        expect(cgroupMembership(text, text).kind).toBe('member');
        const below = text
          .split('\n')
          .map((l) => (l.endsWith(':/') ? `${l}${child}` : `${l}/${child}`))
          .join('\n');
        expect(cgroupMembership(below, text).kind).toBe('member');
        // The container is not within the workload's sub-cgroup.
        expect(cgroupMembership(text, below).kind).toBe('outside');
      }),
      { numRuns: 2000 },
    );
  });
});
