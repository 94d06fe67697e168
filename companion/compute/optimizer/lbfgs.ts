// L-BFGS in the fixed-step form of Torch7's `optim.lbfgs` without a line search, which is what
// Deep Painterly Harmonization runs (spec §2.3, §3.7). Pass 2 injects L2-normalised gradients, so
// the "gradient" is not the gradient of the reported loss and a Wolfe line search would be wrong:
// every step is x += t·d with t = min(1, 1/‖g‖₁)·lr on the first iteration and lr afterwards.
//
// Memory and time: the (s, y) history is the big cost — m + 1 pairs of image-sized float32
// vectors (one spare, as Torch), e.g. 0.9 GB for m = 100 at 700×525×3 — and the two-loop recursion
// reads it twice per iteration. Dot products accumulate in float64; each axpy is fused with the
// next dot product so a pair costs one pass per loop, not two.
import { PainterlyError, throwIfCancelled } from '../../../shared/errors.js';
import type { DirectionEngine } from './compact-direction.js';

export interface Evaluation {
  loss: number;
  /** Gradient (or injected descent field) at x; same length as x. Read before the next call. */
  grad: Float32Array;
}

export interface LbfgsOptions {
  /** Number of iterations (steps). Torch evaluates once before the first and once after every step but the last. */
  maxIter: number;
  /** Learning rate: the fixed step length (Torch default 1; DPH pass 2 uses 0.1). */
  lr?: number;
  /** History size m: at most m (s, y) pairs are kept (Torch `nCorrection`, default 100). */
  history?: number;
  /** Stop when ‖g‖₁ ≤ tolFun (Torch default 1e-5). A negative value disables it. */
  tolFun?: number;
  /**
   * Stop when Σ|t·d| ≤ tolX (Torch sums), when |Δf| < tolX, or before a step when gᵀd > −tolX
   * (Torch default 1e-9). DPH pass 2 sets −1, which disables the first two; the third then only
   * fires for a direction that climbs with gᵀd > 1, exactly as in Torch.
   */
  tolX?: number;
  /** Checked before every evaluation-and-step; aborting throws PainterlyError('CANCELLED'). */
  signal?: AbortSignal;
  /** Called after each iteration with its number (1-based) and the most recent evaluated loss. */
  onIteration?: (it: number, loss: number) => void;
  /** Asked after each iteration (after onIteration): true ends the run there (stop 'converged'). */
  stopWhen?: (it: number) => boolean;
  /**
   * Computes the direction instead of the two-loop recursion (same H·g; see
   * compact-direction.ts). Gets every accepted pair; drops pairs past `history` itself.
   */
  direction?: DirectionEngine;
  /**
   * Divergence guard (not in Torch): when a step's loss is not finite or exceeds this many times
   * the lowest loss so far, x goes back to the iterate with that lowest loss, the history is
   * dropped and the next step starts afresh (−g, t = min(1, 1/‖g‖₁)·lr, as the first). The step
   * after the last is evaluated too, so the result is never an unchecked step. A run the guard
   * never trips follows Torch step for step. Absent: Torch's behaviour exactly.
   */
  restartAbove?: number;
}

export type LbfgsStop = 'maxIter' | 'tolFun' | 'tolX' | 'funChange' | 'noDescent' | 'converged';

export interface LbfgsStats {
  evaluations: number;
  /** (s, y) pairs stored (yᵀs > 1e-10), including ones later dropped for the history limit. */
  acceptedPairs: number;
  /** (s, y) pairs discarded because yᵀs ≤ 1e-10. */
  skippedPairs: number;
  /** Pairs in the history at the end, and the most it ever held. */
  historyLength: number;
  maxHistoryLength: number;
  /** Steps undone by the divergence guard (`restartAbove`). */
  restarts: number;
  stop: LbfgsStop;
}

export interface LbfgsResult {
  /** The same array that was passed in, updated in place. */
  x: Float32Array;
  iterations: number;
  /** Loss of every evaluation, in order (Torch's f_hist). */
  losses: number[];
  stats: LbfgsStats;
}

/** Curvature pairs with yᵀs at or below this are skipped (Torch's constant). */
const MIN_CURVATURE = 1e-10;

interface Pair {
  s: Float32Array;
  y: Float32Array;
  rho: number; // 1 / yᵀs
}


function abs1(v: Float32Array): number {
  let sum = 0;
  for (let j = 0; j < v.length; j++) sum += Math.abs(v[j]);
  return sum;
}

/** Σ a[j]·b[j] in float64 with four partial sums (breaks the add latency chain). */
function dot(a: Float32Array, b: Float32Array, n: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let j = 0;
  for (; j + 3 < n; j += 4) {
    s0 += a[j] * b[j];
    s1 += a[j + 1] * b[j + 1];
    s2 += a[j + 2] * b[j + 2];
    s3 += a[j + 3] * b[j + 3];
  }
  for (; j < n; j++) s0 += a[j] * b[j];
  return s0 + s1 + s2 + s3;
}

/** v += a·u, then return w·v (float64 partial sums): one pass instead of an axpy and a dot. */
function axpyDot(v: Float32Array, a: number, u: Float32Array, w: Float32Array, n: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let j = 0;
  // The dot product uses the values as stored (float32), as a separate pass would.
  for (; j + 3 < n; j += 4) {
    const v0 = (v[j] = Math.fround(v[j] + a * u[j]));
    const v1 = (v[j + 1] = Math.fround(v[j + 1] + a * u[j + 1]));
    const v2 = (v[j + 2] = Math.fround(v[j + 2] + a * u[j + 2]));
    const v3 = (v[j + 3] = Math.fround(v[j + 3] + a * u[j + 3]));
    s0 += w[j] * v0;
    s1 += w[j + 1] * v1;
    s2 += w[j + 2] * v2;
    s3 += w[j + 3] * v3;
  }
  for (; j < n; j++) s0 += w[j] * (v[j] = Math.fround(v[j] + a * u[j]));
  return s0 + s1 + s2 + s3;
}

/**
 * Two-loop recursion: d = −H·g with H built from `pairs` (oldest first) and H₀ = hDiag·I.
 * q and d are float32 like the original's CUDA tensors; the scalars are float64.
 */
function lbfgsDirection(g: Float32Array, pairs: Pair[], hDiag: number, d: Float32Array, alpha: Float64Array): void {
  const n = g.length;
  const k = pairs.length;
  // d doubles as q in the first loop.
  for (let j = 0; j < n; j++) d[j] = -g[j];
  if (k === 0) {
    if (hDiag !== 1) for (let j = 0; j < n; j++) d[j] *= hDiag;
    return;
  }
  // First loop, newest to oldest: alpha_i = rho_i·s_iᵀq, then q −= alpha_i·y_i.
  // Each pass applies pair i's update and accumulates pair i−1's dot product.
  alpha[k - 1] = dot(pairs[k - 1].s, d, n) * pairs[k - 1].rho;
  for (let i = k - 1; i >= 1; i--) {
    alpha[i - 1] = axpyDot(d, -alpha[i], pairs[i].y, pairs[i - 1].s, n) * pairs[i - 1].rho;
  }
  // Last update of q, then r = H₀·q, then the first beta.
  {
    const a = alpha[0];
    const y0 = pairs[0].y;
    for (let j = 0; j < n; j++) d[j] = hDiag * (d[j] - a * y0[j]);
  }
  let beta = dot(pairs[0].y, d, n) * pairs[0].rho;
  // Second loop, oldest to newest: d += (alpha_i − beta_i)·s_i, with beta_{i+1} = rho·y_{i+1}ᵀd.
  for (let i = 0; i < k; i++) {
    const coef = alpha[i] - beta;
    const si = pairs[i].s;
    if (i + 1 < k) {
      beta = axpyDot(d, coef, si, pairs[i + 1].y, n) * pairs[i + 1].rho;
    } else {
      for (let j = 0; j < n; j++) d[j] += coef * si[j];
    }
  }
}

/**
 * The (s, y) history and the direction it gives. Without an engine the pairs are kept here and
 * the two-loop recursion runs in TypeScript; with one, the engine keeps its own copy.
 */
class History {
  private readonly pairs: Pair[] = [];
  /** Buffers for the next pair (Torch keeps m + 1 pairs too). */
  private spare: Pair | undefined;
  private engineLength = 0;
  private readonly alpha: Float64Array;
  /** H₀ = hDiag·I, from the newest accepted pair. */
  private hDiag = 1;

  constructor(
    private readonly n: number,
    private readonly m: number,
    private readonly engine: DirectionEngine | undefined,
    private readonly stats: LbfgsStats,
  ) {
    this.alpha = new Float64Array(m);
  }

  get length(): number {
    return this.engine ? this.engineLength : this.pairs.length;
  }

  /** Forgets every pair (the divergence guard's restart). */
  reset(): void {
    this.pairs.length = 0;
    this.engineLength = 0;
    this.engine?.reset();
    this.hDiag = 1;
  }

  /**
   * Offers the pair s = t·d, y = g − gOld (kept when yᵀs > MIN_CURVATURE), then writes the new
   * direction −H·g into `d`.
   */
  async next(g: Float32Array, gOld: Float32Array, t: number, d: Float32Array): Promise<void> {
    const { n, m, stats } = this;
    // y and s go into the spare buffers, with yᵀs and yᵀy accumulated in the same pass over the
    // stored float32 values.
    const spare = (this.spare ??= { s: new Float32Array(n), y: new Float32Array(n), rho: 0 });
    const { s: sNew, y: yNew } = spare;
    let ys = 0;
    let yy = 0;
    for (let j = 0; j < n; j++) {
      const yj = (yNew[j] = Math.fround(g[j] - gOld[j]));
      const sj = (sNew[j] = Math.fround(t * d[j]));
      ys += yj * sj;
      yy += yj * yj;
    }
    let accepted: Pair | undefined;
    if (ys > MIN_CURVATURE) {
      spare.rho = 1 / ys;
      accepted = spare;
      if (this.engine) {
        // The engine keeps its own copy of the history; this pair's buffers stay the spare.
        this.engineLength = Math.min(m, this.engineLength + 1);
      } else {
        this.pairs.push(spare);
        // Past the limit, the oldest pair's buffers become the next spare.
        this.spare = this.pairs.length > m ? this.pairs.shift()! : undefined;
      }
      this.hDiag = ys / yy;
      stats.acceptedPairs++;
      stats.maxHistoryLength = Math.max(stats.maxHistoryLength, this.length);
    } else {
      stats.skippedPairs++;
    }
    if (this.engine) await this.engine.direction(g, this.hDiag, d, accepted && { s: accepted.s, y: accepted.y, ys, yy });
    else lbfgsDirection(g, this.pairs, this.hDiag, d, this.alpha);
  }
}

function checkedOptions(opts: LbfgsOptions): { maxIter: number; lr: number; m: number; tolFun: number; tolX: number } {
  const maxIter = opts.maxIter;
  const lr = opts.lr ?? 1;
  const m = opts.history ?? 100;
  if (!Number.isInteger(maxIter) || maxIter < 0) {
    throw new PainterlyError('BAD_ARGUMENT', `Expected a whole number ≥ 0 for maxIter, got ${maxIter}.`);
  }
  if (!Number.isInteger(m) || m < 1) {
    throw new PainterlyError('BAD_ARGUMENT', `Expected a whole number ≥ 1 for history, got ${m}.`);
  }
  if (!(lr > 0)) throw new PainterlyError('BAD_ARGUMENT', `Expected a positive lr, got ${lr}.`);
  return { maxIter, lr, m, tolFun: opts.tolFun ?? 1e-5, tolX: opts.tolX ?? 1e-9 };
}

/** Torch's tests after a step (a negative tolerance can never trigger the first two, so their passes are skipped). */
function stopAfterStep(g: Float32Array, d: Float32Array, t: number, f: number, fOld: number, tolFun: number, tolX: number): LbfgsStop | undefined {
  if (tolFun >= 0 && abs1(g) <= tolFun) return 'tolFun';
  if (tolX >= 0 && Math.abs(t) * abs1(d) <= tolX) return 'tolX';
  if (Math.abs(f - fOld) < tolX) return 'funChange';
  return undefined;
}

/**
 * Minimise with fixed-step L-BFGS. `x` is updated in place and also returned.
 * `evaluate` receives `x` itself: it must not keep or modify it.
 */
export async function lbfgs(
  x: Float32Array,
  evaluate: (x: Float32Array) => Promise<Evaluation>,
  opts: LbfgsOptions,
): Promise<LbfgsResult> {
  const { maxIter, lr, m, tolFun, tolX } = checkedOptions(opts);
  const n = x.length;
  const stats: LbfgsStats = { evaluations: 0, acceptedPairs: 0, skippedPairs: 0, historyLength: 0, maxHistoryLength: 0, restarts: 0, stop: 'maxIter' };
  const losses: number[] = [];
  const call = async (): Promise<Evaluation> => {
    const e = await evaluate(x);
    if (e.grad.length !== n) {
      throw new PainterlyError('INTERNAL', `The gradient has ${e.grad.length} values; x has ${n}.`);
    }
    stats.evaluations++;
    losses.push(e.loss);
    return e;
  };
  const history = new History(n, m, opts.direction, stats);
  const done = (iterations: number): LbfgsResult => {
    stats.historyLength = history.length;
    return { x, iterations, losses, stats };
  };

  throwIfCancelled(opts.signal);
  let { loss: f, grad: g } = await call();
  if (abs1(g) <= tolFun) {
    stats.stop = 'tolFun';
    return done(0);
  }

  const d = new Float32Array(n);
  const gOld = new Float32Array(n);
  let t = 0;
  let fOld = f;
  // The guard keeps the iterate with the lowest loss so far, its loss and its gradient.
  const guard = opts.restartAbove !== undefined ? { x: x.slice(), g: g.slice(), f, factor: opts.restartAbove } : undefined;
  let fresh = true; // the next step is a first step: the first iteration, or after a restart

  let it = 0;
  while (it < maxIter) {
    throwIfCancelled(opts.signal);
    it++;

    const first = fresh;
    fresh = false;
    if (first) {
      for (let j = 0; j < n; j++) d[j] = -g[j];
    } else {
      await history.next(g, gOld, t, d);
    }
    gOld.set(g);
    fOld = f;

    let gtd = 0;
    for (let j = 0; j < n; j++) gtd += g[j] * d[j];
    if (gtd > -tolX) {
      // No progress is possible along d; Torch stops before stepping (the iteration still counts).
      stats.stop = 'noDescent';
      break;
    }

    t = first ? Math.min(1, 1 / abs1(g)) * lr : lr;
    for (let j = 0; j < n; j++) x[j] += t * d[j];

    // Torch does not evaluate after the last step; the guard does, to check it.
    if (it !== maxIter || guard) ({ loss: f, grad: g } = await call());
    if (guard) {
      // The factor applies to a positive lowest loss (every loss of ours is a sum of squares).
      if (!Number.isFinite(f) || (guard.f > 0 && f > guard.factor * guard.f)) {
        x.set(guard.x);
        // Read-only until the next evaluation replaces it (then guard.g.set(g) copies a new buffer).
        g = guard.g;
        f = guard.f;
        history.reset();
        stats.restarts++;
        fresh = true;
      } else if (f < guard.f) {
        guard.x.set(x);
        guard.g.set(g);
        guard.f = f;
      }
    }
    opts.onIteration?.(it, f);

    if (it === maxIter) break;
    if (opts.stopWhen?.(it)) {
      stats.stop = 'converged';
      break;
    }
    // After a restart x is the earlier iterate again: no step to judge.
    const stop = fresh ? undefined : stopAfterStep(g, d, t, f, fOld, tolFun, tolX);
    if (stop) {
      stats.stop = stop;
      break;
    }
  }
  return done(it);
}
