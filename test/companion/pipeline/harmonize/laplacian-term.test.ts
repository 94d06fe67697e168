// The structure term against a slow obvious version (the operator built as an explicit matrix,
// column by column, from its definition) and finite differences.
import { describe, expect, it } from 'vitest';
import { laplacianTerm } from '../../../../companion/pipeline/harmonize/laplacian-term.js';
import { gradcheck, mulberry32, randomArray } from '../../../support/gradcheck.js';

/** Slow: pooled value (i, j) of one plane as the mean of its p×p cell; Laplacian by its stencil; loss by summing. */
function slowLoss(x: Float32Array, t: Float32Array, mask: Float32Array, w: number, h: number, p: number): number {
  const w2 = Math.floor(w / p), h2 = Math.floor(h / p);
  const pooled = (src: Float32Array, off: number, i: number, j: number): number => {
    let s = 0;
    for (let a = 0; a < p; a++) for (let b = 0; b < p; b++) s += src[off + (i * p + a) * w + (j * p + b)];
    return s / (p * p);
  };
  const lap = (src: Float32Array, off: number, i: number, j: number): number =>
    4 * pooled(src, off, i, j) - pooled(src, off, i - 1, j) - pooled(src, off, i + 1, j) - pooled(src, off, i, j - 1) - pooled(src, off, i, j + 1);
  let sum = 0, n = 0;
  for (let c = 0; c < 3; c++) {
    for (let i = 1; i < h2 - 1; i++) for (let j = 1; j < w2 - 1; j++) {
      const d = lap(x, c * w * h, i, j) - lap(t, c * w * h, i, j);
      sum += pooled(mask, 0, i, j) * d * d;
      n++;
    }
  }
  return sum / n;
}

const W = 13, H = 11;

describe('the Laplacian structure term', () => {
  for (const p of [1, 2, 3]) {
    it(`pool ${p}: its loss is the slow version's, and its plain gradient passes finite differences`, async () => {
      const rand = mulberry32(p);
      const x = randomArray(3 * W * H, rand, 20);
      const t = randomArray(3 * W * H, rand, 20);
      const mask = new Float32Array(W * H).map(() => 0.3 + 0.7 * rand());
      const term = (m: Float32Array) => laplacianTerm({ width: W, height: H, target: t, mask: m, pool: p, weight: 2.5, normalize: false });
      const grad = new Float32Array(x.length);
      const loss = term(mask)(x, grad);
      expect(loss).toBeCloseTo(2.5 * slowLoss(x, t, mask, W, H, p), 6);
      // The gradient the term adds is masked by M₀ (as the step graph's is); with M₀ = 1 inside
      // the loss's own (pooled) weights the plain gradient is the loss's.
      const ones = new Float32Array(W * H).fill(1);
      const g1 = new Float32Array(x.length);
      term(ones)(x, g1);
      const report = await gradcheck(async (v) => 2.5 * slowLoss(v, t, ones, W, H, p), x, g1, { eps: 1e-2, directions: 6, coordinates: 6 });
      expect(report.worst).toBeLessThan(2e-2);
      // With a binary M₀ the added gradient is the loss's gradient inside M₀ (checked along
      // directions that move only those values) and 0 outside.
      const binary = new Float32Array(W * H).map((_, i) => (i % W < 8 ? 1 : 0));
      const inside: number[] = [];
      for (let c = 0; c < 3; c++) for (let i = 0; i < W * H; i++) if (binary[i] === 1) inside.push(c * W * H + i);
      const gb = new Float32Array(x.length);
      term(binary)(x, gb);
      const at = (y: Float32Array): Float32Array => { const full = x.slice(); inside.forEach((k, j) => (full[k] = y[j])); return full; };
      const y0 = Float32Array.from(inside, (k) => x[k]);
      const gy = Float32Array.from(inside, (k) => gb[k]);
      const masked = await gradcheck(async (y) => 2.5 * slowLoss(at(y), t, binary, W, H, p), y0, gy, { eps: 1e-2, directions: 6, coordinates: 6 });
      expect(masked.worst).toBeLessThan(2e-2);
      for (let k = 0; k < x.length; k++) if (binary[k % (W * H)] === 0) expect(gb[k]).toBe(0);
    });
  }

  it('is 0 with no gradient at the target, and leaves values outside M₀ alone', () => {
    const rand = mulberry32(9);
    const t = randomArray(3 * W * H, rand, 20);
    const mask = new Float32Array(W * H).map((_, i) => (i % W < 6 ? 1 : 0));
    const term = laplacianTerm({ width: W, height: H, target: t, mask, pool: 2, weight: 1, normalize: true });
    const g = new Float32Array(t.length);
    expect(term(t.slice(), g)).toBe(0);
    expect(g.every((v) => v === 0)).toBe(true);
    const x = randomArray(3 * W * H, rand, 20);
    const g2 = new Float32Array(t.length).fill(0.5);
    term(x, g2);
    for (let c = 0; c < 3; c++) for (let i = 0; i < W * H; i++) if (mask[i] === 0) expect(g2[c * W * H + i]).toBe(0.5);
  });

  it('normalised, it adds a gradient of norm `weight` inside a binary M₀ (as pass 2 injects every term, §3.5)', () => {
    const rand = mulberry32(4);
    const t = randomArray(3 * W * H, rand, 20);
    const x = randomArray(3 * W * H, rand, 20);
    const mask = new Float32Array(W * H).fill(1);
    const g = new Float32Array(x.length);
    laplacianTerm({ width: W, height: H, target: t, mask, pool: 2, weight: 3, normalize: true })(x, g);
    expect(Math.sqrt(g.reduce((a, v) => a + v * v, 0))).toBeCloseTo(3, 4);
    // Same direction as the plain gradient.
    const plain = new Float32Array(x.length);
    laplacianTerm({ width: W, height: H, target: t, mask, pool: 2, weight: 1, normalize: false })(x, plain);
    let dot = 0, nn = 0;
    for (let i = 0; i < g.length; i++) { dot += g[i] * plain[i]; nn += plain[i] * plain[i]; }
    expect(dot / (3 * Math.sqrt(nn))).toBeCloseTo(1, 5);
  });

  it('keeps coarse structure but lets fine texture go: a pixel-scale checkerboard costs nothing at pool 2', () => {
    const t = new Float32Array(3 * W * H);
    const x = t.map((_, i) => ((i % W) + Math.floor(i / W)) % 2 === 0 ? 10 : -10); // ±10 checkerboard, mean 0 per 2×2 cell
    const mask = new Float32Array(W * H).fill(1);
    const g = new Float32Array(x.length);
    expect(laplacianTerm({ width: W, height: H, target: t, mask, pool: 2, weight: 1, normalize: false })(x, g)).toBeCloseTo(0, 10);
    expect(laplacianTerm({ width: W, height: H, target: t, mask, pool: 1, weight: 1, normalize: false })(x, new Float32Array(x.length))).toBeGreaterThan(100);
  });
});
