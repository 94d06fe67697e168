import { describe, expect, it } from 'vitest';
import { createImage, type Image } from '../../../../companion/image/image.js';
import {
  closedFormSmoothing,
  smoothingSystem,
} from '../../../../companion/pipeline/photo-style/closed-form-smoothing.js';
import { mattingLaplacianOperator } from '../../../../companion/pipeline/photo-style/matting-laplacian.js';
import {
  buildMattingLaplacianSparse,
  csrMultiply,
} from '../../../support/matting-laplacian-sparse.js';
import { isPainterlyError } from '../../../../shared/errors.js';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 4294967296);
}

/** Two flat-ish regions split by a vertical edge, with a little noise: a photo in miniature. */
function twoRegionPhoto(w: number, h: number, seed: number): Image {
  const r = rng(seed);
  const img = createImage(w, h, 3);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    const base = x < w / 2 ? [0.2, 0.3, 0.7] : [0.8, 0.6, 0.2];
    img.data.set(base.map((v) => v + 0.03 * (r() - 0.5)), 3 * (y * w + x));
  }
  return img;
}

function noisy(img: Image, amount: number, seed: number): Image {
  const r = rng(seed);
  const out = createImage(img.width, img.height, 3);
  for (let i = 0; i < out.data.length; i++) out.data[i] = Math.min(1, Math.max(0, img.data[i] + amount * (r() - 0.5)));
  return out;
}

function channel(img: Image, c: number): Float64Array {
  return Float64Array.from({ length: img.width * img.height }, (_, i) => img.data[img.channels * i + c]);
}

function solveDense(a: number[][], b: Float64Array): Float64Array {
  const n = a.length;
  const m = a.map((row, i) => [...row, b[i]]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r][c]) > Math.abs(m[p][c])) p = r;
    [m[c], m[p]] = [m[p], m[c]];
    for (let r = c + 1; r < n; r++) {
      const f = m[r][c] / m[c][c];
      for (let j = c; j <= n; j++) m[r][j] -= f * m[c][j];
    }
  }
  const x = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    let s = m[i][n];
    for (let j = i + 1; j < n; j++) s -= m[i][j] * x[j];
    x[i] = s / m[i][i];
  }
  return x;
}

function variance(v: Float64Array): number {
  const m = v.reduce((s, x) => s + x, 0) / v.length;
  return v.reduce((s, x) => s + (x - m) ** 2, 0) / v.length;
}

describe('closedFormSmoothing', () => {
  const content = twoRegionPhoto(24, 16, 1);
  const stylised = noisy(content, 0.3, 2);

  it('returns the stylised image unchanged when α = 0 (infinite fidelity weight)', () => {
    const res = closedFormSmoothing(stylised, content, { alpha: 0 });
    expect(res.iterations).toEqual([0, 0, 0]);
    expect(Array.from(res.image.data)).toEqual(Array.from(stylised.data));
  });

  it('approaches the stylised image as α → 0', () => {
    const diffs = [0.5, 0.05, 0.005].map((alpha) => {
      const out = closedFormSmoothing(stylised, content, { alpha, clamp: false }).image;
      return Math.max(...out.data.map((v, i) => Math.abs(v - stylised.data[i])));
    });
    expect(diffs[1]).toBeLessThan(diffs[0]);
    expect(diffs[2]).toBeLessThan(diffs[1]);
    expect(diffs[2]).toBeLessThan(0.02);
  });

  it('applies (I − αS) exactly as the explicit matrix does, S = D^{-1/2}(D − M)D^{-1/2}', () => {
    const alpha = 0.99;
    const img = twoRegionPhoto(12, 8, 3);
    const csr = buildMattingLaplacianSparse(img);
    const m = mattingLaplacianOperator(img);
    const d = m.windowCounts();
    const { op } = smoothingSystem(m, alpha);
    const r = rng(4);
    const v = Float64Array.from({ length: m.size }, () => r() - 0.5);
    const got = new Float64Array(m.size);
    op.apply(v, got);
    const t = v.map((x, i) => x / Math.sqrt(d[i]));
    const mt = new Float64Array(m.size);
    csrMultiply(csr, t, mt);
    const sv = t.map((x, i) => (d[i] * x - mt[i]) / Math.sqrt(d[i]));
    v.forEach((x, i) => expect(got[i]).toBeCloseTo(x - alpha * sv[i], 10));
  });

  it('converges below the tolerance to the direct solution of (1 − α)(I − αS)⁻¹Y', () => {
    const alpha = 0.9999;
    const img = twoRegionPhoto(12, 8, 5);
    const y = noisy(img, 0.3, 6);
    const tolerance = 1e-9;
    const res = closedFormSmoothing(y, img, { alpha, tolerance, pad: 0, clamp: false });
    expect(res.converged).toBe(true);
    res.relativeResiduals.forEach((r) => expect(r).toBeLessThanOrEqual(tolerance));
    // Dense system from the explicit Laplacian, solved by elimination.
    const { op } = smoothingSystem(mattingLaplacianOperator(img), alpha);
    const n = 96;
    const a: number[][] = [];
    const e = new Float64Array(n);
    const col = new Float64Array(n);
    for (let j = 0; j < n; j++) {
      e.fill(0);
      e[j] = 1;
      op.apply(e, col);
      a.push(Array.from(col)); // symmetric: column j = row j
    }
    for (let c = 0; c < 3; c++) {
      const direct = solveDense(a, channel(y, c).map((v) => (1 - alpha) * v));
      // float32 output: compare to a few ulps of the values
      channel(res.image, c).forEach((v, i) => expect(Math.abs(v - direct[i])).toBeLessThan(1e-6));
    }
  });

  it('removes noise that does not follow the content: variance inside each region drops', () => {
    const out = closedFormSmoothing(stylised, content).image;
    for (let c = 0; c < 3; c++) {
      const left = (img: Image) => Float64Array.from({ length: 16 * 10 }, (_, k) => img.data[3 * (Math.floor(k / 10) * 24 + 1 + (k % 10)) + c]);
      expect(variance(left(out))).toBeLessThan(0.5 * variance(left(stylised)));
    }
  });

  it('uses a Jacobi preconditioner equal to 1/diag of the system', () => {
    const m = mattingLaplacianOperator(content);
    const { op, inverseDiagonal } = smoothingSystem(m, 0.9);
    const e = new Float64Array(m.size);
    const col = new Float64Array(m.size);
    for (const i of [0, 30, 200]) {
      e.fill(0);
      e[i] = 1;
      op.apply(e, col);
      expect(1 / inverseDiagonal[i]).toBeCloseTo(col[i], 10);
    }
  });

  it('keeps the outer pixels at the level of their neighbours with the default 2 px padding', () => {
    const flat = createImage(20, 14, 3).data.fill(0.6);
    const img = { width: 20, height: 14, channels: 3, data: flat };
    const y = noisy(img, 0.2, 7);
    const edgeRatio = (out: Image) => out.data[3 * (7 * 20)] / out.data[3 * (7 * 20 + 10)];
    expect(edgeRatio(closedFormSmoothing(y, img, { pad: 0 }).image)).toBeLessThan(0.8); // √(3/9) pull
    expect(Math.abs(edgeRatio(closedFormSmoothing(y, img).image) - 1)).toBeLessThan(0.03);
  });

  it('throws SIZE_MISMATCH for images of different sizes and CANCELLED on abort', () => {
    const codes: unknown[] = [];
    const ctrl = new AbortController();
    ctrl.abort();
    for (const fn of [
      () => closedFormSmoothing(createImage(5, 5, 3), content),
      () => closedFormSmoothing(stylised, content, { signal: ctrl.signal }),
    ]) {
      try {
        fn();
      } catch (e) {
        codes.push(isPainterlyError(e) && e.code);
      }
    }
    expect(codes).toEqual(['SIZE_MISMATCH', 'CANCELLED']);
  });
});
