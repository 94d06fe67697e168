import { describe, expect, it } from 'vitest';
import { difference, mean, overallSpread, sampleSd, spread } from '../../eval/stats.js';

describe('mean and sample standard deviation', () => {
  it('match values worked by hand', () => {
    const xs = [2, 4, 4, 4, 5, 5, 7, 9];
    expect(mean(xs)).toBe(5);
    // Σ(x − 5)² = 32 over n − 1 = 7.
    expect(sampleSd(xs)).toBeCloseTo(Math.sqrt(32 / 7), 12);
    expect(spread([1, 3])).toEqual({ mean: 2, sd: Math.SQRT2, n: 2 });
  });

  it('have no spread for one value and refuse no values', () => {
    expect(sampleSd([0.7])).toBeNull();
    expect(spread([0.7])).toEqual({ mean: 0.7, sd: null, n: 1 });
    expect(() => mean([])).toThrow();
  });
});

describe('overallSpread', () => {
  // Three examples × three repeats.
  const values = [
    [0.5, 0.6, 0.7],
    [1.0, 1.0, 1.3],
    [0.2, 0.5, 0.2],
  ];

  it('averages each repeat over the examples and takes the sd of those means', () => {
    const o = overallSpread(values);
    expect(o.perRepeat[0]).toBeCloseTo((0.5 + 1.0 + 0.2) / 3, 12);
    expect(o.perRepeat[1]).toBeCloseTo((0.6 + 1.0 + 0.5) / 3, 12);
    expect(o.perRepeat[2]).toBeCloseTo((0.7 + 1.3 + 0.2) / 3, 12);
    // The mean of the per-repeat means is the mean of the per-example means.
    expect(o.mean).toBeCloseTo((0.6 + 1.1 + 0.3) / 3, 12);
    const m = o.mean;
    const literal = Math.sqrt(o.perRepeat.reduce((s, x) => s + (x - m) ** 2, 0) / 2);
    expect(o.sd).toBeCloseTo(literal, 12);
    // Per-example sds: 0.1, √0.03, √0.03.
    expect(o.meanExampleSd).toBeCloseTo((0.1 + 2 * Math.sqrt(0.03)) / 3, 12);
  });

  it('is smaller than the per-example spread when examples move independently', () => {
    const o = overallSpread(values);
    expect(o.sd!).toBeLessThan(o.meanExampleSd!);
  });

  it('has no spread with one repeat and refuses ragged input', () => {
    const o = overallSpread([[0.4], [0.6]]);
    expect(o.mean).toBeCloseTo(0.5, 12);
    expect(o.sd).toBeNull();
    expect(o.meanExampleSd).toBeNull();
    expect(() => overallSpread([[1, 2], [1]])).toThrow(/same number of repeats/);
    expect(() => overallSpread([])).toThrow();
  });
});

describe('difference', () => {
  it('combines the spreads in quadrature and calls a difference real beyond twice that', () => {
    const a = { mean: 1, sd: 0.03 };
    const d = difference(a, { mean: 0.89, sd: 0.04 });
    expect(d.diff).toBeCloseTo(-0.11, 12);
    expect(d.combined).toBeCloseTo(0.05, 12);
    expect(d.exceeds).toBe(true); // 0.11 > 0.10
    expect(difference(a, { mean: 0.91, sd: 0.04 }).exceeds).toBe(false); // 0.09 < 0.10
    expect(difference(a, { mean: 0.91, sd: 0.04 }, 1).exceeds).toBe(true);
  });

  it('cannot judge without a spread', () => {
    expect(difference({ mean: 1, sd: null }, { mean: 2, sd: 0.1 })).toEqual({ diff: 1, combined: null, exceeds: null });
  });
});
