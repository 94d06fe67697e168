// The τ model's arithmetic against hand-worked values: the fit is class means and a pooled
// variance, the posterior is the two-Gaussian log-odds, the kind is the most probable one.
import { describe, expect, it } from 'vitest';
import { fitTauModel, kindOfTau, predictTau, probabilityYes, type LabelledPainting } from '../../../companion/tau/classifier.js';
import { estimateTau, roundTau, tauWords } from '../../../companion/tau/estimate.js';
import type { Image } from '../../../companion/image/image.js';
import { mulberry32 } from '../../../shared/seeded-random.js';

const p = (smoothShare: number, strokeCoherence: number, tau: number): LabelledPainting => ({ features: { smoothShare, strokeCoherence }, tau });

describe('τ model', () => {
  it('sorts a label into the kind whose level (1, 5, 10) is nearest', () => {
    expect(kindOfTau(1.3)).toBe('realistic');
    expect(kindOfTau(2.9)).toBe('realistic');
    expect(kindOfTau(3.1)).toBe('impressionist');
    expect(kindOfTau(7.3)).toBe('impressionist');
    expect(kindOfTau(8.2)).toBe('expressive');
  });

  it('fits each question as two means and a pooled variance on the log features, and τ as geometric means', () => {
    const data = [p(0.3, 0.6, 1), p(0.1, 0.5, 1.2), p(0.02, 0.5, 5), p(0.01, 0.55, 4), p(0.015, 0.8, 10), p(0.03, 0.7, 8.5)];
    const m = fitTauModel(data);
    const ls = (x: number): number => Math.log(x + 0.01);
    const real = [ls(0.3), ls(0.1)];
    const rest = [ls(0.02), ls(0.01), ls(0.015), ls(0.03)];
    const mean = (v: number[]): number => v.reduce((a, b) => a + b, 0) / v.length;
    const ss = (v: number[]): number => v.reduce((a, b) => a + (b - mean(v)) ** 2, 0);
    expect(m.painterly.no).toBeCloseTo(mean(real), 12);
    expect(m.painterly.yes).toBeCloseTo(mean(rest), 12);
    expect(m.painterly.variance).toBeCloseTo((ss(real) + ss(rest)) / 4, 12);
    const imp = [Math.log(0.5), Math.log(0.55)];
    const exp = [Math.log(0.8), Math.log(0.7)];
    expect(m.expressive.no).toBeCloseTo(mean(imp), 12);
    expect(m.expressive.yes).toBeCloseTo(mean(exp), 12);
    expect(m.expressive.variance).toBeCloseTo((ss(imp) + ss(exp)) / 2, 12);
    expect(m.tau.realistic).toBeCloseTo(Math.sqrt(1.2), 12);
    expect(m.tau.expressive).toBeCloseTo(Math.sqrt(85), 12);
  });

  it('refuses to fit when a kind has fewer than two examples', () => {
    expect(() => fitTauModel([p(0.3, 0.6, 1), p(0.1, 0.5, 1), p(0.02, 0.5, 5), p(0.01, 0.55, 4), p(0.015, 0.8, 10)])).toThrow(/two/);
  });

  it('gives even odds half-way between the means and the Gaussian log-odds elsewhere', () => {
    const q = { no: -2, yes: 1, variance: 0.5 };
    expect(probabilityYes(q, -0.5)).toBeCloseTo(0.5, 12);
    const x = 0.3;
    const odds = Math.exp(-((x - 1) ** 2) / 1) / Math.exp(-((x + 2) ** 2) / 1);
    expect(probabilityYes(q, x)).toBeCloseTo(odds / (1 + odds), 12);
  });

  it('picks the most probable kind and its τ; the probabilities sum to 1', () => {
    const m = { painterly: { no: Math.log(0.21), yes: Math.log(0.03), variance: 0.3 }, expressive: { no: Math.log(0.6), yes: Math.log(0.75), variance: 0.01 }, tau: { realistic: 1.1, impressionist: 5.2, expressive: 9.4 } };
    const cases: [number, number, string][] = [[0.4, 0.6, 'realistic'], [0.01, 0.55, 'impressionist'], [0.01, 0.85, 'expressive']];
    for (const [s, c, kind] of cases) {
      const r = predictTau(m, { smoothShare: s, strokeCoherence: c });
      expect(r.kind).toBe(kind);
      expect(r.tau).toBe(m.tau[r.kind]);
      expect(r.probabilities.realistic + r.probabilities.impressionist + r.probabilities.expressive).toBeCloseTo(1, 12);
    }
  });

  it('rounds τ to 0.1 within the option\'s range and says when it is unsure', () => {
    expect(roundTau(5.2345)).toBe(5.2);
    expect(roundTau(0.4)).toBe(1);
    expect(roundTau(44)).toBe(20);
    expect(tauWords('impressionist', 0.9)).toBe('loose impressionist brushwork');
    expect(tauWords('impressionist', 0.55)).toBe('loose impressionist brushwork, at a guess');
  });

  it('reads a smooth gradient as realistic and busy dabs as painterly, with the shipped model', () => {
    const w = 350;
    const h = 260;
    const grad: Image = { width: w, height: h, channels: 3, data: new Float32Array(w * h * 3) };
    const dabs: Image = { width: w, height: h, channels: 3, data: new Float32Array(w * h * 3) };
    const r = mulberry32(7);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
      const i = 3 * (y * w + x);
      grad.data.set([0.2 + (0.5 * x) / w, 0.3 + (0.2 * y) / h, 0.4], i);
    }
    // 3×3-px dabs of random colours with grain: the pointillist extreme, at the working size.
    for (let by = 0; by < h; by += 3) for (let bx = 0; bx < w; bx += 3) {
      const c = [r(), r(), r()];
      for (let y = by; y < Math.min(h, by + 3); y++) for (let x = bx; x < Math.min(w, bx + 3); x++) dabs.data.set(c.map((v) => v + 0.05 * (r() - 0.5)), 3 * (y * w + x));
    }
    const a = estimateTau(grad);
    const b = estimateTau(dabs);
    expect(a.kind).toBe('realistic');
    expect(a.tau).toBeLessThan(2);
    expect(b.kind).not.toBe('realistic');
    expect(b.tau).toBeGreaterThan(4);
    expect(Object.keys(a.features)).toEqual(['smooth share', 'stroke coherence', 'P(realistic)', 'P(impressionist)', 'P(expressive)']);
  });
});
