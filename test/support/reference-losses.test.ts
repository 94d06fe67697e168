// The test oracles themselves, checked against finite differences and explicit matrices.
import { describe, expect, it } from 'vitest';
import { createImage, type Image } from '../../companion/image/image.js';
import { mattingLaplacianOperator } from '../../companion/pipeline/photo-style/matting-laplacian.js';
import { buildMattingLaplacianSparse, csrMultiply } from './matting-laplacian-sparse.js';
import {
  contentLoss,
  maskedGram,
  maskedStyleLoss,
  photorealismLoss,
  photorealismLossCaffe,
  tvLoss,
  type FeatureMap,
} from './reference-losses.js';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 4294967296);
}

function features(c: number, h: number, w: number, seed: number): FeatureMap {
  const r = rng(seed);
  return { channels: c, height: h, width: w, data: Float32Array.from({ length: c * h * w }, () => r() * 2) };
}

/** Central differences of loss(F) at a few entries, in float64 through a copy. */
function numericGrad(f: FeatureMap, loss: (g: FeatureMap) => number, at: number[], h = 1e-2): number[] {
  return at.map((i) => {
    const plus = { ...f, data: f.data.slice() };
    const minus = { ...f, data: f.data.slice() };
    plus.data[i] += h;
    minus.data[i] -= h;
    return (loss(plus) - loss(minus)) / (plus.data[i] - minus.data[i]);
  });
}

describe('maskedGram', () => {
  it('is (F⊙m)(F⊙m)ᵀ / (C·Σm), and zero for an empty mask', () => {
    const f = features(2, 2, 2, 1);
    const m = Float32Array.from([1, 0, 0.5, 1]);
    const g = maskedGram(f, m);
    const x = (c: number) => [0, 1, 2, 3].map((p) => f.data[c * 4 + p] * m[p]);
    const dot = (a: number[], b: number[]) => a.reduce((s, v, i) => s + v * b[i], 0);
    expect(g[1]).toBeCloseTo(dot(x(0), x(1)) / (2 * 2.5), 6);
    expect(g[2]).toBe(g[1]);
    expect(Array.from(maskedGram(f, new Float32Array(4)))).toEqual([0, 0, 0, 0]);
  });
});

describe('maskedStyleLoss', () => {
  const f = features(3, 4, 5, 2);
  const style = features(3, 6, 4, 3);
  const binary = [Float32Array.from({ length: 20 }, (_, p) => (p % 5 < 3 ? 1 : 0)), Float32Array.from({ length: 20 }, (_, p) => (p % 5 < 3 ? 0 : 1))];
  const styleMasks = [Float32Array.from({ length: 24 }, (_, p) => (p < 12 ? 1 : 0)), Float32Array.from({ length: 24 }, (_, p) => (p < 12 ? 0 : 1))];
  const targets = styleMasks.map((m) => maskedGram(style, m));

  it('weights each label by mean(m)·‖G − T‖²/C² times Γ', () => {
    const { loss } = maskedStyleLoss(f, binary, targets, [0, 1], { weight: 100 });
    let expected = 0;
    for (const j of [0, 1]) {
      const g = maskedGram(f, binary[j]);
      const sq = g.reduce((s, v, k) => s + (v - targets[j][k]) ** 2, 0);
      expected += (100 * (binary[j].reduce((s, v) => s + v, 0) / 20) * sq) / 9;
    }
    expect(loss).toBeCloseTo(expected, 8);
  });

  it('has the code gradient equal to the finite-difference gradient for binary masks', () => {
    const { grad } = maskedStyleLoss(f, binary, targets, [0, 1]);
    const at = [0, 7, 13, 21, 44, 59];
    const fd = numericGrad(f, (g) => maskedStyleLoss(g, binary, targets, [0, 1]).loss, at);
    at.forEach((i, k) => expect(grad[i]).toBeCloseTo(fd[k], 3));
  });

  it('has the exact gradient equal to finite differences for soft masks, and the code one not', () => {
    const soft = [Float32Array.from({ length: 20 }, (_, p) => 0.2 + 0.7 * ((p * 7) % 5) / 4)];
    const exact = maskedStyleLoss(f, soft, [targets[0]], [0], { gradient: 'exact' }).grad;
    const code = maskedStyleLoss(f, soft, [targets[0]], [0]).grad;
    const at = [1, 8, 30, 52];
    const fd = numericGrad(f, (g) => maskedStyleLoss(g, soft, [targets[0]], [0]).loss, at);
    at.forEach((i, k) => expect(exact[i]).toBeCloseTo(fd[k], 3));
    expect(at.some((i, k) => Math.abs(code[i] - fd[k]) > 1e-2 * Math.abs(fd[k]))).toBe(true);
  });

  it('skips labels that are not listed or have no pixels at this layer', () => {
    const none = maskedStyleLoss(f, [new Float32Array(20), binary[1]], targets, [0]);
    expect(none.loss).toBe(0);
    expect(none.grad.every((v) => v === 0)).toBe(true);
  });
});

describe('contentLoss and tvLoss', () => {
  it('content: weight·mean((F − T)²) with gradient 2·weight·(F − T)/n', () => {
    const f = features(2, 3, 3, 4);
    const t = features(2, 3, 3, 5).data;
    const { loss, grad } = contentLoss(f, t, 5);
    const n = 18;
    expect(loss).toBeCloseTo((5 * f.data.reduce((s, v, i) => s + (v - t[i]) ** 2, 0)) / n, 6);
    expect(grad[4]).toBeCloseTo((10 * (f.data[4] - t[4])) / n, 6);
  });

  it('tv: gradient equals finite differences and a constant image costs nothing', () => {
    const x = features(2, 4, 5, 6);
    const { grad } = tvLoss(x.data, 2, 5, 4, 0.5);
    const at = [0, 4, 6, 19, 27, 39];
    const fd = numericGrad(x, (g) => tvLoss(g.data, 2, 5, 4, 0.5).loss, at);
    at.forEach((i, k) => expect(grad[i]).toBeCloseTo(fd[k], 3));
    const flat = tvLoss(new Float32Array(40).fill(3), 2, 5, 4, 0.5);
    expect(flat.loss).toBe(0);
  });
});

function randomImage(w: number, h: number, seed: number): Image {
  const img = createImage(w, h, 3);
  const r = rng(seed);
  for (let i = 0; i < img.data.length; i++) img.data[i] = r();
  return img;
}

const dotp = (a: Float64Array, b: Float64Array): number => a.reduce((s, v, i) => s + v * b[i], 0);

describe('photorealismLoss', () => {
  it('returns weight·Σ_c V_cᵀMV_c and a gradient equal to central finite differences', () => {
    const content = randomImage(9, 8, 22);
    const op = mattingLaplacianOperator(content, { epsilon: 1e-4 });
    const out = randomImage(9, 8, 23);
    const v = Float64Array.from(out.data);
    const grad = new Float64Array(v.length);
    const weight = 3;
    const loss = photorealismLoss(op, v, { layout: 'hwc', weight }, grad);
    const csr = buildMattingLaplacianSparse(content, { epsilon: 1e-4 });
    let expected = 0;
    for (let c = 0; c < 3; c++) {
      const vc = Float64Array.from({ length: op.size }, (_, i) => v[3 * i + c]);
      const mv = new Float64Array(op.size);
      csrMultiply(csr, vc, mv);
      expected += dotp(vc, mv);
    }
    expect(loss).toBeCloseTo(weight * expected, 6);
    const h = 1e-3;
    for (const at of [0, 7, 40, 101, 3 * 72 - 1]) {
      const p = v.slice(); p[at] += h;
      const m = v.slice(); m[at] -= h;
      const fd = (photorealismLoss(op, p, { layout: 'hwc', weight }) - photorealismLoss(op, m, { layout: 'hwc', weight })) / (2 * h);
      expect(Math.abs(fd - grad[at])).toBeLessThan(1e-6 * Math.max(1, Math.abs(grad[at])));
    }
  });

  it('gives the same loss and gradient for planar (chw) input and can accumulate', () => {
    const content = randomImage(8, 6, 24);
    const op = mattingLaplacianOperator(content);
    const n = op.size;
    const hwc = Float32Array.from(randomImage(8, 6, 25).data);
    const chw = new Float32Array(3 * n);
    for (let i = 0; i < n; i++) for (let c = 0; c < 3; c++) chw[c * n + i] = hwc[3 * i + c];
    const gh = new Float64Array(3 * n);
    const gc = new Float64Array(3 * n).fill(1);
    const lh = photorealismLoss(op, hwc, { layout: 'hwc' }, gh);
    const lc = photorealismLoss(op, chw, { layout: 'chw', accumulate: true }, gc);
    expect(lc).toBeCloseTo(lh, 8);
    for (let i = 0; i < n; i++) for (let c = 0; c < 3; c++) expect(gc[c * n + i] - 1).toBeCloseTo(gh[3 * i + c], 8);
  });

  it('on the Caffe variable (BGR ×256 − mean) gives λ·L(V) and ∂/∂x = λ·2MV/256', () => {
    const content = randomImage(7, 6, 26);
    const op = mattingLaplacianOperator(content);
    const n = op.size;
    const rgb = randomImage(7, 6, 27).data;
    const mean = [103.939, 116.779, 123.68];
    const x = new Float64Array(3 * n);
    for (let i = 0; i < n; i++) for (let c = 0; c < 3; c++) x[c * n + i] = rgb[3 * i + (2 - c)] * 256 - mean[c];
    const gx = new Float64Array(3 * n);
    const loss = photorealismLossCaffe(op, x, gx);
    const gv = new Float64Array(3 * n);
    expect(loss).toBeCloseTo(photorealismLoss(op, rgb, { layout: 'hwc', weight: 1e4 }, gv), 4);
    for (let i = 0; i < n; i++) for (let c = 0; c < 3; c++) expect(gx[c * n + i]).toBeCloseTo(gv[3 * i + (2 - c)] / 256, 6);
  });
});
