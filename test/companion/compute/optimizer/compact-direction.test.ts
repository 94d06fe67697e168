import { describe, it, expect } from 'vitest';
import { lbfgs } from '../../../../companion/compute/optimizer/lbfgs.js';
import { openCompactDirection } from '../../../../companion/compute/optimizer/compact-direction.js';
import { CPU } from '../../../../companion/compute/device-names.js';
import { mulberry32 } from '../../../support/gradcheck.js';
import { measured } from '../../../support/torch-lbfgs.js';
import { RUNAWAY_START, logCosh } from '../../../support/runaway-objectives.js';

/** A convex quadratic ½xᵀAx − bᵀx with a diagonal-plus-coupling A (well conditioned). */
function quadratic(n: number, seed: number) {
  const r = mulberry32(seed);
  const diag = Float64Array.from({ length: n }, () => 1 + 4 * r());
  const b = Float64Array.from({ length: n }, () => r() * 2 - 1);
  const evaluate = async (x: Float32Array) => {
    const grad = new Float32Array(n);
    let loss = 0;
    for (let i = 0; i < n; i++) {
      const ax = diag[i] * x[i] + 0.3 * ((x[(i + 1) % n] ?? 0) + (x[(i + n - 1) % n] ?? 0));
      grad[i] = ax - b[i];
      loss += 0.5 * x[i] * ax - b[i] * x[i];
    }
    return { loss, grad };
  };
  return evaluate;
}

describe('compact L-BFGS direction', () => {
  it('is the float64 two-loop direction of Torch\'s lbfgs on the same history, at every iteration, after the history rolls too', async () => {
    const n = 300, history = 5;
    const x = new Float32Array(n).fill(0.5);
    const m = measured(await openCompactDirection(CPU, n, history), history);
    await lbfgs(x, quadratic(n, 3), { maxIter: 25, lr: 0.5, history, tolFun: -1, tolX: -1, direction: m.engine });
    await m.engine.release();
    expect(m.historyLengths.filter((h) => h === history).length).toBeGreaterThan(10);
    expect(Math.max(...m.errors)).toBeLessThan(1e-5);
  });

  it('follows the two-loop recursion step for step, including after the history wraps', async () => {
    const n = 300, history = 5, iters = 25;
    const evaluate = quadratic(n, 3);
    const x1 = new Float32Array(n).fill(0.5);
    const x2 = x1.slice();
    const a = await lbfgs(x1, evaluate, { maxIter: iters, lr: 0.5, history, tolFun: -1, tolX: -1 });
    const engine = await openCompactDirection(CPU, n, history);
    const b = await lbfgs(x2, evaluate, { maxIter: iters, lr: 0.5, history, tolFun: -1, tolX: -1, direction: engine });
    await engine.release();
    expect(b.stats.maxHistoryLength).toBe(history);
    expect(b.stats.acceptedPairs).toBe(a.stats.acceptedPairs);
    let maxDiff = 0, maxAbs = 0;
    for (let i = 0; i < n; i++) {
      maxDiff = Math.max(maxDiff, Math.abs(x1[i] - x2[i]));
      maxAbs = Math.max(maxAbs, Math.abs(x1[i]));
    }
    expect(maxDiff / maxAbs).toBeLessThan(1e-4);
    for (let i = 0; i < a.losses.length; i++) expect(b.losses[i]).toBeCloseTo(a.losses[i], 4);
  });

  it('forgets its history on reset: a guarded run that restarts follows the two-loop recursion', async () => {
    // Log-cosh from 3 trips the divergence guard (lbfgs.test.ts); after each reset the engine
    // must hold only the pairs accepted since.
    const n = RUNAWAY_START.length, history = 10;
    const m = measured(await openCompactDirection(CPU, n, history), history);
    // Unequal coordinates (runaway-objectives.ts): a stale history would show.
    const x = Float32Array.from(RUNAWAY_START);
    // 28 iterations: three restarts, and not yet so close to 0 that d is float32 noise.
    const res = await lbfgs(x, logCosh, { maxIter: 28, history, tolFun: -1, tolX: -1, restartAbove: 100, direction: m.engine });
    await m.engine.release();
    expect(res.stats.restarts).toBeGreaterThanOrEqual(2);
    expect(Math.max(...m.errors)).toBeLessThan(1e-5);
  });

  it('converges on the quadratic to the exact minimiser', async () => {
    const n = 200;
    const evaluate = quadratic(n, 8);
    const x = new Float32Array(n);
    const engine = await openCompactDirection(CPU, n, 20);
    await lbfgs(x, evaluate, { maxIter: 60, lr: 1, history: 20, tolFun: -1, tolX: -1, direction: engine });
    await engine.release();
    const { grad } = await evaluate(x);
    expect(Math.sqrt(grad.reduce((s, g) => s + g * g, 0))).toBeLessThan(1e-3);
  });
});
