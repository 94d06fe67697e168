// Running a prepared pass (§2.3, §3.7): the one runner of passes 1 and 2, which differ only in
// what they prepare (pass1.ts, pass2.ts) and in the optimiser's step length and tolerances.
import type { Planar } from '../../image/planar.js';
import { optimise } from '../common/optimise.js';
import type { DphContext, PreparedPass } from './context.js';
import { PainterlyError } from '../../../shared/errors.js';

/** L-BFGS history, as the original (§2.3). */
const HISTORY = 100;

export interface PassResult {
  /** The optimised crop in network space (planar BGR), region-sized. */
  x: Planar;
  iterations: number;
  /** Steps the optimiser's divergence guard undid (common/optimise.ts). */
  restarts: number;
}

/** What a schedule adds to a pass (schedule.ts). */
export interface PassRunOptions {
  /** Asked after every iteration with the current crop: true ends the pass there. */
  stopWhen?: (iteration: number, x: Planar) => boolean;
  /** A term computed outside the step graph (a backbone's structure term, laplacian-term.ts). */
  extraTerm?: (x: Float32Array, grad: Float32Array) => number;
}

/** The optimiser of each pass: pass 1 stops on Torch's default tolerances, pass 2 never early. */
const PASS_OPTIMISER = {
  1: { lr: 1, tolFun: 1e-5, tolX: 1e-9 },
  2: { lr: 0.1, tolFun: -1, tolX: -1 },
} as const;

/**
 * Optimises a prepared pass in place (its `x`); returns it with the iterations run. The original
 * saves the image its N-th evaluation sees, which comes after N − 1 steps (Torch's L-BFGS
 * evaluates once before the first step), and its N-th step is never looked at: so N iterations
 * take N − 1 steps here, and the last one is reported when they are done. A schedule's `run`
 * hooks may end the pass sooner (stopWhen) or add a term (extraTerm).
 */
export async function runPass(ctx: DphContext, pass: 1 | 2, prepared: PreparedPass, iterations: number, run: PassRunOptions = {}): Promise<PassResult> {
  await ctx.onPrepared?.(pass, prepared);
  ctx.onStage?.(pass === 1 ? 'pass-1' : 'pass-2');
  const { x, m0, step } = prepared;
  const steps = Math.max(0, iterations - 1);
  const done = await optimise(ctx.net, step, x.data, {
    ...PASS_OPTIMISER[pass], iterations: steps, history: HISTORY, mask: m0.data, signal: ctx.signal,
    onIteration: (it) => ctx.onIteration?.(pass, it, iterations, x),
    stopWhen: run.stopWhen ? (it) => run.stopWhen!(it, x) : undefined, extraTerm: run.extraTerm,
  });
  throwIfDiverged(x.data, pass);
  if (done.iterations < steps) return { x, iterations: done.iterations, restarts: done.restarts }; // stopped early (pass 1's tolerances, or the schedule's stopWhen)
  if (iterations > 0) ctx.onIteration?.(pass, iterations, iterations, x);
  return { x, iterations, restarts: done.restarts };
}

/**
 * A pass whose iterate left the finite numbers (a wrong gradient or a runaway step) must not
 * reach the document as a black object: the job fails with a sentence instead.
 */
export function throwIfDiverged(x: Float32Array, pass: 1 | 2): void {
  for (let i = 0; i < x.length; i++) {
    if (!Number.isFinite(x[i])) {
      throw new PainterlyError('INTERNAL', `Pass ${pass} diverged (its image has values that are not finite numbers); the document was not changed. Try another model or style strength, and please report it.`);
    }
  }
}
