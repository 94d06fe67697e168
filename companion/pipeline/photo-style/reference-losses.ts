// CPU reference of the photo-style losses on feature maps (spec §2.3, §3), with the original
// code's constants: the oracle for testing the compute core's Gram/content/TV heads, and a
// fallback for tiny images. Not the fast path: a 512×512 Gram at relu5_1 costs C²·h·w MACs.
import { PainterlyError } from '../../../shared/errors.js';

/** One feature map, planar C×H×W (an NCHW tensor with N = 1). */
export interface FeatureMap {
  channels: number;
  height: number;
  width: number;
  data: Float32Array;
}

/** Spec §3 weights. */
export const PHOTO_STYLE_WEIGHTS = { content: 5, style: 100, tv: 1e-3, photorealism: 1e4 } as const;

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
export function tvLoss(x: Float32Array, channels: number, height: number, width: number, weight: number = PHOTO_STYLE_WEIGHTS.tv): { loss: number; grad: Float32Array } {
  if (x.length !== channels * height * width) {
    throw new PainterlyError('SIZE_MISMATCH', `Expected ${channels}×${height}×${width} values, got ${x.length}.`);
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
