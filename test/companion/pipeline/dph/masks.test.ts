import { describe, expect, it } from 'vitest';
import {
  binarize,
  blurTightMaskTorch,
  convOutSize,
  dilateTightMask,
  maskAfterConv,
  maskAfterPool,
  nearestResize,
  torchGaussianKernel1d,
  torchScaleBilinear,
} from '../../../../companion/pipeline/dph/masks.js';
import { createImage, type Image } from '../../../../companion/image/image.js';

/** Direct zero-padded 'same' 2-D correlation with a full ks×ks kernel (the slow obvious version). */
function conv2dSame(src: Float32Array, h: number, w: number, kernel: (dy: number, dx: number) => number, ks: number) {
  const r = (ks - 1) / 2;
  const out = new Float64Array(h * w);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let acc = 0;
      for (let dy = -r; dy <= r; dy++) {
        for (let dx = -r; dx <= r; dx++) {
          const yy = y + dy;
          const xx = x + dx;
          if (yy >= 0 && yy < h && xx >= 0 && xx < w) acc += kernel(dy, dx) * src[yy * w + xx];
        }
      }
      out[y * w + x] = acc;
    }
  }
  return out;
}

/** fspecial('gaussian', 35, 35/3) built as MATLAB does: 2-D exponentials normalised by their sum. */
function fspecial35(): (dy: number, dx: number) => number {
  const sigma = 35 / 3;
  let sum = 0;
  for (let dy = -17; dy <= 17; dy++) for (let dx = -17; dx <= 17; dx++) sum += Math.exp(-(dx * dx + dy * dy) / (2 * sigma * sigma));
  return (dy, dx) => Math.exp(-(dx * dx + dy * dy) / (2 * sigma * sigma)) / sum;
}

function rectMask(w: number, h: number, channels: number, x0: number, x1: number, y0: number, y1: number): Image {
  const img = createImage(w, h, channels);
  for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) img.data[(y * w + x) * channels] = 1;
  return img;
}

describe('maskAfterConv', () => {
  it('divides by 9 at the borders of a 4×4 all-ones mask (padding counts)', () => {
    const out = maskAfterConv(new Float32Array(16).fill(1), 4, 4);
    const c = 4 / 9;
    const e = 6 / 9;
    const expected = [c, e, e, c, e, 1, 1, e, e, 1, 1, e, c, e, e, c];
    expected.forEach((v, i) => expect(out[i]).toBeCloseTo(v, 6));
  });

  it('spreads a single corner pixel of a 5×5 mask as 1/9 over its 2×2 neighbourhood', () => {
    const m = new Float32Array(25);
    m[0] = 1;
    const out = maskAfterConv(m, 5, 5);
    for (let y = 0; y < 5; y++) {
      for (let x = 0; x < 5; x++) expect(out[y * 5 + x]).toBeCloseTo(x < 2 && y < 2 ? 1 / 9 : 0, 7);
    }
  });

  it('handles strided windows with the floor output size', () => {
    expect(convOutSize(5, 3, 2, 0)).toBe(2);
    const m = Float32Array.from({ length: 25 }, (_, i) => i);
    const out = maskAfterConv(m, 5, 5, 3, 2, 0);
    // Window at (0,0) covers rows 0–2, cols 0–2: mean of 0,1,2,5,6,7,10,11,12 = 6.
    expect(Array.from(out)).toEqual([6, 8, 16, 18]);
  });
});

describe('maskAfterPool', () => {
  it('averages exact 2×2 blocks when halving an even size', () => {
    const m = Float32Array.from([1, 0, 0, 0, 0, 0, 1, 1, 1, 1, 0, 1, 1, 1, 1, 0]);
    expect(Array.from(maskAfterPool(m, 4, 4, 2, 2))).toEqual([0.25, 0.5, 1, 0.5]);
  });

  it('weights rows 1, ⅔ | ⅓, 1, ⅓ | ⅔, 1 (over 5/3) when an odd 5 halves to ceil 3', () => {
    // Separable: a 1 at (1,1) contributes 0.4 (row/col weight ⅔ ÷ 5/3) to output 0 and 0.2 to output 1.
    const m = new Float32Array(25);
    m[1 * 5 + 1] = 1;
    const out = maskAfterPool(m, 5, 5, 3, 3);
    const w1 = [0.4, 0.2, 0];
    for (let y = 0; y < 3; y++) for (let x = 0; x < 3; x++) expect(out[y * 3 + x]).toBeCloseTo(w1[y] * w1[x], 6);
    // The last source row counts fully in the last output row.
    const last = new Float32Array(25);
    last[4 * 5 + 4] = 1;
    expect(maskAfterPool(last, 5, 5, 3, 3)[8]).toBeCloseTo(0.6 * 0.6, 6);
  });

  it('keeps a constant mask constant on non-square odd grids', () => {
    const out = maskAfterPool(new Float32Array(7 * 9).fill(0.7), 7, 9, 4, 5);
    for (const v of out) expect(v).toBeCloseTo(0.7, 6);
  });
});

describe('torchScaleBilinear', () => {
  it('interpolates with aligned corners when growing', () => {
    const out = torchScaleBilinear(Float32Array.of(0, 4), 1, 2, 1, 1, 5);
    expect(Array.from(out)).toEqual([0, 1, 2, 3, 4]);
  });

  it('scales every channel of an HWC buffer independently', () => {
    // 1×3 image, 2 channels → 1×2: weights (1, ½)/1.5 and (½, 1)/1.5.
    const out = torchScaleBilinear(Float32Array.of(3, 0, 0, 3, 6, 0), 1, 3, 2, 1, 2);
    expect(out[0]).toBeCloseTo(2, 6);
    expect(out[1]).toBeCloseTo(1, 6);
    expect(out[2]).toBeCloseTo(4, 6);
    expect(out[3]).toBeCloseTo(1, 6);
  });
});

describe('nearestResize', () => {
  it('takes source index floor(i·src/dst) in both directions', () => {
    const row = Float32Array.of(10, 11, 12);
    expect(Array.from(nearestResize(row, 1, 3, 1, 7))).toEqual([10, 10, 10, 11, 11, 12, 12]);
    const five = Float32Array.of(0, 1, 2, 3, 4);
    expect(Array.from(nearestResize(five, 5, 1, 2, 1))).toEqual([0, 2]);
  });

  it('doubles a 2×2 mask into 2×2 blocks', () => {
    const out = nearestResize(Float32Array.of(1, 2, 3, 4), 2, 2, 4, 4);
    expect(Array.from(out)).toEqual([1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4]);
  });
});

describe('binarize', () => {
  it('is strict at the threshold, compared in float32 as Torch does', () => {
    expect(Array.from(binarize(Float32Array.of(0, 0.1, 0.1001, 1), 0.1))).toEqual([0, 0, 1, 1]);
    expect(Array.from(binarize(Float32Array.of(0.5, 0.50001), 0.5))).toEqual([0, 1]);
  });
});

describe('dilateTightMask', () => {
  it('equals a direct 35×35 fspecial convolution thresholded at 0.1, using channel 0 only', () => {
    const w = 48;
    const h = 40;
    const tight = rectMask(w, h, 3, 15, 30, 12, 25);
    // Noise in channels 1 and 2 must be ignored.
    for (let i = 0; i < w * h; i++) tight.data[i * 3 + 1] = (i % 7) / 7;
    const out = dilateTightMask(tight);
    expect(out.channels).toBe(1);
    const first = Float32Array.from({ length: w * h }, (_, i) => tight.data[i * 3]);
    const slow = conv2dSame(first, h, w, fspecial35(), 35);
    for (let i = 0; i < w * h; i++) expect(out.data[i]).toBe(slow[i] > 0.1 ? 1 : 0);
  });

  it('grows a straight edge by 12 px (the 35-tap kernel is truncated at ±1.46σ)', () => {
    // 1-D tail mass of the normalised truncated kernel: 0.110 at 12 px, 0.087 at 13 px.
    // (The spec's "about 14 px" assumes an untruncated Gaussian.)
    const w = 80;
    const h = 80;
    const out = dilateTightMask(rectMask(w, h, 1, 0, 30, 0, h));
    const row = 40;
    let grown = 0;
    for (let x = 30; x < w; x++) grown += out.data[row * w + x];
    expect(grown).toBe(12);
  });
});

describe('blurTightMaskTorch', () => {
  it('uses an almost flat 7×7 kernel: σ = 3·7 px, corner ≈ 0.98 of the centre', () => {
    const k = torchGaussianKernel1d(7, 3);
    expect((k[0] * k[0]) / (k[3] * k[3])).toBeCloseTo(Math.exp(-9 / 441), 10);
    const img = createImage(11, 11, 1);
    img.data[5 * 11 + 5] = 1;
    const out = blurTightMaskTorch(img);
    let sum = 0;
    for (const v of out.data) sum += v;
    expect(sum).toBeCloseTo(1, 6);
    expect(out.data[2 * 11 + 2] / out.data[5 * 11 + 5]).toBeCloseTo(0.9798, 4);
    expect(out.data[1 * 11 + 5]).toBe(0);
  });

  it('equals a direct zero-padded 2-D convolution on every channel', () => {
    const w = 12;
    const h = 9;
    const img = rectMask(w, h, 3, 0, 6, 2, 9);
    for (let i = 0; i < w * h; i++) img.data[i * 3 + 2] = 1; // all-ones plane: borders show the zero padding
    const out = blurTightMaskTorch(img);
    const k = torchGaussianKernel1d(7, 3);
    for (const ch of [0, 2]) {
      const plane = Float32Array.from({ length: w * h }, (_, i) => img.data[i * 3 + ch]);
      const slow = conv2dSame(plane, h, w, (dy, dx) => k[dy + 3] * k[dx + 3], 7);
      for (let i = 0; i < w * h; i++) expect(out.data[i * 3 + ch]).toBeCloseTo(slow[i], 6);
    }
    // The corner of the all-ones plane sees only a 4×4 quarter of the kernel.
    expect(out.data[2]).toBeLessThan(0.4);
  });
});
