import { describe, expect, it } from 'vitest';
import { binarize, blurTightMaskTorch, dilateTightMask } from '../../../../companion/pipeline/harmonize/masks.js';
import { torchGaussianKernel } from '../../../../companion/image/gaussian.js';
import { createImage, type Image } from '../../../../companion/image/image.js';

/** Direct zero-padded 'same' 2-D correlation with a full ks×ks kernel (the slow obvious version). */
/** 'same'-size 2-D convolution: zeros outside the image, or with `replicate` the nearest pixel inside. */
function conv2dSame(src: Float32Array, h: number, w: number, kernel: (dy: number, dx: number) => number, ks: number, replicate = false) {
  const r = (ks - 1) / 2;
  const out = new Float64Array(h * w);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let acc = 0;
      for (let dy = -r; dy <= r; dy++) {
        for (let dx = -r; dx <= r; dx++) {
          const yy = replicate ? Math.min(h - 1, Math.max(0, y + dy)) : y + dy;
          const xx = replicate ? Math.min(w - 1, Math.max(0, x + dx)) : x + dx;
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

describe('binarize', () => {
  it('is strict at the threshold, compared in float32 as Torch does', () => {
    const row = (...v: number[]) => ({ data: Float32Array.from(v), channels: 1, width: v.length, height: 1 });
    expect(Array.from(binarize(row(0, 0.1, 0.1001, 1), 0.1).data)).toEqual([0, 0, 1, 1]);
    expect(Array.from(binarize(row(0.5, 0.50001), 0.5).data)).toEqual([0, 1]);
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
    const k = torchGaussianKernel(7, 3);
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

  it('equals a direct 2-D convolution reading the nearest pixel inside on every channel; Torch\'s zero padding only away from the canvas edge', () => {
    const w = 12;
    const h = 9;
    const img = rectMask(w, h, 3, 0, 6, 2, 9);
    for (let i = 0; i < w * h; i++) img.data[i * 3 + 2] = 1; // all-ones plane: an object covering the canvas
    const out = blurTightMaskTorch(img);
    const k = torchGaussianKernel(7, 3);
    for (const ch of [0, 2]) {
      const plane = Float32Array.from({ length: w * h }, (_, i) => img.data[i * 3 + ch]);
      const slow = conv2dSame(plane, h, w, (dy, dx) => k[dy + 3] * k[dx + 3], 7, true);
      const torch = conv2dSame(plane, h, w, (dy, dx) => k[dy + 3] * k[dx + 3], 7);
      for (let i = 0; i < w * h; i++) {
        expect(out.data[i * 3 + ch]).toBeCloseTo(slow[i], 6);
        const x = i % w, y = Math.floor(i / w);
        if (x >= 3 && x < w - 3 && y >= 3 && y < h - 3) expect(out.data[i * 3 + ch]).toBeCloseTo(torch[i], 6);
      }
    }
    // The all-ones plane stays opaque to its corner; Torch's corner sees only a 4×4 quarter of the kernel.
    expect(out.data[2]).toBeCloseTo(1, 6);
    expect(conv2dSame(Float32Array.from({ length: w * h }, () => 1), h, w, (dy, dx) => k[dy + 3] * k[dx + 3], 7)[0]).toBeLessThan(0.4);
  });
});
