import { describe, expect, it } from 'vitest';
import { createImage, type Image } from '../../../../companion/image/image.js';
import {
  applyLocalAffine,
  bilateralSmoothAffine,
  fitLocalAffine,
  smoothLocalAffine,
} from '../../../../companion/pipeline/photo-style/local-affine.js';
import { isPainterlyError } from '../../../../shared/errors.js';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 4294967296);
}

function randomImage(w: number, h: number, seed: number): Image {
  const r = rng(seed);
  const img = createImage(w, h, 3);
  for (let i = 0; i < img.data.length; i++) img.data[i] = r();
  return img;
}

/** Photo-like: smooth shading, a hard edge, a flat area and 8-bit noise. */
function photoLike(w: number, h: number, seed: number): Image {
  const r = rng(seed);
  const img = createImage(w, h, 3);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    const c = x < w / 2 ? [0.2 + 0.4 * (y / h), 0.3, 0.5 + 0.2 * Math.sin(x / 4)] : y < h / 2 ? [0.9, 0.8, 0.1] : [0.35, 0.6, 0.45];
    img.data.set(c.map((v) => Math.round((v + 0.02 * (r() - 0.5)) * 255) / 255), 3 * (y * w + x));
  }
  return img;
}

const A = [
  [0.5, 0.2, -0.1, 0.1],
  [0.0, 0.9, 0.3, -0.05],
  [0.2, -0.3, 1.1, 0.02],
];

function affineOf(img: Image, a: number[][]): Image {
  const out = createImage(img.width, img.height, 3);
  for (let p = 0; p < img.width * img.height; p++) {
    for (let c = 0; c < 3; c++) {
      out.data[3 * p + c] = a[c][0] * img.data[3 * p] + a[c][1] * img.data[3 * p + 1] + a[c][2] * img.data[3 * p + 2] + a[c][3];
    }
  }
  return out;
}

describe('fitLocalAffine', () => {
  it('recovers a global affine colour map exactly when there is no ridge', () => {
    const content = randomImage(10, 8, 1);
    const coeffs = fitLocalAffine(affineOf(content, A), content, { ridge: 0 });
    for (let p = 0; p < 80; p++) {
      for (let k = 0; k < 12; k++) expect(Math.abs(coeffs[12 * p + k] - A[k >> 2][k & 3])).toBeLessThan(1e-4);
    }
  });

  it('puts the ridge on the RGB terms only: a flat window maps to slope 0 and the window mean as bias', () => {
    const content = createImage(5, 5, 3).data.fill(0.4);
    const flat = { width: 5, height: 5, channels: 3, data: content };
    const output = createImage(5, 5, 3);
    output.data.fill(0.7);
    const coeffs = fitLocalAffine(output, flat);
    // With a ridge on the bias too, the bias would shrink below 0.7.
    for (let c = 0; c < 3; c++) expect(coeffs[12 * 12 + 4 * c + 3] + 0.4 * (coeffs[12 * 12 + 4 * c] + coeffs[12 * 12 + 4 * c + 1] + coeffs[12 * 12 + 4 * c + 2])).toBeCloseTo(0.7, 6);
    expect(Math.abs(coeffs[12 * 12])).toBeLessThan(0.01);
  });
});

describe('bilateralSmoothAffine', () => {
  it('matches a direct joint bilateral filter written with Math.exp', () => {
    const guide = photoLike(20, 14, 2);
    const r = rng(3);
    const coeffs = Float64Array.from({ length: 20 * 14 * 12 }, () => r());
    const opts = { filterRadius: 4, edgeSigma: 0.1 };
    const got = bilateralSmoothAffine(coeffs, guide, opts);
    const s = 4 / 3;
    for (const [x, y] of [[0, 0], [9, 6], [10, 6], [19, 13], [3, 11]]) {
      const acc = new Float64Array(12);
      let wsum = 0;
      for (let yy = Math.max(0, y - 4); yy <= Math.min(13, y + 4); yy++) for (let xx = Math.max(0, x - 4); xx <= Math.min(19, x + 4); xx++) {
        let d2 = 0;
        for (let c = 0; c < 3; c++) d2 += (guide.data[3 * (yy * 20 + xx) + c] - guide.data[3 * (y * 20 + x) + c]) ** 2;
        const w = Math.exp(-((xx - x) ** 2 + (yy - y) ** 2) / (2 * s * s)) * Math.exp(-(d2 / 3) / (2 * 0.1 * 0.1));
        wsum += w;
        for (let k = 0; k < 12; k++) acc[k] += w * coeffs[12 * (yy * 20 + xx) + k];
      }
      for (let k = 0; k < 12; k++) expect(got[12 * (y * 20 + x) + k]).toBeCloseTo(acc[k] / wsum, 7);
    }
  });

  it('does not mix models across an edge of the guide', () => {
    const guide = createImage(16, 6, 3);
    const coeffs = new Float64Array(16 * 6 * 12);
    for (let p = 0; p < 96; p++) {
      const left = p % 16 < 8;
      guide.data.set(left ? [0.1, 0.1, 0.1] : [0.9, 0.9, 0.9], 3 * p);
      coeffs.fill(left ? 1 : 2, 12 * p, 12 * p + 12);
    }
    const out = bilateralSmoothAffine(coeffs, guide, { filterRadius: 5, edgeSigma: 0.01 });
    expect(out[12 * 7]).toBeCloseTo(1, 12);
    expect(out[12 * 8]).toBeCloseTo(2, 12);
  });
});

describe('smoothLocalAffine', () => {
  it('returns the input when output = input, to the ridge bias: mean |Δ| < 0.004, max < 0.03', () => {
    // The 1e-3 ridge shrinks each window's slope where its contrast is low, so a pixel away from
    // its window mean is pulled toward it; on the original examples this is 0.003 mean, 0.024 max.
    const img = photoLike(40, 30, 4);
    const out = smoothLocalAffine(img, img, { clamp: false });
    let sum = 0, max = 0;
    out.data.forEach((v, i) => {
      const d = Math.abs(v - img.data[i]);
      sum += d;
      max = Math.max(max, d);
    });
    expect(sum / out.data.length).toBeLessThan(0.004);
    expect(max).toBeLessThan(0.03);
  });

  it('returns the input to float precision when output = input and the ridge is 0', () => {
    const img = randomImage(12, 10, 5);
    const out = smoothLocalAffine(img, img, { ridge: 0, clamp: false });
    out.data.forEach((v, i) => expect(Math.abs(v - img.data[i])).toBeLessThan(1e-5));
  });

  it('reproduces a global affine recolouring of the photo when there is no ridge', () => {
    // Random colours: every 3×3 window has full-rank colours, so the unregularised fit is exact.
    const img = randomImage(30, 20, 6);
    const target = affineOf(img, A);
    const out = smoothLocalAffine(target, img, { ridge: 0, clamp: false });
    out.data.forEach((v, i) => expect(Math.abs(v - target.data[i])).toBeLessThan(1e-4));
  });

  it('clamps to [0, 1] by default', () => {
    const img = photoLike(12, 8, 7);
    const bright = affineOf(img, [[2, 0, 0, 0.5], [0, 2, 0, 0.5], [0, 0, 2, 0.5]]);
    const out = smoothLocalAffine(bright, img);
    expect(Math.max(...out.data)).toBe(1);
    expect(applyLocalAffine(fitLocalAffine(bright, img), img, false).data.some((v) => v > 1)).toBe(true);
  });

  it('throws SIZE_MISMATCH for different sizes and CANCELLED on abort', () => {
    const ctrl = new AbortController();
    ctrl.abort();
    const img = photoLike(8, 8, 8);
    const codes = [() => smoothLocalAffine(createImage(8, 7, 3), img), () => smoothLocalAffine(img, img, { signal: ctrl.signal })].map((fn) => {
      try {
        fn();
        return 'no error';
      } catch (e) {
        return isPainterlyError(e) ? e.code : String(e);
      }
    });
    expect(codes).toEqual(['SIZE_MISMATCH', 'CANCELLED']);
  });
});
