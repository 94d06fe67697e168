import { describe, expect, it } from 'vitest';
import {
  gaussianBlur,
  gaussianKernel,
  torchGaussianBlur,
  torchGaussianKernel,
} from '../../../companion/image/gaussian.js';
import type { Image } from '../../../companion/image/image.js';
import { mulberry32 } from '../../support/gradcheck.js';

function randomImage(w: number, h: number, c: number, seed: number): Image {
  const rand = mulberry32(seed);
  return { width: w, height: h, channels: c, data: Float32Array.from({ length: w * h * c }, rand) };
}

/** The obvious 2-D loop: normalised exp(−(dx²+dy²)/2σ²) kernel, zeros outside the image (or, `replicate`, the nearest pixel inside). */
function naiveBlur(img: Image, size: number, sigma: number, replicate = false): Float64Array {
  const r = (size - 1) / 2;
  const k: number[][] = [];
  let sum = 0;
  for (let dy = -r; dy <= r; dy++) {
    const kr: number[] = [];
    for (let dx = -r; dx <= r; dx++) {
      const v = Math.exp(-(dx * dx + dy * dy) / (2 * sigma * sigma));
      kr.push(v);
      sum += v;
    }
    k.push(kr);
  }
  const { width: w, height: h, channels: c } = img;
  const out = new Float64Array(w * h * c);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      for (let ch = 0; ch < c; ch++) {
        let acc = 0;
        for (let dy = -r; dy <= r; dy++) {
          for (let dx = -r; dx <= r; dx++) {
            let yy = y + dy;
            let xx = x + dx;
            if (replicate) {
              yy = Math.min(h - 1, Math.max(0, yy));
              xx = Math.min(w - 1, Math.max(0, xx));
            }
            if (yy < 0 || yy >= h || xx < 0 || xx >= w) continue;
            acc += (k[dy + r][dx + r] / sum) * img.data[(yy * w + xx) * c + ch];
          }
        }
        out[(y * w + x) * c + ch] = acc;
      }
    }
  }
  return out;
}

function maxDiff(a: Float32Array, b: Float64Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

describe('gaussianKernel', () => {
  it('sums to 1 and is symmetric', () => {
    const k = gaussianKernel(7, 3);
    expect(k.reduce((a, v) => a + v, 0)).toBeCloseTo(1, 12);
    for (let i = 0; i < 3; i++) expect(k[i]).toBeCloseTo(k[6 - i], 15);
  });

  it('has the true-sigma ratio between neighbouring taps', () => {
    const k = gaussianKernel(7, 1);
    expect(k[4] / k[3]).toBeCloseTo(Math.exp(-0.5), 12);
  });

  it('rejects an even size', () => {
    expect(() => gaussianKernel(6, 1)).toThrow(/odd/);
  });
});

describe('torchGaussianKernel', () => {
  it('uses sigma relative to the size: (7, 3) is nearly flat with an effective sigma of 21 px', () => {
    const k = torchGaussianKernel(7, 3);
    // 2-D corner over centre is (k[0]/k[3])², which spec §1.2 gives as ≈ 0.98.
    expect((k[0] / k[3]) ** 2).toBeCloseTo(Math.exp(-(9 + 9) / (2 * 21 * 21)), 12);
    expect((k[0] / k[3]) ** 2).toBeGreaterThan(0.97);
    expect(k).toEqual(gaussianKernel(7, 21));
  });
});

describe('gaussianBlur', () => {
  it('matches a naive 2-D loop with zero padding (7×7, σ = 3)', () => {
    const img = randomImage(13, 10, 3, 1);
    expect(maxDiff(gaussianBlur(img, 7, 3).data, naiveBlur(img, 7, 3))).toBeLessThan(1e-6);
  });

  it('matches a naive 2-D loop on an image smaller than the kernel (7×7, σ = 1)', () => {
    const img = randomImage(4, 5, 1, 2);
    expect(maxDiff(gaussianBlur(img, 7, 1).data, naiveBlur(img, 7, 1))).toBeLessThan(1e-6);
  });

  it('darkens the border of a constant image (zero padding), keeping the interior', () => {
    const img: Image = { width: 20, height: 20, channels: 1, data: new Float32Array(400).fill(1) };
    const out = gaussianBlur(img, 7, 3).data;
    expect(out[10 * 20 + 10]).toBeCloseTo(1, 6);
    expect(out[0]).toBeLessThan(0.5);
  });

  it('matches a naive 2-D loop reading the nearest pixel inside, with replicate (7×7, σ = 3; and an image smaller than the kernel)', () => {
    const img = randomImage(13, 10, 3, 4);
    expect(maxDiff(gaussianBlur(img, 7, 3, 'replicate').data, naiveBlur(img, 7, 3, true))).toBeLessThan(1e-6);
    const small = randomImage(2, 5, 1, 5);
    expect(maxDiff(gaussianBlur(small, 7, 1, 'replicate').data, naiveBlur(small, 7, 1, true))).toBeLessThan(1e-6);
  });

  it('keeps a constant image constant up to its edges with replicate', () => {
    const img: Image = { width: 20, height: 20, channels: 1, data: new Float32Array(400).fill(0.7) };
    for (const v of gaussianBlur(img, 7, 3, 'replicate').data) expect(v).toBeCloseTo(0.7, 6);
  });

  it('keeps the size', () => {
    const out = gaussianBlur(randomImage(9, 6, 2, 3), 7, 1);
    expect([out.width, out.height, out.channels]).toEqual([9, 6, 2]);
  });
});

describe('torchGaussianBlur', () => {
  it('matches a naive 2-D loop with sigma = relSigma·size', () => {
    const img = randomImage(11, 9, 3, 4);
    expect(maxDiff(torchGaussianBlur(img, 7, 3).data, naiveBlur(img, 7, 21))).toBeLessThan(1e-6);
  });
});
