import { describe, expect, it } from 'vitest';
import { guidedFilterColor } from '../../../companion/image/guided-filter.js';
import type { Image } from '../../../companion/image/image.js';
import { mulberry32 } from '../../support/gradcheck.js';

function randomImage(w: number, h: number, c: number, seed: number, scale = 1): Image {
  const rand = mulberry32(seed);
  return { width: w, height: h, channels: c, data: Float32Array.from({ length: w * h * c }, () => scale * rand()) };
}

/** Solves a 3×3 system by Gaussian elimination with partial pivoting. */
function solve3(m: number[][], v: number[]): number[] {
  const a = m.map((row, i) => [...row, v[i]]);
  for (let col = 0; col < 3; col++) {
    let piv = col;
    for (let r = col + 1; r < 3; r++) if (Math.abs(a[r][col]) > Math.abs(a[piv][col])) piv = r;
    [a[col], a[piv]] = [a[piv], a[col]];
    for (let r = col + 1; r < 3; r++) {
      const f = a[r][col] / a[col][col];
      for (let k = col; k < 4; k++) a[r][k] -= f * a[col][k];
    }
  }
  const x = [0, 0, 0];
  for (let r = 2; r >= 0; r--) {
    let s = a[r][3];
    for (let k = r + 1; k < 3; k++) s -= a[r][k] * x[k];
    x[r] = s / a[r][r];
  }
  return x;
}

/** He et al.'s colour guided filter written per pixel with explicit window loops. */
function naiveGuidedFilter(guide: Image, p: Float64Array, r: number, eps: number): Float64Array {
  const { width: w, height: h } = guide;
  const I = (x: number, y: number, k: number): number => guide.data[(y * w + x) * 3 + k];
  const window = (x: number, y: number): Array<[number, number]> => {
    const px: Array<[number, number]> = [];
    for (let yy = Math.max(0, y - r); yy <= Math.min(h - 1, y + r); yy++) {
      for (let xx = Math.max(0, x - r); xx <= Math.min(w - 1, x + r); xx++) px.push([xx, yy]);
    }
    return px;
  };
  const A: number[][] = [];
  const B: number[] = [];
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const win = window(x, y);
      const n = win.length;
      const mu = [0, 0, 0];
      let mp = 0;
      for (const [xx, yy] of win) {
        for (let k = 0; k < 3; k++) mu[k] += I(xx, yy, k) / n;
        mp += p[yy * w + xx] / n;
      }
      const sigma = [0, 1, 2].map((i) => [0, 1, 2].map((j) => {
        let s = 0;
        for (const [xx, yy] of win) s += (I(xx, yy, i) - mu[i]) * (I(xx, yy, j) - mu[j]);
        return s / n + (i === j ? eps : 0);
      }));
      const cov = [0, 1, 2].map((k) => {
        let s = 0;
        for (const [xx, yy] of win) s += (I(xx, yy, k) - mu[k]) * (p[yy * w + xx] - mp);
        return s / n;
      });
      const a = solve3(sigma, cov);
      A.push(a);
      B.push(mp - a[0] * mu[0] - a[1] * mu[1] - a[2] * mu[2]);
    }
  }
  const q = new Float64Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const win = window(x, y);
      let s = 0;
      for (const [xx, yy] of win) {
        const j = yy * w + xx;
        s += A[j][0] * I(x, y, 0) + A[j][1] * I(x, y, 1) + A[j][2] * I(x, y, 2) + B[j];
      }
      q[y * w + x] = s / win.length;
    }
  }
  return q;
}

describe('guidedFilterColor', () => {
  const guide = randomImage(11, 9, 3, 21);
  const input = randomImage(11, 9, 2, 22, 50); // Lab-like magnitudes

  for (const [r, eps] of [
    [1, 0.01],
    [2, 0.01],
    [2, 0.16],
    [4, 0.04],
    [6, 0.001],
  ] as const) {
    it(`matches a naive per-pixel window loop with r = ${r}, eps = ${eps}, borders included`, () => {
      const out = guidedFilterColor(guide, input, r, eps);
      expect([out.width, out.height, out.channels]).toEqual([11, 9, 2]);
      for (let ch = 0; ch < 2; ch++) {
        const p = Float64Array.from({ length: 99 }, (_, i) => input.data[i * 2 + ch]);
        const ref = naiveGuidedFilter(guide, p, r, eps);
        let worst = 0;
        for (let i = 0; i < 99; i++) worst = Math.max(worst, Math.abs(out.data[i * 2 + ch] - ref[i]));
        expect(worst).toBeLessThan(1e-4);
      }
    });
  }

  it('reproduces an input that is an affine function of the guide (edge preserving)', () => {
    const p: Image = { width: 11, height: 9, channels: 1, data: new Float32Array(99) };
    for (let i = 0; i < 99; i++) p.data[i] = 2 * guide.data[3 * i] - guide.data[3 * i + 2] + 0.5;
    const out = guidedFilterColor(guide, p, 2, 1e-6);
    for (let i = 0; i < 99; i++) expect(out.data[i]).toBeCloseTo(p.data[i], 3);
  });

  it('flattens the input to its window means when eps is huge', () => {
    const p = randomImage(11, 9, 1, 23);
    const out = guidedFilterColor(guide, p, 1, 1e9);
    // a → 0, so q = mean over windows of the window means of p.
    const ref = naiveGuidedFilter(guide, Float64Array.from(p.data), 1, 1e9);
    for (let i = 0; i < 99; i++) expect(out.data[i]).toBeCloseTo(ref[i], 5);
    expect(Math.max(...out.data) - Math.min(...out.data)).toBeLessThan(Math.max(...p.data) - Math.min(...p.data));
  });

  it('rejects a guide of another size', () => {
    expect(() => guidedFilterColor(randomImage(5, 5, 3, 1), randomImage(6, 5, 1, 2), 1, 0.01)).toThrow(/Guide is 5×5/);
  });
});
