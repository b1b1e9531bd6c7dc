import { describe, expect, it } from 'vitest';

import { parseCgroupLines } from './cgroup-line.js';

describe(parseCgroupLines, () => {
  describe('having cgroup v1 and v2 lines', () => {
    it('splits hierarchy, controllers and path', () => {
      expect(
        parseCgroupLines('4:cpu,cpuacct:/docker/x\n1:name=systemd:/\n0::/a:b:c\n'),
      ).toStrictEqual([
        { hierarchyId: 4, controllers: ['cpu', 'cpuacct'], path: '/docker/x' },
        { hierarchyId: 1, controllers: ['name=systemd'], path: '/' },
        { hierarchyId: 0, controllers: [], path: '/a:b:c' },
      ]);
    });
  });
});
