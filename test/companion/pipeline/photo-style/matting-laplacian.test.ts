import { describe, expect, it } from 'vitest';
import { createImage, type Image } from '../../../../companion/image/image.js';
import { mattingLaplacianOperator } from '../../../../companion/pipeline/photo-style/matting-laplacian.js';
import {
  buildMattingLaplacianSparse,
  csrMultiply,
} from '../../../support/matting-laplacian-sparse.js';
import { isPainterlyError } from '../../../../shared/errors.js';

/** Small deterministic PRNG so failures reproduce. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

function randomImage(w: number, h: number, seed: number, channels = 3): Image {
  const img = createImage(w, h, channels);
  const r = rng(seed);
  for (let i = 0; i < img.data.length; i++) img.data[i] = r();
  return img;
}

/** A photo-like image: flat patches (exactly constant), a gradient and a little noise. */
function patchyImage(w: number, h: number, seed: number): Image {
  const img = createImage(w, h, 3);
  const r = rng(seed);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = 3 * (y * w + x);
      if (x < w / 3) img.data.set([0.2, 0.4, 0.6], i); // flat
      else if (y < h / 2) img.data.set([x / w, 0.5, y / h], i); // smooth ramp
      else img.data.set([Math.round(r() * 255) / 255, Math.round(r() * 255) / 255, 0.3], i); // 8-bit noise
    }
  }
  return img;
}

function randomVector(n: number, seed: number): Float64Array {
  const r = rng(seed);
  return Float64Array.from({ length: n }, () => r() * 2 - 1);
}

function relError(a: Float64Array, b: Float64Array): number {
  let num = 0, den = 0;
  for (let i = 0; i < a.length; i++) {
    num += (a[i] - b[i]) ** 2;
    den += b[i] ** 2;
  }
  return Math.sqrt(num / den);
}

const dotp = (a: Float64Array, b: Float64Array): number => a.reduce((s, v, i) => s + v * b[i], 0);

describe('mattingLaplacianOperator', () => {
  it('matches the explicit sparse matrix on a random 12×9 image to 1e-10', () => {
    const img = randomImage(12, 9, 1);
    const op = mattingLaplacianOperator(img);
    const csr = buildMattingLaplacianSparse(img);
    for (const seed of [2, 3, 4]) {
      const v = randomVector(op.size, seed);
      const fast = new Float64Array(op.size);
      const slow = new Float64Array(op.size);
      op.apply(v, fast);
      csrMultiply(csr, v, slow);
      expect(relError(fast, slow)).toBeLessThan(1e-10);
    }
  });

  it('matches the explicit matrix on an image with exactly flat windows (Δ⁻¹ ≈ 9e7)', () => {
    const img = patchyImage(15, 10, 5);
    const op = mattingLaplacianOperator(img);
    const csr = buildMattingLaplacianSparse(img);
    const v = randomVector(op.size, 6);
    const fast = new Float64Array(op.size);
    const slow = new Float64Array(op.size);
    op.apply(v, fast);
    csrMultiply(csr, v, slow);
    expect(relError(fast, slow)).toBeLessThan(1e-8);
  });

  it('matches the explicit matrix for radius 2 and ε = 1e-5, on an RGBA image', () => {
    const img = randomImage(11, 8, 7, 4);
    const opts = { radius: 2, epsilon: 1e-5 };
    const op = mattingLaplacianOperator(img, opts);
    const csr = buildMattingLaplacianSparse(img, opts);
    const v = randomVector(op.size, 8);
    const fast = new Float64Array(op.size);
    const slow = new Float64Array(op.size);
    op.apply(v, fast);
    csrMultiply(csr, v, slow);
    expect(relError(fast, slow)).toBeLessThan(1e-10);
  });

  it('maps a constant vector to zero (a uniform colour shift costs nothing)', () => {
    const img = patchyImage(20, 14, 9);
    const op = mattingLaplacianOperator(img);
    const ones = new Float64Array(op.size).fill(1);
    const out = new Float64Array(op.size);
    op.apply(ones, out);
    // Compare with the size of M·v for a random v of the same norm.
    const v = randomVector(op.size, 10);
    const mv = new Float64Array(op.size);
    op.apply(v, mv);
    const scale = Math.sqrt(dotp(mv, mv));
    expect(Math.sqrt(dotp(out, out)) / scale).toBeLessThan(1e-10);
  });

  it('is symmetric: uᵀ(Mv) = vᵀ(Mu)', () => {
    const img = randomImage(17, 13, 11);
    const op = mattingLaplacianOperator(img);
    const u = randomVector(op.size, 12);
    const v = randomVector(op.size, 13);
    const mu = new Float64Array(op.size);
    const mv = new Float64Array(op.size);
    op.apply(u, mu);
    op.apply(v, mv);
    const a = dotp(u, mv), b = dotp(v, mu);
    expect(Math.abs(a - b) / Math.abs(a)).toBeLessThan(1e-11);
  });

  it('is positive semi-definite: vᵀMv ≥ 0 for random v', () => {
    const img = randomImage(16, 12, 14);
    const op = mattingLaplacianOperator(img);
    const mv = new Float64Array(op.size);
    for (const seed of [15, 16, 17, 18]) {
      const v = randomVector(op.size, seed);
      op.apply(v, mv);
      expect(dotp(v, mv)).toBeGreaterThan(0);
    }
  });

  it('has 25 non-zeros in an interior row and window counts 1/2/3 × 1/2/3 at the border', () => {
    const img = randomImage(9, 7, 19);
    const csr = buildMattingLaplacianSparse(img);
    const interior = 3 * 9 + 4;
    expect(csr.rowPtr[interior + 1] - csr.rowPtr[interior]).toBe(25);
    const counts = mattingLaplacianOperator(img).windowCounts();
    expect([counts[0], counts[1], counts[2], counts[9 + 1], counts[interior]]).toEqual([1, 2, 3, 4, 9]);
  });

  it('reports the diagonal of the explicit matrix', () => {
    const img = randomImage(10, 8, 20);
    const csr = buildMattingLaplacianSparse(img);
    const diag = mattingLaplacianOperator(img).diagonal();
    for (let i = 0; i < csr.rows; i++) {
      let mii = 0;
      for (let p = csr.rowPtr[i]; p < csr.rowPtr[i + 1]; p++) if (csr.colIdx[p] === i) mii = csr.values[p];
      expect(diag[i]).toBeCloseTo(mii, 10);
    }
  });

  it('refuses images smaller than one window with BAD_ARGUMENT', () => {
    try {
      mattingLaplacianOperator(randomImage(2, 5, 21));
      expect.unreachable();
    } catch (e) {
      expect(isPainterlyError(e) && e.code).toBe('BAD_ARGUMENT');
    }
  });
});
