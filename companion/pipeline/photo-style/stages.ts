// The two optimisation stages of photo style transfer (spec §0, §3), run by the pipelines' one
// optimisation loop (common/optimise.ts):
//   stage 1: content + per-label masked style + TV, from seeded noise;
//   stage 2: the same plus λ·Σ_c V_cᵀ M V_c, from the 8-bit stage-1 result.
// The step graph gives the loss and image gradient of the network terms; the photorealism
// gradient is added in TypeScript with the matrix-free Laplacian (float64), every evaluation.
//
// Memory: the optimiser works on the whole image, and its (s, y) history is the largest buffer of
// the job: 2·(m + 1) image-sized float32 vectors. With the original's m = 100 that is about 790 MB
// at 700×467. `historyFor` keeps m = 100 while that fits in HISTORY_BUDGET_BYTES (1 GiB: up to
// about 700×525) and shrinks m beyond, so larger working sizes trade some convergence for memory.
import { mulberry32 } from '../../../shared/seeded-random.js';
import type { StepSpec, TapSpec } from '../../compute/graphs/step.js';
import type { Preprocess } from '../../compute/backbones/types.js';
import type { Network } from '../../compute/network.js';
import { optimise } from '../common/optimise.js';
import type { MattingLaplacianOperator } from './matting-laplacian.js';

/** The original's L-BFGS history, kept while it fits HISTORY_BUDGET_BYTES. */
const HISTORY = 100;
const HISTORY_BUDGET_BYTES = 1024 ** 3;
/** The original's seed and noise level for stage 1 (spec §3). */
const NOISE_SEED = 612;
const NOISE_SIGMA = 1e-4;

/** L-BFGS history size for `n` unknowns: the original's 100 pairs, fewer when they would not fit the budget. */
export function historyFor(n: number, budgetBytes = HISTORY_BUDGET_BYTES): number {
  // m pairs plus the optimiser's spare pair, two float32 vectors each.
  return Math.max(1, Math.min(HISTORY, Math.floor(budgetBytes / (8 * n)) - 1));
}

/** Gaussian noise N(0, σ²) with a seeded generator: the stage-1 start, about the mean colour. */
export function noiseInit(n: number, seed = NOISE_SEED, sigma = NOISE_SIGMA): Float32Array {
  const uniform = mulberry32(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i += 2) {
    // Box–Muller: two normal values per pair of uniforms (1 − u keeps the log finite).
    const r = Math.sqrt(-2 * Math.log(1 - uniform()));
    const a = 2 * Math.PI * uniform();
    out[i] = sigma * r * Math.cos(a);
    if (i + 1 < n) out[i + 1] = sigma * r * Math.sin(a);
  }
  return out;
}

/**
 * The photorealism term on the backbone's input variable x (planar, channel c = (x_c + mean_c)/scale
 * in [0, 1]): returns λ·Σ_c V_cᵀMV_c and adds λ·2·M·V_c/scale to `grad` (chain rule through the
 * preprocessing). Channel order does not matter: every channel uses the same M.
 */
export function photorealismTerm(op: MattingLaplacianOperator, pre: Preprocess, lambda: number): (x: Float32Array, grad: Float32Array) => number {
  const n = op.size;
  const v = new Float64Array(n);
  const mv = new Float64Array(n);
  return (x, grad) => {
    let loss = 0;
    for (let c = 0; c < 3; c++) {
      const o = c * n;
      const mean = pre.meanBGR[c];
      for (let i = 0; i < n; i++) v[i] = (x[o + i] + mean) / pre.scale;
      op.apply(v, mv);
      let q = 0;
      const k = (2 * lambda) / pre.scale;
      for (let i = 0; i < n; i++) {
        q += v[i] * mv[i];
        grad[o + i] += k * mv[i];
      }
      loss += lambda * q;
    }
    return loss;
  };
}

export interface StageSpec {
  taps: TapSpec[];
  width: number;
  height: number;
  tvWeight: number;
  /** Stage 2: the content photo's Laplacian and λ. */
  photorealism?: { laplacian: MattingLaplacianOperator; lambda: number };
}

/** The step graph of a stage: network terms and the TV gradient (the original never reports TV in the loss); every pixel moves. */
export function stageStep(s: StageSpec): StepSpec {
  return { width: s.width, height: s.height, taps: s.taps, normalize: false, tvWeight: s.tvWeight, imageMask: new Float32Array(s.width * s.height).fill(1) };
}

export interface StageRun {
  iterations: number;
  /** L-BFGS history (default: historyFor the image). */
  history?: number;
  signal?: AbortSignal;
  onIteration?: (it: number, x: Float32Array) => void;
}

/**
 * One stage: fixed-step L-BFGS as the original (no line search, never stops early: tolFun −1,
 * tolX 0) from `x` (planar, optimised in place), on the step graph plus, in stage 2, the
 * photorealism term.
 */
export async function runStage(net: Network, stage: StageSpec, x: Float32Array, r: StageRun): Promise<{ x: Float32Array; iterations: number; losses: number[]; restarts: number }> {
  const { photorealism } = stage;
  const result = await optimise(net, stageStep(stage), x, {
    iterations: r.iterations, lr: 1, tolFun: -1, tolX: 0, history: r.history ?? historyFor(x.length), signal: r.signal,
    extraTerm: photorealism && photorealismTerm(photorealism.laplacian, net.spec.preprocess, photorealism.lambda),
    onIteration: r.onIteration,
  });
  return { x, ...result };
}
