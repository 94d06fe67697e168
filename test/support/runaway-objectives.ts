// Objectives on which fixed-step L-BFGS (Torch's, no line search) takes runaway steps: both are
// convex, but their curvature vanishes away from 0, so secant steps overshoot. For the
// divergence guard's tests (lbfgs.ts, restartAbove). Minimum 0 at 0 (log-cosh), n at 0
// (pseudo-Huber). Start from unequal coordinates: with equal ones every vector is a multiple of
// (1, …, 1), and in one dimension the newest pair alone sets the L-BFGS direction.
import type { Evaluation } from '../../companion/compute/optimizer/lbfgs.js';

export const RUNAWAY_START = [3, -2.5, 2, 3.5];

/** Σ log cosh xᵢ (Newton from |x| > 1.09 diverges; Torch's L-BFGS meets infinite losses from RUNAWAY_START). */
export async function logCosh(x: Float32Array): Promise<Evaluation> {
  let loss = 0;
  const grad = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) {
    loss += Math.log(Math.cosh(x[i]));
    grad[i] = Math.tanh(x[i]);
  }
  return { loss, grad };
}

/** Σ √(1 + xᵢ²) (pseudo-Huber). */
export async function pseudoHuber(x: Float32Array): Promise<Evaluation> {
  let loss = 0;
  const grad = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const s = Math.sqrt(1 + x[i] * x[i]);
    loss += s;
    grad[i] = x[i] / s;
  }
  return { loss, grad };
}
