// Loss weights of the two passes (spec §2, §3.6; original `params_wikiart_genre`). Pass 2 scales
// everything by the painting's stylisation level τ and splits a budget of 10 between TV and the
// histogram term with a sharp switch on the painting's noise: smooth paintings get strong TV and
// almost no histogram loss, textured ones the opposite.
import type { Image } from '../../image/image.js';
import { PainterlyError } from '../../../shared/errors.js';

export interface LossWeights {
  content: number;
  /** Per style layer. */
  style: number;
  /** Per histogram layer; 0 in pass 1, which has no histogram term. */
  histogram: number;
  tv: number;
}

/** Pass 1 (`neural_gram.lua` via `gen_all.py`): w_c = 5, w_s = 100 per layer, w_tv = 1e-3. */
export const PASS1_WEIGHTS: Readonly<LossWeights> = Object.freeze({ content: 5, style: 100, histogram: 0, tv: 1e-3 });

/**
 * Noise level of the painting (RGB in [0,1], at working size): the median of (Δx² + Δy²)/2 over the
 * (H−1)×(W−1) top-left region of the three colour channels, with forward differences. Torch's
 * median of an even count is the lower middle value, and so is this one.
 */
export function paintingNoise(painting: Image): number {
  const { width: w, height: h, channels: c, data } = painting;
  if (c < 3) throw new PainterlyError('BAD_ARGUMENT', `Expected an RGB painting, got ${c} channel(s).`);
  if (w < 2 || h < 2) throw new PainterlyError('BAD_ARGUMENT', `The painting is too small (${w}×${h}).`);
  const vals = new Float64Array(3 * (h - 1) * (w - 1));
  let n = 0;
  for (let ch = 0; ch < 3; ch++) {
    for (let y = 0; y < h - 1; y++) {
      for (let x = 0; x < w - 1; x++) {
        const v = data[(y * w + x) * c + ch];
        const dx = v - data[(y * w + x + 1) * c + ch];
        const dy = v - data[((y + 1) * w + x) * c + ch];
        vals[n++] = (dx * dx + dy * dy) / 2;
      }
    }
  }
  vals.sort();
  return vals[(vals.length - 1) >> 1];
}

/** tv_b = 10 / (1 + exp(10⁴·noise − 25)): ≈ 10 below noise 2.5e-3, ≈ 0 above (0.002 → 9.93, 0.003 → 0.067). */
export function tvBase(noise: number): number {
  return 10 / (1 + Math.exp(1e4 * noise - 25));
}

/** Pass-2 weights: w_c = 1, w_s = τ, w_h = (10 − tv_b)·τ, w_tv = tv_b·τ. */
export function pass2Weights(tau: number, noise: number): LossWeights {
  const tv = tvBase(noise);
  return { content: 1, style: tau, histogram: (10 - tv) * tau, tv: tv * tau };
}
