import { describe, expect, it } from 'vitest';

import { JsonShape } from './json-shape.js';

const shape = new JsonShape((field, expected) => new Error(`${field} is not ${expected}`));

describe(JsonShape, () => {
  it('names the field and what it must be, never the value', () => {
    expect(() => shape.string(42, 'Config.Image')).toThrow('Config.Image is not a string');
    expect(() => shape.record(['SECRET=x'], 'Config')).toThrow(/^Config is not an object$/);
    expect(() => shape.integer(-1, 'State.Pid', 'a process ID')).toThrow(
      'State.Pid is not a process ID',
    );
    expect(() => shape.stringList(['a', 1], 'Config.Env')).toThrow(
      /^Config\.Env is not a list of strings$/,
    );
    expect(() => shape.stringMap({ a: 1 }, 'Config.Labels')).toThrow(
      'Config.Labels entry is not a string',
    );
  });

  it('reads null and absent maps and lists as empty, as the Engine API writes them', () => {
    expect(shape.stringList(null, 'Env')).toStrictEqual([]);
    expect(Object.keys(shape.stringMap(undefined, 'Labels'))).toStrictEqual([]);
  });

  it('keeps a key named __proto__ as a key, in a map without a prototype', () => {
    const labels = shape.stringMap(JSON.parse('{"__proto__":"x","a":"b"}'), 'Labels');
    expect(Object.getPrototypeOf(labels)).toBeNull();
    expect(Object.entries(labels)).toStrictEqual([
      ['__proto__', 'x'],
      ['a', 'b'],
    ]);
  });

  it('keeps only the string entries of optional metadata, and nothing of what is not an object', () => {
    const annotations = shape.stringEntries(JSON.parse('{"a":"x","b":1,"c":null,"__proto__":"y"}'));
    expect(Object.getPrototypeOf(annotations)).toBeNull();
    expect(Object.entries(annotations)).toStrictEqual([
      ['a', 'x'],
      ['__proto__', 'y'],
    ]);
    expect(Object.keys(shape.stringEntries(['a']))).toStrictEqual([]);
    expect(Object.keys(shape.stringEntries('a'))).toStrictEqual([]);
    expect(Object.keys(shape.stringEntries(null))).toStrictEqual([]);
  });
});
