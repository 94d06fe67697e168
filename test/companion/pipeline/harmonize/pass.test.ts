import { describe, expect, it } from 'vitest';
import { throwIfDiverged } from '../../../../companion/pipeline/harmonize/pass.js';
import { PainterlyError } from '../../../../shared/errors.js';

describe('throwIfDiverged', () => {
  it('lets a finite image through', () => {
    expect(() => throwIfDiverged(Float32Array.of(0, -1e30, 1e30, 3.5), 2)).not.toThrow();
  });

  it.each([NaN, Infinity, -Infinity])('fails the job with INTERNAL and a sentence naming the pass when a value is %s', (bad) => {
    const x = new Float32Array(10);
    x[7] = bad;
    let caught: unknown;
    try {
      throwIfDiverged(x, 2);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(PainterlyError);
    expect((caught as PainterlyError).code).toBe('INTERNAL');
    expect((caught as Error).message).toMatch(/^Pass 2 diverged .*the document was not changed/);
  });
});
