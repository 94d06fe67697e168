// The PainterlyError a call throws, for tests that go on to check its code and sentence.
import { expect } from 'vitest';
import { PainterlyError } from '../../shared/errors.js';

export function fails(fn: () => unknown): PainterlyError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(PainterlyError);
    return e as PainterlyError;
  }
  throw new Error('expected a PainterlyError');
}
