// The one optimisation loop of both pipelines: fixed-step L-BFGS as the originals run it (no line
// search; spec §2.3, §3.7 and photo style §3) over the step graph's loss and image gradient, with
// the L-BFGS direction computed in the runtime (compact form). DPH passes M₀: pixels where it is 0
// never move (the graph multiplies their gradient by 0), so L-BFGS runs on the packed values
// inside it only — the same iterates, far less work and history memory. Photo style adds its
// photorealism term to the loss and gradient through `extraTerm`; a schedule ends a run early
// through `stopWhen` (common/stopping.ts).
import { openStep, type StepSpec } from '../../compute/graphs/step.js';
import { lbfgs, type Evaluation, type LbfgsStop } from '../../compute/optimizer/lbfgs.js';
import { openCompactDirection } from '../../compute/optimizer/compact-direction.js';
import type { Network } from '../../compute/network.js';

export interface OptimiseSettings {
  iterations: number;
  /** Step length (the originals: 1; DPH pass 2: 0.1). */
  lr: number;
  /** Torch's stopping tolerances; negative disables (see lbfgs.ts). */
  tolFun: number;
  tolX: number;
  /** L-BFGS history size m. */
  history: number;
  /** Only values where this image-grid mask is > 0 move (DPH's M₀); absent: all of them. */
  mask?: Float32Array;
  /** Adds a term computed outside the graph: returns its loss and adds its gradient into `grad`. */
  extraTerm?: (x: Float32Array, grad: Float32Array) => number;
  signal?: AbortSignal;
  /** After each iteration, with the current image (3 planes, updated in place). */
  onIteration?: (iteration: number, x: Float32Array) => void;
  /** After onIteration, with the same image: true ends the run there (a schedule's stopping rule). */
  stopWhen?: (iteration: number, x: Float32Array) => boolean;
}

export interface OptimiseResult {
  iterations: number;
  /** Why it ended: 'converged' when `stopWhen` ended it, 'maxIter' after every iteration. */
  stop: LbfgsStop;
  /** Loss of every evaluation, in order. */
  losses: number[];
  /** Steps the divergence guard undid (DIVERGENCE_FACTOR). */
  restarts: number;
}

/**
 * Fixed-step L-BFGS can run away (pass 2 on one kit example climbs from 2e5 to infinity in 20
 * steps, its image black): a step whose loss is not finite or 100× the lowest so far sends the
 * run back to its best iterate with a fresh history (lbfgs.ts, restartAbove; notes §4). Healthy
 * runs never come near it (their worst transient is ×9), so they follow Torch step for step.
 */
export const DIVERGENCE_FACTOR = 100;

/** Optimises `x` (3 planes of the step's size, network space) in place. */
export async function optimise(net: Network, step: StepSpec, x: Float32Array, s: OptimiseSettings): Promise<OptimiseResult> {
  const graph = await openStep(net, step);
  try {
    const packing = s.mask ? maskedIndices(s.mask, 3) : undefined;
    const v = packing ? gather(x, packing) : x;
    const grad = packing ? new Float32Array(v.length) : undefined;
    const evaluate = async (at: Float32Array): Promise<Evaluation> => {
      const full = packing ? scatter(at, packing, x) : at;
      const out = await graph.evaluate(full);
      const loss = s.extraTerm ? out.loss + s.extraTerm(full, out.grad) : out.loss;
      if (!packing) return { loss, grad: out.grad };
      for (let k = 0; k < packing.length; k++) grad![k] = out.grad[packing[k]];
      return { loss, grad: grad! };
    };
    const direction = await openCompactDirection(net, v.length, s.history);
    try {
      const result = await lbfgs(v, evaluate, {
        maxIter: s.iterations, lr: s.lr, history: s.history, direction, tolFun: s.tolFun, tolX: s.tolX, signal: s.signal, restartAbove: DIVERGENCE_FACTOR,
        // The whole image is written back only when a hook looks at it.
        onIteration: s.onIteration || s.stopWhen ? (it) => s.onIteration?.(it, packing ? scatter(v, packing, x) : x) : undefined,
        stopWhen: s.stopWhen ? (it) => s.stopWhen!(it, x) : undefined,
      });
      if (packing) scatter(v, packing, x);
      return { iterations: result.iterations, stop: result.stats.stop, losses: result.losses, restarts: result.stats.restarts };
    } finally {
      await direction.release();
    }
  } finally {
    await graph.release();
  }
}

/** Flat indices (into `channels` planes of the mask's grid) of the values where mask > 0. */
function maskedIndices(mask: Float32Array, channels: number): Int32Array {
  const n = mask.length;
  const list: number[] = [];
  for (let c = 0; c < channels; c++) for (let i = 0; i < n; i++) if (mask[i] > 0) list.push(c * n + i);
  return Int32Array.from(list);
}

function gather(full: Float32Array, indices: Int32Array): Float32Array {
  const out = new Float32Array(indices.length);
  for (let k = 0; k < indices.length; k++) out[k] = full[indices[k]];
  return out;
}

/** Writes packed values into `full` (in place) and returns it. */
function scatter(packed: Float32Array, indices: Int32Array, full: Float32Array): Float32Array {
  for (let k = 0; k < indices.length; k++) full[indices[k]] = packed[k];
  return full;
}
