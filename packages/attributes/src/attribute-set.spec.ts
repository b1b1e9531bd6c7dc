import { describe, expect, it } from 'vitest';

import { AttributeSet } from './attribute-set.js';

describe(AttributeSet, () => {
  describe('.builder', () => {
    it('builds typed attributes in insertion order', () => {
      const set = AttributeSet.builder()
        .string('b', 'x')
        .uint64('a', 18446744073709551615n)
        .uint64('c', 7)
        .done();
      expect(set.names()).toStrictEqual(['b', 'a', 'c']);
      expect(set.get('a')).toStrictEqual({ type: 'uint64', value: 18446744073709551615n });
      expect(set.get('c')).toStrictEqual({ type: 'uint64', value: 7n });
      expect(set.toJSON()).toStrictEqual({ b: 'x', a: '18446744073709551615', c: '7' });
    });

    it('refuses to set a name twice', () => {
      expect(() => AttributeSet.builder().string('a', '1').string('a', '2')).toThrow(
        'attribute a is set twice',
      );
    });

    it('builds once: a done set cannot be changed through its builder', () => {
      const builder = AttributeSet.builder().string('a', '1');
      const set = builder.done();
      expect(() => builder.string('b', '2')).toThrow('already done');
      expect(() => builder.done()).toThrow('already done');
      expect(set.toJSON()).toStrictEqual({ a: '1' });
    });

    it.each([-1n, 2n ** 64n, -1, 1.5, Number.MAX_SAFE_INTEGER + 1])(
      'refuses the uint64 %s',
      (value) => {
        expect(() => AttributeSet.builder().uint64('n', value)).toThrow('n: ');
      },
    );
  });

  describe('.with', () => {
    it('combines two sets and refuses an overlap', () => {
      const a = AttributeSet.builder().string('a', '1').done();
      const b = AttributeSet.builder().uint64('b', 2n).done();
      expect(a.with(b).toJSON()).toStrictEqual({ a: '1', b: '2' });
      expect(() => a.with(a)).toThrow('attribute a is set twice');
    });
  });

  describe('.empty', () => {
    it('has no attribute', () => {
      expect(AttributeSet.empty.size).toBe(0);
      expect(AttributeSet.empty.has('docker.container.image')).toBe(false);
    });
  });
});
