// The τ estimator's two features against slow, obvious transcriptions of their definitions
// (docs/tau.md): a pixel loop for the smooth share; for the coherence a direct 2-D Gaussian
// convolution with replicated borders and eigenvalues from the 2×2 characteristic polynomial.
import { describe, expect, it } from 'vitest';
import { SMOOTH_STEP, COHERENCE_SIGMAS, paintingFeatures, smoothShare, strokeCoherence, tauWorkingImage, TAU_LONG_SIDE } from '../../../companion/tau/features.js';
import { rgbToLab } from '../../../companion/image/lab.js';
import { resize } from '../../../companion/image/resize.js';
import type { Image } from '../../../companion/image/image.js';
import { mulberry32 as rng } from '../../../shared/seeded-random.js';

/** A small painting-like test image: soft gradients, a few hard-edged strokes, some noise. */
function scene(w: number, h: number, seed: number): Image {
  const r = rng(seed);
  const data = new Float32Array(w * h * 3);
  const strokes = Array.from({ length: 6 }, () => ({ x: r() * w, y: r() * h, a: r() * Math.PI, c: [r(), r(), r()] }));
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    const i = 3 * (y * w + x);
    let c = [x / w, y / h, 0.5 + 0.3 * Math.sin(x / 7)];
    for (const s of strokes) {
      const along = (x - s.x) * Math.cos(s.a) + (y - s.y) * Math.sin(s.a);
      const across = -(x - s.x) * Math.sin(s.a) + (y - s.y) * Math.cos(s.a);
      if (Math.abs(along) < 12 && Math.abs(across) < 2.5) c = s.c;
    }
    for (let k = 0; k < 3; k++) data[i + k] = Math.min(1, Math.max(0, c[k] + (r() - 0.5) * 0.02 * (x > w / 2 ? 1 : 0)));
  }
  return { width: w, height: h, channels: 3, data };
}

function slowSmoothShare(img: Image): number {
  const { width: w, height: h, data } = img;
  const grey = (x: number, y: number): number => 0.299 * data[3 * (y * w + x)] + 0.587 * data[3 * (y * w + x) + 1] + 0.114 * data[3 * (y * w + x) + 2];
  let n = 0;
  let smooth = 0;
  for (let y = 2; y < h - 2; y++) for (let x = 2; x < w - 2; x++) {
    const gx = (grey(x + 1, y) - grey(x - 1, y)) / 2;
    const gy = (grey(x, y + 1) - grey(x, y - 1)) / 2;
    n++;
    if (Math.sqrt(gx * gx + gy * gy) < SMOOTH_STEP) smooth++;
  }
  return smooth / n;
}

/** Direct 2-D Gaussian (MATLAB fspecial size 2⌈3σ⌉+1, normalised), replicated border. */
function slowBlur(f: (x: number, y: number) => number, w: number, h: number, sigma: number): number[][] {
  const r = Math.ceil(3 * sigma);
  const k: number[][] = [];
  let sum = 0;
  for (let dy = -r; dy <= r; dy++) {
    k.push([]);
    for (let dx = -r; dx <= r; dx++) {
      const v = Math.exp(-(dx * dx + dy * dy) / (2 * sigma * sigma));
      k[dy + r].push(v);
      sum += v;
    }
  }
  const clamp = (v: number, n: number): number => Math.min(n - 1, Math.max(0, v));
  const out: number[][] = [];
  for (let y = 0; y < h; y++) {
    out.push([]);
    for (let x = 0; x < w; x++) {
      let acc = 0;
      for (let dy = -r; dy <= r; dy++) for (let dx = -r; dx <= r; dx++) acc += k[dy + r][dx + r] * f(clamp(x + dx, w), clamp(y + dy, h));
      out[y].push(acc / sum);
    }
  }
  return out;
}

function slowCoherence(img: Image): number {
  const { width: w, height: h } = img;
  const lab = rgbToLab(img).data;
  const J = [0, 1, 2].map(() => Array.from({ length: h }, () => new Array<number>(w).fill(0)));
  for (let c = 0; c < 3; c++) {
    const s = slowBlur((x, y) => lab[3 * (y * w + x) + c] / 100, w, h, COHERENCE_SIGMAS.derivative);
    for (let y = 1; y < h - 1; y++) for (let x = 1; x < w - 1; x++) {
      const gx = (s[y][x + 1] - s[y][x - 1]) / 2;
      const gy = (s[y + 1][x] - s[y - 1][x]) / 2;
      J[0][y][x] += gx * gx;
      J[1][y][x] += gy * gy;
      J[2][y][x] += gx * gy;
    }
  }
  const [a, b, c] = J.map((m) => slowBlur((x, y) => m[y][x], w, h, COHERENCE_SIGMAS.integration));
  const m = Math.ceil(3 * (COHERENCE_SIGMAS.derivative + COHERENCE_SIGMAS.integration)) + 2;
  let gap = 0;
  let trace = 0;
  for (let y = m; y < h - m; y++) for (let x = m; x < w - m; x++) {
    // Eigenvalues of [[a, c], [c, b]] from λ² − tλ + d = 0.
    const t = a[y][x] + b[y][x];
    const d = a[y][x] * b[y][x] - c[y][x] * c[y][x];
    const disc = Math.sqrt(Math.max(0, (t * t) / 4 - d));
    gap += 2 * disc;
    trace += t;
  }
  return gap / trace;
}

describe('τ features', () => {
  it('smooth share counts the pixels whose grey step is below the threshold, as a pixel loop does', () => {
    for (const seed of [1, 2, 3]) {
      const img = scene(61, 47, seed);
      expect(smoothShare(img)).toBeCloseTo(slowSmoothShare(img), 10);
    }
  });

  it('stroke coherence is the eigenvalue gap over the trace of the smoothed Lab structure tensor', () => {
    for (const seed of [4, 5]) {
      const img = scene(64, 56, seed);
      expect(strokeCoherence(img)).toBeCloseTo(slowCoherence(img), 4);
    }
  });

  it('reads one direction as coherent, every direction as not, and a flat colour as neither', () => {
    const w = 80;
    const make = (f: (x: number, y: number) => number): Image => {
      const data = new Float32Array(w * w * 3);
      for (let y = 0; y < w; y++) for (let x = 0; x < w; x++) for (let k = 0; k < 3; k++) data[3 * (y * w + x) + k] = f(x, y);
      return { width: w, height: w, channels: 3, data };
    };
    const stripes = strokeCoherence(make((x, y) => 0.5 + 0.4 * Math.sin((x + 0.5 * y) / 3)));
    const r = rng(9);
    const dots = strokeCoherence(make(() => r()));
    expect(stripes).toBeGreaterThan(0.95);
    expect(dots).toBeLessThan(0.5);
    expect(strokeCoherence(make(() => 0.3))).toBe(0);
    expect(smoothShare(make(() => 0.3))).toBe(1);
    expect(smoothShare(make(() => r()))).toBeLessThan(0.05);
  });

  it('measures at a fixed working size, so a painting and its enlargement read alike', () => {
    const small = scene(300, 220, 7);
    const large = resize(small, 900, 660);
    expect(tauWorkingImage(small).width).toBe(TAU_LONG_SIDE);
    expect(tauWorkingImage(large).width).toBe(TAU_LONG_SIDE);
    const a = paintingFeatures(small);
    const b = paintingFeatures(large);
    expect(Math.abs(a.strokeCoherence - b.strokeCoherence)).toBeLessThan(0.02);
    expect(Math.abs(Math.log((a.smoothShare + 0.01) / (b.smoothShare + 0.01)))).toBeLessThan(0.1);
  });

  it('refuses a painting too small to measure with a clear error', () => {
    expect(() => paintingFeatures({ width: 5, height: 40, channels: 3, data: new Float32Array(600) })).toThrow(/too small/);
  });
});
