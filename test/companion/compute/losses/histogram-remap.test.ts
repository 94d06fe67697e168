import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../../support/gradcheck.js';
import { histogramReference, rankToValueTable } from '../../../../companion/compute/losses/histogram-remap.js';
import { remapSlow, remapWithTable, sortedOrder } from '../../../support/histogram-remap-cpu.js';

import { originalHistogramRemap } from '../../../support/original-histogram.js';

const rng = mulberry32;

function nonZeroBins(counts: Float32Array): Record<number, number> {
  const out: Record<number, number> = {};
  counts.forEach((v, b) => {
    if (v !== 0) out[b] = v;
  });
  return out;
}

describe('histogramReference', () => {
  it('puts values on a bin edge into the upper bin and the maximum into the last bin', () => {
    const ref = histogramReference(Float32Array.of(0, 0.5, 1), 1, 3, 3);
    // (0.5 − 0)/(1 − 0)·256 = 128 exactly.
    expect(nonZeroBins(ref.channels[0].counts)).toEqual({ 0: 1, 128: 1, 255: 1 });
    expect(ref.channels[0].min).toBe(0);
    expect(ref.channels[0].max).toBe(1);
    expect(ref.channels[0].cum[127]).toBe(1);
    expect(ref.channels[0].cum[128]).toBe(2);
    expect(ref.channels[0].cum[255]).toBe(3);
  });

  it('widens [min, max] by 1 on each side for counting when all reference values are equal', () => {
    const ref = histogramReference(Float32Array.of(2, 2, 2, 5, 6, 7), 2, 3, 3);
    // (2 − 1)/(3 − 1)·256 = 128.
    expect(nonZeroBins(ref.channels[0].counts)).toEqual({ 128: 3 });
    expect(ref.channels[0].min).toBe(2);
    expect(ref.channels[0].max).toBe(2);
    // The other channel is binned on its own range [5, 7].
    expect(nonZeroBins(ref.channels[1].counts)).toEqual({ 0: 1, 128: 1, 255: 1 });
  });

  it('rescales the counts by nI/nJ', () => {
    const ref = histogramReference(Float32Array.of(0, 1, 2, 3), 1, 4, 10);
    // 1/3·256 = 85.3 → 85, 2/3·256 = 170.7 → 170.
    expect(nonZeroBins(ref.channels[0].counts)).toEqual({ 0: 2.5, 85: 2.5, 170: 2.5, 255: 2.5 });
    expect(ref.channels[0].cum[255]).toBe(10);
  });
});

describe('remap', () => {
  const step = 3 / 256;

  it('gives each rank the quantile of the rescaled reference when nI = 2·nJ', () => {
    // Reference 0,1,2,3 → bins 0, 85, 170, 255 with count 2 each; ranks 0..7 land two per bin,
    // the second at ρ = ½.
    const ref = histogramReference(Float32Array.of(0, 1, 2, 3), 1, 4, 8);
    const expectedByRank = [0, 0.5, 85, 85.5, 170, 170.5, 255, 255.5].map((b) => b * step);
    const table = rankToValueTable(ref, 8);
    expectedByRank.forEach((v, k) => expect(table[k]).toBeCloseTo(v, 6));
    // Values with a tie (two 2s): ascending order −1, 0, 1, 2(pos 4), 2(pos 5), 3, 5, 7.
    const values = Float32Array.of(5, -1, 3, 0, 2, 2, 7, 1);
    const rankOfPosition = [6, 0, 5, 1, 3, 4, 7, 2];
    const r = remapSlow(values, 1, 8, ref);
    rankOfPosition.forEach((k, pos) => expect(r[pos]).toBeCloseTo(expectedByRank[k], 6));
  });

  it('spreads few ranks over the whole reference range when nI < nJ', () => {
    // nI = 2, nJ = 4: counts 0.5 each, cum 0.5, 1, 1.5, 2 → rank 0 in bin 0, rank 1 in bin 170.
    const ref = histogramReference(Float32Array.of(0, 1, 2, 3), 1, 4, 2);
    const r = remapSlow(Float32Array.of(10, 20), 1, 2, ref);
    expect(r[0]).toBeCloseTo(0, 6);
    expect(r[1]).toBeCloseTo(170 * step, 6);
  });

  it('maps every rank to the constant when the reference channel is constant', () => {
    const ref = histogramReference(Float32Array.of(4, 4, 4, 4), 1, 4, 6);
    const r = remapSlow(Float32Array.of(0.3, 9, -2, 4, 4, 1), 1, 6, ref);
    for (const v of r) expect(v).toBe(4);
    for (const v of rankToValueTable(ref, 6)) expect(v).toBe(4);
  });

  it('equals sort + table lookup + scatter on random data with ties', () => {
    const r = rng(7);
    for (const [C, nJ, nI] of [
      [3, 500, 777],
      [4, 300, 120],
      [2, 64, 64],
    ]) {
      const refVals = new Float32Array(C * nJ);
      for (let c = 0; c < C; c++) {
        for (let j = 0; j < nJ; j++) {
          // Channel 0 constant; the others skewed, with repeated values (ReLU-like zeros).
          refVals[c * nJ + j] = c === 0 ? 1.5 : Math.max(0, r() * r() * 10 - 2);
        }
      }
      const values = Float32Array.from({ length: C * nI }, () => Math.round(Math.max(0, r() * 8 - 3) * 4) / 4);
      const ref = histogramReference(refVals, C, nJ, nI);
      const slow = remapSlow(values, C, nI, ref);
      const fast = remapWithTable(values, C, nI, rankToValueTable(ref, nI));
      expect(Array.from(fast)).toEqual(Array.from(slow));
    }
  });

  it('reproduces the reference distribution when the current values are all distinct', () => {
    // With nI = nJ and ρ < 1, every remapped value re-bins into the reference's bin for its rank:
    // the remapped channel has (up to edge rounding) the reference histogram.
    const r = rng(9);
    const nJ = 400;
    const refVals = Float32Array.from({ length: nJ }, () => r() ** 3);
    const ref = histogramReference(refVals, 1, nJ, nJ);
    const out = remapSlow(Float32Array.from({ length: nJ }, () => r()), 1, nJ, ref);
    const rebinned = histogramReference(out, 1, nJ, nJ);
    let moved = 0;
    for (let b = 0; b < 256; b++) moved += Math.abs(rebinned.channels[0].counts[b] - ref.channels[0].counts[b]);
    expect(moved).toBeLessThanOrEqual(4);
  });
});

describe('the histogram remap against the original\'s kernels', () => {
  it('equals a literal transcription of histogram + hist_remap2 on masked feature maps (ties, a constant channel, nI ≠ nJ)', () => {
    const r = rng(13);
    const C = 4, n = 13 * 11, nS = 17 * 15;
    const F = Float32Array.from({ length: C * n }, () => Math.round(Math.max(0, r() * 8 - 3) * 4) / 4);
    const J = Float32Array.from({ length: C * nS }, (_, i) => (i < nS ? 1.5 : Math.max(0, r() * r() * 10 - 2)));
    const maskI = Uint8Array.from({ length: n }, () => (r() < 0.6 ? 1 : 0));
    const maskJ = Uint8Array.from({ length: nS }, () => (r() < 0.4 ? 1 : 0));
    const I = [...maskI.keys()].filter((p) => maskI[p]);
    const U = [...maskJ.keys()].filter((p) => maskJ[p]);
    const values = Float32Array.from({ length: C * I.length }, (_, i) => F[Math.floor(i / I.length) * n + I[i % I.length]]);
    const refVals = Float32Array.from({ length: C * U.length }, (_, i) => J[Math.floor(i / U.length) * nS + U[i % U.length]]);
    const ours = remapWithTable(values, C, I.length, rankToValueTable(histogramReference(refVals, C, U.length, I.length), I.length));
    const original = originalHistogramRemap(F, maskI, J, maskJ, C);
    const atI = Float32Array.from({ length: C * I.length }, (_, i) => original[Math.floor(i / I.length) * n + I[i % I.length]]);
    expect(Array.from(ours)).toEqual(Array.from(atI));
  });
});

describe('sortedOrder', () => {
  it('orders negative, zero and positive floats ascending and ties by position', () => {
    const v = Float32Array.of(0, -1.5, 3, -0, 2, -1e-30, 3, -7);
    expect(Array.from(sortedOrder(v))).toEqual([7, 1, 5, 0, 3, 4, 2, 6]);
  });
});
