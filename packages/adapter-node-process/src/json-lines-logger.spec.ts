import { FakeClock } from '@attestor/testing';
import { describe, expect, it } from 'vitest';

import { JsonLinesLogger } from './json-lines-logger.js';

function capture(level: 'debug' | 'info' | 'warn' | 'error' = 'info') {
  const lines: string[] = [];
  const logger = new JsonLinesLogger(
    (line) => lines.push(line),
    new FakeClock(Date.UTC(2026, 10, 29, 12)),
    level,
  );
  return {
    logger,
    lines,
    records: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

describe(JsonLinesLogger, () => {
  describe('.setLevel', () => {
    it('changes the level of the logger and of the children made before and after', () => {
      const { logger, records } = capture('warn');
      const before = logger.child({ component: 'a' });
      logger.info('dropped');
      logger.setLevel('debug');
      const after = logger.child({ component: 'b' });
      before.debug('from a');
      after.debug('from b');
      logger.setLevel('error');
      before.warn('dropped too');
      expect(records().map((record) => record['msg'])).toStrictEqual(['from a', 'from b']);
    });
  });

  describe('.info', () => {
    it('writes one JSON line with time, level, message and fields', () => {
      const { logger, lines } = capture();
      logger.info('attested', {
        pid: 42,
        id: 'abc',
        inode: 4026531836n,
        skipped: undefined,
        list: ['a'],
      });
      expect(lines).toStrictEqual([
        '{"time":"2026-11-29T12:00:00.000Z","level":"info","msg":"attested","pid":42,"id":"abc","inode":"4026531836","list":["a"]}\n',
      ]);
    });

    it('does not let fields forge the reserved keys', () => {
      const { logger, records } = capture();
      logger.info('real', { msg: 'forged', level: 'error' });
      expect(records()[0]).toMatchObject({
        msg: 'real',
        level: 'info',
        'field.msg': 'forged',
        'field.level': 'error',
      });
    });
  });

  describe('.debug', () => {
    it('is dropped below the configured level', () => {
      const { logger, lines } = capture('info');
      logger.debug('noise');
      logger.warn('signal');
      expect(lines).toHaveLength(1);
    });
  });

  describe('.child', () => {
    it('adds its fields to every line', () => {
      const { logger, records } = capture();
      logger.child({ component: 'config' }).error('bad', { path: '/x' });
      expect(records()[0]).toMatchObject({ component: 'config', path: '/x', level: 'error' });
    });
  });
});
