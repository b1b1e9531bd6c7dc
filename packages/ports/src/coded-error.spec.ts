import { describe, expect, it } from 'vitest';

import { CodedError } from './coded-error.js';
import { ContainerRuntimeError } from './container-runtime.js';
import { ProcessTableError } from './process-table.js';

type ShapeCode = 'too_round' | 'too_square';

class ShapeError extends CodedError<ShapeCode> {
  static override readonly brand: string = '@attestor/ports/spec/ShapeError';
  override readonly name: string = 'ShapeError';
}

class CircleError extends ShapeError {
  static override readonly brand = '@attestor/ports/spec/CircleError';
  override readonly name = 'CircleError';
}

describe(CodedError, () => {
  it('keeps the code, the message and the cause', () => {
    const cause = new Error('underneath');
    const error = new ShapeError('too_round', 'the shape is too round', { cause });

    expect(error).toBeInstanceOf(Error);
    expect(error.code).toBe('too_round');
    expect(error.message).toBe('the shape is too round');
    expect(error.cause).toBe(cause);
    expect(error.name).toBe('ShapeError');
    expect(String(error)).toBe('ShapeError: the shape is too round');
  });

  it('recognises its own class and subclasses, and nothing else', () => {
    const shape = new ShapeError('too_square', 'square');
    const circle = new CircleError('too_round', 'round');

    expect(ShapeError.is(shape)).toBe(true);
    expect(ShapeError.is(circle)).toBe(true);
    expect(CircleError.is(circle)).toBe(true);
    expect(CircleError.is(shape)).toBe(false);
    expect(CodedError.is(shape)).toBe(true);
    expect(ProcessTableError.is(shape)).toBe(false);
    expect(ShapeError.is(new ProcessTableError('not_found', 'gone'))).toBe(false);
  });

  it('refuses what merely looks like one: plain errors, objects with a code, primitives', () => {
    const lookalike = Object.assign(new Error('fake'), { code: 'too_round', name: 'ShapeError' });

    expect(ShapeError.is(lookalike)).toBe(false);
    expect(ShapeError.is({ code: 'too_round' })).toBe(false);
    expect(ShapeError.is(null)).toBe(false);
    expect(ShapeError.is('ShapeError')).toBe(false);
    expect(CodedError.is(new Error('plain'))).toBe(false);
  });

  it('recognises an error from another copy of the package by its brand', () => {
    // Another copy: a different class object with the same brand, as a second install makes.
    class CopiedProcessTableError extends CodedError<'not_found'> {
      static override readonly brand = '@attestor/ports/ProcessTableError';
    }

    expect(ProcessTableError.is(new CopiedProcessTableError('not_found', 'gone'))).toBe(true);
    expect(ContainerRuntimeError.is(new CopiedProcessTableError('not_found', 'gone'))).toBe(false);
  });

  it('keeps the fields a subclass adds beside the code', () => {
    const error = new ContainerRuntimeError('timeout', '/run/docker.sock', 'no answer in 5 s');

    expect(ContainerRuntimeError.is(error)).toBe(true);
    expect(error.code).toBe('timeout');
    expect(error.socketPath).toBe('/run/docker.sock');
  });
});
