import { describe, it, expect } from 'vitest';
import { createImage, type Image } from '../../../../companion/image/image.js';
import { addChangeAtFullSize, applyAffineAtFullSize, toContentResolution } from '../../../../companion/pipeline/photo-style/full-resolution.js';
import { mulberry32 } from '../../../support/gradcheck.js';

function randomImage(w: number, h: number, seed: number): Image {
  const r = mulberry32(seed);
  const img = createImage(w, h, 3);
  for (let i = 0; i < img.data.length; i++) img.data[i] = r();
  return img;
}

/** The same 3×4 model at every pixel of a w×h grid. */
function constantModels(w: number, h: number, a: number[]): Float64Array {
  const out = new Float64Array(w * h * 12);
  for (let p = 0; p < w * h; p++) out.set(a, 12 * p);
  return out;
}

describe('toContentResolution', () => {
  it('returns the working-size result itself when the content was not scaled', () => {
    const r = randomImage(8, 6, 1);
    expect(toContentResolution(r, undefined, randomImage(8, 6, 2), randomImage(8, 6, 3))).toBe(r);
  });

  it('applies per-pixel affine models to the full-size photo, so identity models give the photo back', () => {
    const content = randomImage(40, 30, 4);
    const identity = constantModels(10, 8, [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0]);
    const out = toContentResolution(createImage(10, 8, 3), identity, createImage(10, 8, 3), content);
    expect([out.width, out.height]).toEqual([40, 30]);
    out.data.forEach((v, i) => expect(v).toBeCloseTo(content.data[i], 6));
  });

  it('mixes channels and adds the bias as each model says, clamped to [0, 1]', () => {
    const content = randomImage(9, 7, 5);
    const a = [0.5, 0.2, 0, 0.1, 0, 0, 2, -0.3, 0.1, 0.1, 0.1, 0.6];
    const out = applyAffineAtFullSize(constantModels(3, 3, a), 3, 3, content);
    for (let p = 0; p < 63; p++) {
      const [r, g, b] = content.data.subarray(3 * p, 3 * p + 3);
      for (let c = 0; c < 3; c++) {
        const v = a[4 * c] * r + a[4 * c + 1] * g + a[4 * c + 2] * b + a[4 * c + 3];
        expect(out.data[3 * p + c]).toBeCloseTo(Math.min(1, Math.max(0, v)), 6);
      }
    }
  });

  it('interpolates the models bilinearly with pixel centres aligned', () => {
    // Bias = column index of the working grid; the content is black, so the output is the bias.
    const w = 5, h = 2, W = 20;
    const models = new Float64Array(w * h * 12);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) models[12 * (y * w + x) + 3] = x / 10;
    const out = applyAffineAtFullSize(models, w, h, createImage(W, 3, 3));
    for (let X = 0; X < W; X++) {
      const pos = Math.min(w - 1, Math.max(0, ((X + 0.5) * w) / W - 0.5));
      expect(out.data[3 * X]).toBeCloseTo(pos / 10, 6);
    }
  });

  it('without models carries the colour change over to the full-size photo', () => {
    const content = randomImage(30, 24, 6);
    const working = randomImage(10, 8, 7);
    const result = { ...working, data: working.data.map((v, i) => v + (i % 3 === 0 ? 0.1 : -0.05)) };
    const out = addChangeAtFullSize(result, working, content);
    out.data.forEach((v, i) => expect(v).toBeCloseTo(Math.min(1, Math.max(0, content.data[i] + (i % 3 === 0 ? 0.1 : -0.05))), 5));
    expect(toContentResolution(result, undefined, working, content).data).toEqual(out.data);
  });
});
