import { describe, expect, it } from 'vitest';
import { torchScale } from '../../../companion/image/torch-scale.js';

/** Mean of a piecewise-constant line over [a, b) (pixel i covers [i, i+1)). */
function areaMean(src: number[], a: number, b: number): number {
  let s = 0;
  for (let i = 0; i < src.length; i++) s += src[i] * Math.max(0, Math.min(b, i + 1) - Math.max(a, i));
  return s / (b - a);
}

const row = (values: number[]): Float32Array => Float32Array.from(values);

describe('torchScale', () => {
  it('enlarges with the end pixels aligned (step (n−1)/(m−1))', () => {
    const out = torchScale(row([0, 1]), 2, 1, 1, 5, 1);
    expect(Array.from(out)).toEqual([0, 0.25, 0.5, 0.75, 1]);
  });

  it('shrinks by averaging each output cell, partial pixels weighted by overlap', () => {
    const src = [0.3, 1, 0, 0.5, 0.9, 0.2, 0.7];
    for (const m of [2, 3, 4, 5]) {
      const out = torchScale(row(src), src.length, 1, 1, m, 1);
      const step = src.length / m;
      for (let j = 0; j < m; j++) expect(out[j]).toBeCloseTo(areaMean(src, j * step, (j + 1) * step), 5);
    }
  });

  it('copies an axis whose length does not change and scales rows and columns independently', () => {
    // 4×2 image, 2 channels: halve the width only.
    const src = row([1, 10, 3, 30, 5, 50, 7, 70, 2, 20, 4, 40, 6, 60, 8, 80]);
    const out = torchScale(src, 4, 2, 2, 2, 2);
    expect(Array.from(out)).toEqual([2, 20, 6, 60, 3, 30, 7, 70]);
  });

  it('fills from a single source pixel when enlarging a length-1 axis', () => {
    const out = torchScale(row([0.4]), 1, 1, 1, 3, 2);
    expect(Array.from(out)).toEqual(Array(6).fill(Math.fround(0.4)));
  });
});
