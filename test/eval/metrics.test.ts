import { describe, expect, it } from 'vitest';
import type { Image } from '../../companion/image/image.js';
import { labToRgb, rgbToLab } from '../../companion/image/lab.js';
import { meanDeltaE76, ssimL } from '../../eval/metrics.js';
import type { Region } from '../../companion/image/planar.js';
import { mulberry32 } from '../support/gradcheck.js';

function randomImage(w: number, h: number, seed: number): Image {
  const rand = mulberry32(seed);
  return { width: w, height: h, channels: 3, data: Float32Array.from({ length: w * h * 3 }, rand) };
}

const solid = (w: number, h: number, rgb: number[]): Image => ({
  width: w,
  height: h,
  channels: 3,
  data: Float32Array.from({ length: w * h * 3 }, (_, i) => rgb[i % 3]),
});

const maskOf = (w: number, h: number, on: (x: number, y: number) => boolean): Image => {
  const data = new Float32Array(w * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) data[y * w + x] = on(x, y) ? 1 : 0;
  return { width: w, height: h, channels: 1, data };
};

/** SSIM written out per pixel: 11×11 Gaussian window, cut at the border and renormalised. */
function naiveSsimL(a: Image, b: Image, box: Region): number {
  const la = rgbToLab(a).data;
  const lb = rgbToLab(b).data;
  const w = a.width;
  const h = a.height;
  let total = 0;
  for (let y = box.y0; y < box.y0 + box.height; y++) {
    for (let x = box.x0; x < box.x0 + box.width; x++) {
      let ws = 0, ma = 0, mb = 0, aa = 0, bb = 0, ab = 0;
      for (let dy = -5; dy <= 5; dy++) {
        for (let dx = -5; dx <= 5; dx++) {
          const xx = x + dx;
          const yy = y + dy;
          if (xx < 0 || yy < 0 || xx >= w || yy >= h) continue;
          const g = Math.exp(-(dx * dx + dy * dy) / (2 * 1.5 * 1.5));
          const p = la[3 * (yy * w + xx)];
          const q = lb[3 * (yy * w + xx)];
          ws += g;
          ma += g * p;
          mb += g * q;
          aa += g * p * p;
          bb += g * q * q;
          ab += g * p * q;
        }
      }
      ma /= ws; mb /= ws; aa /= ws; bb /= ws; ab /= ws;
      const c1 = 1;
      const c2 = 9;
      total += ((2 * ma * mb + c1) * (2 * (ab - ma * mb) + c2)) / ((ma * ma + mb * mb + c1) * (aa - ma * ma + bb - mb * mb + c2));
    }
  }
  return total / (box.width * box.height);
}

describe('meanDeltaE76', () => {
  it('is 0 for identical images', () => {
    const a = randomImage(8, 6, 1);
    expect(meanDeltaE76(a, a, maskOf(8, 6, () => true))).toBe(0);
  });

  it('is 100 between black and white', () => {
    expect(meanDeltaE76(solid(3, 3, [0, 0, 0]), solid(3, 3, [1, 1, 1]), maskOf(3, 3, () => true))).toBeCloseTo(100, 3);
  });

  it('gives the CIE76 distance of red from white', () => {
    const expected = Math.hypot(100 - 53.2408, 80.0925, 67.2032);
    expect(meanDeltaE76(solid(2, 2, [1, 0, 0]), solid(2, 2, [1, 1, 1]), maskOf(2, 2, () => true))).toBeCloseTo(expected, 2);
  });

  it('averages only over pixels where the mask is above 0.5', () => {
    const a = solid(4, 1, [0, 0, 0]);
    const b = solid(4, 1, [0, 0, 0]);
    b.data.fill(1, 0, 3); // pixel 0 white
    const m: Image = { width: 4, height: 1, channels: 1, data: Float32Array.from([1, 0.6, 0.5, 0]) };
    expect(meanDeltaE76(a, b, m)).toBeCloseTo(50, 3);
  });

  it('is NaN when the mask selects nothing', () => {
    expect(meanDeltaE76(solid(2, 2, [0, 0, 0]), solid(2, 2, [1, 1, 1]), maskOf(2, 2, () => false))).toBeNaN();
  });
});

describe('ssimL', () => {
  it('is 1 for identical images', () => {
    const a = randomImage(20, 16, 2);
    expect(ssimL(a, a)).toBeCloseTo(1, 10);
  });

  it('matches a per-pixel implementation over a box, borders included', () => {
    const a = randomImage(23, 19, 3);
    const b = randomImage(23, 19, 4);
    for (let i = 0; i < a.data.length; i++) b.data[i] = 0.5 * b.data[i] + 0.5 * a.data[i];
    for (const box of [
      { x0: 0, y0: 0, width: 23, height: 19 },
      { x0: 4, y0: 6, width: 9, height: 7 },
      { x0: 15, y0: 0, width: 8, height: 5 },
    ]) {
      expect(ssimL(a, b, box)).toBeCloseTo(naiveSsimL(a, b, box), 6);
    }
  });

  it('drops for noisier copies and is symmetric', () => {
    const a = randomImage(20, 16, 5);
    const noise = randomImage(20, 16, 6);
    const mix = (t: number): Image => ({ ...a, data: a.data.map((v, i) => (1 - t) * v + t * noise.data[i]) });
    const s1 = ssimL(a, mix(0.1));
    const s2 = ssimL(a, mix(0.5));
    expect(s1).toBeLessThan(1);
    expect(s2).toBeLessThan(s1);
    expect(ssimL(mix(0.5), a)).toBeCloseTo(s2, 10);
  });

  it('looks only at lightness: same L with different chroma scores 1', () => {
    const rand = mulberry32(8);
    const n = 12 * 12;
    const labA: Image = { width: 12, height: 12, channels: 3, data: new Float32Array(3 * n) };
    const labB: Image = { width: 12, height: 12, channels: 3, data: new Float32Array(3 * n) };
    for (let i = 0; i < n; i++) {
      const l = 40 + 30 * rand();
      labA.data.set([l, 20, 5], 3 * i);
      labB.data.set([l, -15, 25], 3 * i);
    }
    const a = labToRgb(labA);
    const b = labToRgb(labB);
    expect(meanDeltaE76(a, b, maskOf(12, 12, () => true))).toBeGreaterThan(30);
    expect(ssimL(a, b)).toBeCloseTo(1, 6);
  });

  it('rejects a box outside the image', () => {
    const a = randomImage(5, 5, 7);
    expect(() => ssimL(a, a, { x0: 3, y0: 0, width: 3, height: 2 })).toThrow(/does not lie inside/);
  });
});
