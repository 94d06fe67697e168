// CPU reference of the photo-style losses (spec §1, §2.3, §3), with the original code's
// constants, written out plainly in float64: the test oracle for the compute core's Gram,
// content and TV heads and for the photorealism term. Slow on purpose (a Gram costs C²·h·w MACs).
import { PainterlyError } from '../../shared/errors.js';
import type { MattingLaplacianOperator } from '../../companion/pipeline/photo-style/matting-laplacian.js';
import { PHOTO_STYLE_WEIGHTS } from '../../companion/pipeline/photo-style/weights.js';

/** One feature map, planar C×H×W (an NCHW tensor with N = 1). */
export interface FeatureMap {
  channels: number;
  height: number;
  width: number;
  data: Float32Array;
}

function checkMask(f: FeatureMap, mask: Float32Array): void {
  if (mask.length !== f.height * f.width) {
    throw new PainterlyError(
      'SIZE_MISMATCH',
      `A mask of ${mask.length} values does not fit a ${f.width}×${f.height} feature map.`,
    );
  }
}

/**
 * G = (F ⊙ m)(F ⊙ m)ᵀ / (C · Σ m), C×C row-major; the zero matrix when the mask is empty
 * (the original skips the division then, and the masked features are zero anyway).
 */
export function maskedGram(f: FeatureMap, mask: Float32Array): Float64Array {
  checkMask(f, mask);
  const { channels: C } = f;
  const hw = f.height * f.width;
  let msum = 0;
  for (let p = 0; p < hw; p++) msum += mask[p];
  const g = new Float64Array(C * C);
  if (msum === 0) return g;
  const x = new Float64Array(C * hw);
  for (let c = 0; c < C; c++) for (let p = 0; p < hw; p++) x[c * hw + p] = f.data[c * hw + p] * mask[p];
  const norm = 1 / (C * msum);
  for (let a = 0; a < C; a++) {
    for (let b = a; b < C; b++) {
      let s = 0;
      for (let p = 0; p < hw; p++) s += x[a * hw + p] * x[b * hw + p];
      g[a * C + b] = g[b * C + a] = s * norm;
    }
  }
  return g;
}

export interface MaskedStyleOptions {
  /** Γ, 100 in the original. */
  weight?: number;
  /**
   * 'code' (default): the original's gradient, 4Γ/(C³hw)·(G − T)(F ⊙ m).
   * 'exact': the derivative of the loss as written, which has F ⊙ m² there (differs for soft masks).
   */
  gradient?: 'code' | 'exact';
}

/**
 * Masked style loss at one layer for the labels in `labels` (pairLabels().used):
 *   L = Γ · Σ_j mean(m_j) · ‖G_j − T_j‖²_F / C²,
 * with G_j = maskedGram(F, m_j) on the output's features and the content masks m_j, and T_j the
 * style targets (maskedGram of the style features with the style masks). Returns the loss and
 * ∂L/∂F (planar, like F).
 */
export function maskedStyleLoss(
  f: FeatureMap,
  contentMasks: readonly Float32Array[],
  targets: readonly Float64Array[],
  labels: readonly number[],
  opts: MaskedStyleOptions = {},
): { loss: number; grad: Float32Array } {
  const gamma = opts.weight ?? PHOTO_STYLE_WEIGHTS.style;
  const { channels: C } = f;
  const hw = f.height * f.width;
  const grad = new Float64Array(C * hw);
  let loss = 0;
  for (const j of labels) {
    const m = contentMasks[j];
    const t = targets[j];
    if (t.length !== C * C) {
      throw new PainterlyError('SIZE_MISMATCH', `The style target for label ${j} is not ${C}×${C}.`);
    }
    const g = maskedGram(f, m);
    let mmean = 0;
    for (let p = 0; p < hw; p++) mmean += m[p];
    mmean /= hw;
    if (mmean === 0) continue; // no pixels of this label here: no loss, no gradient
    let sq = 0;
    const diff = new Float64Array(C * C);
    for (let k = 0; k < C * C; k++) {
      diff[k] = g[k] - t[k];
      sq += diff[k] * diff[k];
    }
    loss += (gamma * mmean * sq) / (C * C);
    const k4 = (4 * gamma) / (C * C * C * hw);
    const exact = opts.gradient === 'exact';
    for (let a = 0; a < C; a++) {
      for (let p = 0; p < hw; p++) {
        let s = 0;
        for (let b = 0; b < C; b++) s += diff[a * C + b] * f.data[b * hw + p];
        // s·m = ((G − T)(F ⊙ m))_ap; the chain rule through F ⊙ m adds one more m.
        grad[a * hw + p] += k4 * s * (exact ? m[p] * m[p] : m[p]);
      }
    }
  }
  return { loss, grad: Float32Array.from(grad) };
}

/** Content loss weight · mean((F − T)²) over all C·h·w values, and its gradient. */
export function contentLoss(f: FeatureMap, target: Float32Array, weight: number = PHOTO_STYLE_WEIGHTS.content): { loss: number; grad: Float32Array } {
  const n = f.data.length;
  if (target.length !== n) {
    throw new PainterlyError('SIZE_MISMATCH', `The content target has ${target.length} values; the features have ${n}.`);
  }
  const grad = new Float32Array(n);
  let s = 0;
  for (let i = 0; i < n; i++) {
    const d = f.data[i] - target[i];
    s += d * d;
    grad[i] = (2 * weight * d) / n;
  }
  return { loss: (weight * s) / n, grad };
}

/**
 * Total variation as the original: weight · ½ Σ [(x_{y,x} − x_{y,x+1})² + (x_{y,x} − x_{y+1,x})²]
 * over the (H−1)×(W−1) grid of each channel of a planar C×H×W image, and its gradient. The
 * original never reports this loss; a line search needs it.
 */
export function tvLoss(x: Float32Array, channels: number, width: number, height: number, weight: number = PHOTO_STYLE_WEIGHTS.tv): { loss: number; grad: Float32Array } {
  if (x.length !== channels * height * width) {
    throw new PainterlyError('SIZE_MISMATCH', `Expected ${channels}×${width}×${height} values, got ${x.length}.`);
  }
  const grad = new Float32Array(x.length);
  let loss = 0;
  for (let c = 0; c < channels; c++) {
    const o = c * height * width;
    for (let y = 0; y < height - 1; y++) {
      for (let xx = 0; xx < width - 1; xx++) {
        const i = o + y * width + xx;
        const dx = x[i] - x[i + 1];
        const dy = x[i] - x[i + width];
        loss += 0.5 * (dx * dx + dy * dy);
        grad[i] += weight * (dx + dy);
        grad[i + 1] -= weight * dx;
        grad[i + width] -= weight * dy;
      }
    }
  }
  return { loss: weight * loss, grad };
}

export interface PhotorealismOptions {
  /** 'hwc': interleaved RGB (our Image data); 'chw': planar RGB (an NCHW tensor without N). */
  layout: 'hwc' | 'chw';
  /** Multiplies loss and gradient: λ, 1e4 in the original (spec §1). Default 1. */
  weight?: number;
  /** Add the gradient into `grad` instead of overwriting it. */
  accumulate?: boolean;
}

/**
 * The photorealism term of spec §1 for an RGB output V in [0, 1]:
 *   loss = weight · Σ_c V_cᵀ M V_c,   ∂loss/∂V_c = weight · 2 M V_c,
 * each channel with the same M (built from the content photo). Writes the gradient into `grad`
 * (same layout and length as `rgb`) when given. The caller applies the chain rule to its own
 * variable: for the Caffe input (×256, BGR, minus mean) divide by 256 and reverse the channels.
 */
export function photorealismLoss(
  op: MattingLaplacianOperator,
  rgb: Float32Array | Float64Array,
  opts: PhotorealismOptions,
  grad?: Float32Array | Float64Array,
): number {
  const N = op.size;
  if (rgb.length !== 3 * N) {
    throw new PainterlyError('SIZE_MISMATCH', `The output has ${rgb.length} values; the Laplacian expects 3×${N}.`);
  }
  if (grad && grad.length !== 3 * N) {
    throw new PainterlyError('SIZE_MISMATCH', `The gradient buffer has ${grad.length} values; expected 3×${N}.`);
  }
  const weight = opts.weight ?? 1;
  const v = new Float64Array(N);
  const mv = new Float64Array(N);
  const planar = opts.layout === 'chw';
  let loss = 0;
  for (let c = 0; c < 3; c++) {
    if (planar) for (let i = 0; i < N; i++) v[i] = rgb[c * N + i];
    else for (let i = 0; i < N; i++) v[i] = rgb[3 * i + c];
    op.apply(v, mv);
    let q = 0;
    for (let i = 0; i < N; i++) q += v[i] * mv[i];
    loss += q;
    if (grad) {
      const g = 2 * weight;
      for (let i = 0; i < N; i++) {
        const at = planar ? c * N + i : 3 * i + c;
        grad[at] = (opts.accumulate ? grad[at] : 0) + g * mv[i];
      }
    }
  }
  return weight * loss;
}

/** Caffe VGG mean, BGR order, in the ×256 input space of the original. */
const CAFFE_MEAN_BGR = [103.939, 116.779, 123.68] as const;

/**
 * The photorealism term on the original's optimisation variable x: planar BGR, ×256, minus the
 * Caffe mean (spec §1). V = (x + mean)/256, loss = weight·Σ_c V_cᵀMV_c, and ∂loss/∂x =
 * weight·2MV_c/256. Channel order is irrelevant to the term itself (every channel uses the same M).
 * Default weight: λ = 1e4.
 */
export function photorealismLossCaffe(
  op: MattingLaplacianOperator,
  x: Float32Array | Float64Array,
  grad?: Float32Array | Float64Array,
  opts: { weight?: number; accumulate?: boolean } = {},
): number {
  const N = op.size;
  if (x.length !== 3 * N) {
    throw new PainterlyError('SIZE_MISMATCH', `The input has ${x.length} values; the Laplacian expects 3×${N}.`);
  }
  const v = new Float64Array(3 * N);
  for (let c = 0; c < 3; c++) for (let i = 0; i < N; i++) v[c * N + i] = (x[c * N + i] + CAFFE_MEAN_BGR[c]) / 256;
  const weight = opts.weight ?? 1e4;
  if (!grad) return photorealismLoss(op, v, { layout: 'chw', weight });
  const gv = new Float64Array(3 * N);
  const loss = photorealismLoss(op, v, { layout: 'chw', weight }, gv);
  for (let i = 0; i < 3 * N; i++) grad[i] = (opts.accumulate ? grad[i] : 0) + gv[i] / 256;
  return loss;
}
