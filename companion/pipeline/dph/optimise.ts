// One pass's optimisation loop: fixed-step L-BFGS over the values inside M₀, each evaluation
// running the step graph on the whole crop.
import type { Session } from '../../compute/backends/onnx.js';
import { lbfgs } from '../../compute/optimizer/lbfgs.js';
import { createCompactDirection } from '../../compute/optimizer/compact-direction.js';
import { maskedVector } from './masked-vector.js';

/** L-BFGS history, as the original (§2.3). */
const HISTORY = 100;

export interface OptimiseOptions {
  iterations: number;
  lr: number;
  tolFun: number;
  tolX: number;
  signal?: AbortSignal;
  /** Called after each iteration with the current crop (planar, updated in place). */
  onIteration?: (iteration: number, x: Float32Array) => void;
}

/** Optimises `x` (planar 3×H×W, network space) in place; returns the iterations run. */
export async function optimiseCrop(step: Session, x: Float32Array, m0: Float32Array, height: number, width: number, o: OptimiseOptions): Promise<number> {
  const dims = [1, 3, height, width];
  const vec = maskedVector(m0, 3);
  const packed = vec.pack(x);
  const grad = new Float32Array(packed.length);
  // The direction runs in the runtime (compact form): the history's dot products are the
  // largest cost per iteration after the network itself.
  const direction = await createCompactDirection(packed.length, HISTORY, step.device);
  const result = await lbfgs(packed, async (v) => {
    const out = await step.run({ image: { data: vec.unpack(v, x), dims } });
    const full = out.grad.data as Float32Array;
    for (let k = 0; k < grad.length; k++) grad[k] = full[vec.indices[k]];
    return { loss: out.loss.data[0] as number, grad };
  }, {
    maxIter: o.iterations, lr: o.lr, history: HISTORY, direction, tolFun: o.tolFun, tolX: o.tolX, signal: o.signal,
    onIteration: (it) => o.onIteration?.(it, vec.unpack(packed, x)),
  }).finally(() => direction.release());
  vec.unpack(packed, x);
  return result.iterations;
}
