// Preconditioned conjugate gradients for a symmetric positive definite operator given only as a
// product x ↦ A·x. Used by the closed-form smoothing of spec §6; generic otherwise.
import { PainterlyError, throwIfCancelled } from '../../../shared/errors.js';

export interface LinearOperator {
  readonly size: number;
  /** out = A·x; `out` never aliases `x`. */
  apply(x: Float64Array, out: Float64Array): void;
}

export interface PcgOptions {
  /** Stop when ‖b − A x‖₂ ≤ tolerance·‖b‖₂ (the recursively updated residual). Default 1e-6. */
  tolerance?: number;
  /** Give up after this many iterations and report converged: false. Default 1000. */
  maxIterations?: number;
  /** Jacobi preconditioner: 1 / diag(A). Omitted: no preconditioning (plain CG). */
  inverseDiagonal?: Float64Array;
  /** Checked every iteration; aborting throws PainterlyError('CANCELLED'). */
  signal?: AbortSignal;
  onIteration?: (iteration: number, relativeResidual: number) => void;
}

export interface PcgResult {
  iterations: number;
  relativeResidual: number;
  converged: boolean;
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/**
 * Solves A x = b in place: `x` holds the initial guess on entry and the solution on return.
 */
export function pcg(op: LinearOperator, b: Float64Array, x: Float64Array, opts: PcgOptions = {}): PcgResult {
  const n = op.size;
  if (b.length !== n || x.length !== n) {
    throw new PainterlyError('BAD_ARGUMENT', `PCG expects vectors of length ${n}, got ${b.length} and ${x.length}.`);
  }
  const tol = opts.tolerance ?? 1e-6;
  const maxIter = opts.maxIterations ?? 1000;
  const dinv = opts.inverseDiagonal;
  if (dinv && dinv.length !== n) {
    throw new PainterlyError('BAD_ARGUMENT', `The preconditioner has ${dinv.length} entries; expected ${n}.`);
  }
  const precondition = (r: Float64Array, z: Float64Array): void => {
    if (dinv) for (let i = 0; i < n; i++) z[i] = dinv[i] * r[i];
    else z.set(r);
  };

  const r = new Float64Array(n);
  const z = new Float64Array(n);
  const p = new Float64Array(n);
  const ap = new Float64Array(n);

  const bNorm = Math.sqrt(dot(b, b));
  if (bNorm === 0) {
    x.fill(0);
    return { iterations: 0, relativeResidual: 0, converged: true };
  }
  op.apply(x, ap);
  for (let i = 0; i < n; i++) r[i] = b[i] - ap[i];
  let rel = Math.sqrt(dot(r, r)) / bNorm;
  if (rel <= tol) return { iterations: 0, relativeResidual: rel, converged: true };
  precondition(r, z);
  p.set(z);
  let rz = dot(r, z);

  for (let it = 1; it <= maxIter; it++) {
    throwIfCancelled(opts.signal);
    op.apply(p, ap);
    const pap = dot(p, ap);
    if (!(pap > 0)) {
      throw new PainterlyError('INTERNAL', `PCG met a direction with pᵀAp = ${pap}; the operator is not positive definite.`);
    }
    const alpha = rz / pap;
    let rr = 0;
    for (let i = 0; i < n; i++) {
      x[i] += alpha * p[i];
      r[i] -= alpha * ap[i];
      rr += r[i] * r[i];
    }
    rel = Math.sqrt(rr) / bNorm;
    opts.onIteration?.(it, rel);
    if (rel <= tol) return { iterations: it, relativeResidual: rel, converged: true };
    precondition(r, z);
    const rzNext = dot(r, z);
    const beta = rzNext / rz;
    rz = rzNext;
    for (let i = 0; i < n; i++) p[i] = z[i] + beta * p[i];
  }
  return { iterations: maxIter, relativeResidual: rel, converged: false };
}
