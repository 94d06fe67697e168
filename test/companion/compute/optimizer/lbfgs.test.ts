import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../../support/gradcheck.js';
import { lbfgs, type Evaluation } from '../../../../companion/compute/optimizer/lbfgs.js';
import { PainterlyError } from '../../../../shared/errors.js';
import { RUNAWAY_START, logCosh, pseudoHuber } from '../../../support/runaway-objectives.js';

// Deterministic pseudo-random numbers (mulberry32).
const rng = mulberry32;

/** f(x) = ½xᵀAx − bᵀx with a random symmetric, diagonally dominant (so positive definite) A. */
function quadratic(n: number, seed: number) {
  const r = rng(seed);
  const A = Array.from({ length: n }, () => new Float64Array(n));
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < i; j++) A[i][j] = A[j][i] = r() - 0.5;
  }
  for (let i = 0; i < n; i++) {
    let off = 0;
    for (let j = 0; j < n; j++) if (j !== i) off += Math.abs(A[i][j]);
    A[i][i] = off + 0.5 + r();
  }
  const b = Float64Array.from({ length: n }, () => 4 * (r() - 0.5));
  const evaluate = async (x: Float32Array): Promise<Evaluation> => {
    const grad = new Float32Array(n);
    let f = 0;
    for (let i = 0; i < n; i++) {
      let ax = 0;
      for (let j = 0; j < n; j++) ax += A[i][j] * x[j];
      grad[i] = ax - b[i];
      f += 0.5 * x[i] * ax - b[i] * x[i];
    }
    return { loss: f, grad };
  };
  // Exact minimiser A⁻¹b by Gaussian elimination with partial pivoting.
  const solve = (): Float64Array => {
    const M = A.map((row, i) => [...row, b[i]]);
    for (let c = 0; c < n; c++) {
      let p = c;
      for (let i = c + 1; i < n; i++) if (Math.abs(M[i][c]) > Math.abs(M[p][c])) p = i;
      [M[c], M[p]] = [M[p], M[c]];
      for (let i = c + 1; i < n; i++) {
        const k = M[i][c] / M[c][c];
        for (let j = c; j <= n; j++) M[i][j] -= k * M[c][j];
      }
    }
    const xs = new Float64Array(n);
    for (let i = n - 1; i >= 0; i--) {
      let s = M[i][n];
      for (let j = i + 1; j < n; j++) s -= M[i][j] * xs[j];
      xs[i] = s / M[i][i];
    }
    return xs;
  };
  return { evaluate, solve };
}

function rosenbrock(x: Float32Array): Evaluation {
  const n = x.length;
  const grad = new Float32Array(n);
  let f = 0;
  for (let i = 0; i < n - 1; i++) {
    const a = x[i + 1] - x[i] * x[i];
    const b = 1 - x[i];
    f += 100 * a * a + b * b;
    grad[i] += -400 * x[i] * a - 2 * b;
    grad[i + 1] += 200 * a;
  }
  return { loss: f, grad };
}

/**
 * The slow obvious version: Torch's lbfgs.lua loop transcribed literally (pairs stored as float32
 * like the real one, ρ recomputed every iteration, unfused two-loop recursion), always running all
 * iterations. Used to check the fused implementation step by step.
 */
async function referenceLbfgs(
  x: Float32Array,
  evaluate: (x: Float32Array) => Promise<Evaluation>,
  maxIter: number,
  lr: number,
  m: number,
): Promise<void> {
  const n = x.length;
  let { grad: g } = await evaluate(x);
  const dirs: Float32Array[] = []; // s
  const stps: Float32Array[] = []; // y
  let d = new Float64Array(n);
  let gOld = new Float32Array(n);
  let t = 0;
  let hDiag = 1;
  const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => {
    let s = 0;
    for (let j = 0; j < n; j++) s += a[j] * b[j];
    return s;
  };
  for (let it = 1; it <= maxIter; it++) {
    if (it === 1) {
      d = Float64Array.from(g, (v) => -v);
    } else {
      const y = Float32Array.from(g, (v, j) => v - gOld[j]);
      const s = Float32Array.from(d, (v) => t * v);
      const ys = dot(y, s);
      if (ys > 1e-10) {
        if (dirs.length === m) {
          dirs.shift();
          stps.shift();
        }
        dirs.push(s);
        stps.push(y);
        hDiag = ys / dot(y, y);
      }
      const k = dirs.length;
      const ro = dirs.map((s, i) => 1 / dot(stps[i], s));
      const al = new Float64Array(k);
      const q = Float64Array.from(g, (v) => -v);
      for (let i = k - 1; i >= 0; i--) {
        al[i] = dot(dirs[i], q) * ro[i];
        for (let j = 0; j < n; j++) q[j] -= al[i] * stps[i][j];
      }
      d = Float64Array.from(q, (v) => v * hDiag);
      for (let i = 0; i < k; i++) {
        const be = dot(stps[i], d) * ro[i];
        for (let j = 0; j < n; j++) d[j] += (al[i] - be) * dirs[i][j];
      }
    }
    gOld = g.slice();
    let l1 = 0;
    for (const v of g) l1 += Math.abs(v);
    t = it === 1 ? Math.min(1, 1 / l1) * lr : lr;
    for (let j = 0; j < n; j++) x[j] += t * d[j];
    if (it !== maxIter) g = (await evaluate(x)).grad;
  }
}

describe('lbfgs', () => {
  it('converges to the exact minimiser of a positive definite quadratic', async () => {
    const { evaluate, solve } = quadratic(12, 1);
    const x = new Float32Array(12);
    const res = await lbfgs(x, evaluate, { maxIter: 200, tolFun: -1, tolX: -1 });
    const xs = solve();
    for (let i = 0; i < 12; i++) expect(x[i]).toBeCloseTo(xs[i], 4);
    expect(res.x).toBe(x);
    expect(res.iterations).toBe(200);
  });

  it('stops early on the default tolerances once the quadratic is solved', async () => {
    const { evaluate } = quadratic(12, 2);
    const res = await lbfgs(new Float32Array(12), evaluate, { maxIter: 500 });
    expect(res.iterations).toBeLessThan(500);
    expect(['tolFun', 'tolX', 'funChange', 'noDescent']).toContain(res.stats.stop);
  });

  it('reaches (1, 1) on the 2-D Rosenbrock function with a small learning rate', async () => {
    const x = Float32Array.of(-1.2, 1);
    await lbfgs(x, async (v) => rosenbrock(v), { maxIter: 1000, lr: 0.1, tolFun: -1, tolX: -1 });
    expect(Math.abs(x[0] - 1)).toBeLessThan(1e-4);
    expect(Math.abs(x[1] - 1)).toBeLessThan(1e-4);
  });

  it('reaches (1, …, 1) on the 10-D Rosenbrock function from the origin', async () => {
    const x = new Float32Array(10);
    await lbfgs(x, async (v) => rosenbrock(v), { maxIter: 1000, lr: 0.05, tolFun: -1, tolX: -1 });
    for (const v of x) expect(Math.abs(v - 1)).toBeLessThan(1e-4);
  });

  it('matches a literal transcription of Torch lbfgs.lua step for step', async () => {
    for (const [maxIter, m] of [
      [7, 100],
      [40, 3],
    ]) {
      const start = Float32Array.from({ length: 10 }, (_, i) => Math.sin(i) * 0.8);
      const a = start.slice();
      const b = start.slice();
      await lbfgs(a, async (v) => rosenbrock(v), { maxIter, lr: 0.05, history: m, tolFun: -1, tolX: -1 });
      await referenceLbfgs(b, async (v) => rosenbrock(v), maxIter, 0.05, m);
      for (let i = 0; i < 10; i++) expect(a[i]).toBeCloseTo(b[i], 5);
    }
  });

  it('takes a first step of exactly min(1, 1/‖g‖₁)·lr along −g', async () => {
    for (const scale of [3, 0.01]) {
      // Large gradient (‖g‖₁ > 1, step shrinks) and small gradient (‖g‖₁ < 1, step is lr).
      const g0 = Float32Array.of(0.5, -1.25, 2, 0.75).map((v) => v * scale);
      const x0 = Float32Array.of(0.1, 0.2, -0.3, 0.4);
      const x = x0.slice();
      const lr = 0.7;
      const res = await lbfgs(x, async () => ({ loss: 0, grad: g0 }), { maxIter: 1, lr });
      let l1 = 0;
      for (const v of g0) l1 += Math.abs(v);
      const t = Math.min(1, 1 / l1) * lr;
      for (let i = 0; i < 4; i++) expect(x[i]).toBe(Math.fround(x0[i] - t * g0[i]));
      // Torch does not evaluate after the last step.
      expect(res.stats.evaluations).toBe(1);
      expect(res.losses).toHaveLength(1);
    }
  });

  it('skips every pair when yᵀs ≤ 1e-10 and keeps stepping along −g with lr', async () => {
    // A linear function: the gradient never changes, so y = 0 for every pair.
    const g = Float32Array.of(0.25, -0.5);
    const x = Float32Array.of(0, 0);
    const lr = 0.1;
    const res = await lbfgs(x, async () => ({ loss: 0, grad: g }), { maxIter: 5, lr, tolFun: -1, tolX: -1 });
    expect(res.stats.skippedPairs).toBe(4);
    expect(res.stats.acceptedPairs).toBe(0);
    expect(res.stats.historyLength).toBe(0);
    const t1 = Math.min(1, 1 / 0.75) * lr;
    expect(x[0]).toBeCloseTo(-(t1 + 4 * lr) * 0.25, 6);
    expect(x[1]).toBeCloseTo((t1 + 4 * lr) * 0.5, 6);
  });

  it('leaves the history unchanged when one pair is skipped among accepted ones', async () => {
    const { evaluate } = quadratic(6, 3);
    let calls = 0;
    let last: Evaluation | undefined;
    const stale = async (x: Float32Array): Promise<Evaluation> => {
      calls++;
      // The fourth evaluation repeats the third one's gradient: y = 0 for that pair.
      if (calls === 4 && last) return { loss: last.loss, grad: last.grad.slice() };
      last = await evaluate(x);
      return last;
    };
    const res = await lbfgs(new Float32Array(6), stale, { maxIter: 8, tolFun: -1, tolX: -1 });
    expect(res.stats.skippedPairs).toBe(1);
    expect(res.stats.acceptedPairs).toBe(6);
    expect(res.stats.historyLength).toBe(6);
  });

  it('never holds more than `history` pairs', async () => {
    const x = Float32Array.from({ length: 10 }, (_, i) => 0.1 * i);
    const res = await lbfgs(x, async (v) => rosenbrock(v), { maxIter: 30, lr: 0.05, history: 4, tolFun: -1, tolX: -1 });
    expect(res.stats.acceptedPairs).toBeGreaterThan(4);
    expect(res.stats.maxHistoryLength).toBe(4);
    expect(res.stats.historyLength).toBe(4);
  });

  it('stops before the first step when the starting gradient is already below tolFun', async () => {
    const res = await lbfgs(Float32Array.of(1, 2), async () => ({ loss: 3, grad: Float32Array.of(1e-7, 0) }), {
      maxIter: 10,
    });
    expect(res.iterations).toBe(0);
    expect(res.stats.stop).toBe('tolFun');
    expect(Array.from(res.x)).toEqual([1, 2]);
  });

  it('refuses a step when gᵀd > −tolX, as Torch does before moving', async () => {
    // First direction d = −g, so gᵀd = −‖g‖² = −25.
    const grad = async () => ({ loss: 0, grad: Float32Array.of(-5) });
    const refuse = await lbfgs(Float32Array.of(0), grad, { maxIter: 10, tolFun: -1, tolX: 30 });
    expect(refuse.stats.stop).toBe('noDescent');
    expect(Array.from(refuse.x)).toEqual([0]);
    const step = await lbfgs(Float32Array.of(0), grad, { maxIter: 1, tolFun: -1, tolX: 10 });
    expect(step.stats.stop).toBe('maxIter');
    expect(step.x[0]).toBeCloseTo(1, 6); // t = min(1, 1/5)·1, x = 0 − 0.2·(−5)
  });

  it('stops on the step size when Σ|t·d| ≤ tolX (Torch sums), not when only max|t·d| is', async () => {
    // Constant gradient 1 on 100 values, lr 1e-3: the first step is t = min(1, 1/100)·1e-3 along
    // −g, so Σ|t·d| = 1e-3 while max|t·d| = 1e-5. The loss keeps changing (no 'funChange').
    let calls = 0;
    const evaluate = async () => ({ loss: -1000 * calls++, grad: new Float32Array(100).fill(1) });
    const keepGoing = await lbfgs(new Float32Array(100), evaluate, { maxIter: 3, lr: 1e-3, tolFun: -1, tolX: 1e-4 });
    expect(keepGoing.stats.stop).toBe('maxIter');
    expect(keepGoing.iterations).toBe(3);
    calls = 0;
    const stop = await lbfgs(new Float32Array(100), evaluate, { maxIter: 3, lr: 1e-3, tolFun: -1, tolX: 2e-3 });
    expect(stop.stats.stop).toBe('tolX');
    expect(stop.iterations).toBe(1);
  });

  it('divergence guard: where fixed-step L-BFGS blows up (log-cosh from 3) it goes back to the best iterate, restarts and reaches the minimum', async () => {
    // Torch's fixed-step L-BFGS meets infinite losses here (test/support/runaway-objectives.ts).
    const start = Float32Array.from(RUNAWAY_START);
    const plain = start.slice();
    const a = await lbfgs(plain, logCosh, { maxIter: 60, tolFun: -1, tolX: -1 });
    expect(a.losses.some((f) => !Number.isFinite(f))).toBe(true);
    expect(Math.max(...plain.map(Math.abs))).toBeGreaterThan(1);
    const guarded = start.slice();
    const b = await lbfgs(guarded, logCosh, { maxIter: 60, tolFun: -1, tolX: -1, restartAbove: 100 });
    expect(b.stats.restarts).toBeGreaterThan(0);
    expect(Math.max(...guarded.map(Math.abs))).toBeLessThan(1e-4);
    // The step after the last is evaluated too: one more evaluation than Torch makes.
    expect(b.stats.evaluations).toBe(61);
  });

  it('divergence guard: the losses it reports never exceed the factor times the lowest so far, and pseudo-Huber still reaches its minimum', async () => {
    const lossesSeen: number[] = [];
    const x = Float32Array.from(RUNAWAY_START);
    const res = await lbfgs(x, pseudoHuber, { maxIter: 40, tolFun: -1, tolX: -1, restartAbove: 100, onIteration: (_, f) => lossesSeen.push(f) });
    expect(res.stats.restarts).toBeGreaterThan(0);
    let best = Infinity;
    for (const f of lossesSeen) {
      expect(f).toBeLessThanOrEqual(100 * Math.min(best, f));
      best = Math.min(best, f);
    }
    // Pseudo-Huber's minimum is 4 at 0 (the start's loss is 11.7).
    expect(Math.min(...lossesSeen)).toBeLessThan(4.05);
  });

  it('divergence guard: a run that never trips it is Torch\'s step for step (quadratic, Rosenbrock)', async () => {
    const { evaluate } = quadratic(12, 4);
    const cases: Array<[(v: Float32Array) => Promise<Evaluation>, Float32Array, number]> = [
      [evaluate, new Float32Array(12), 1],
      [async (v) => rosenbrock(v), Float32Array.from({ length: 10 }, (_, i) => Math.sin(i) * 0.8), 0.05],
    ];
    for (const [f, start, lr] of cases) {
      const a = start.slice();
      const b = start.slice();
      const ra = await lbfgs(a, f, { maxIter: 80, lr, tolFun: -1, tolX: -1 });
      const rb = await lbfgs(b, f, { maxIter: 80, lr, tolFun: -1, tolX: -1, restartAbove: 100 });
      expect(rb.stats.restarts).toBe(0);
      expect(Array.from(b)).toEqual(Array.from(a));
      expect(rb.losses.slice(0, ra.losses.length)).toEqual(ra.losses);
    }
  });

  it('throws CANCELLED between iterations and evaluates no more once aborted', async () => {
    const controller = new AbortController();
    let calls = 0;
    const run = lbfgs(
      new Float32Array(10),
      async (v) => {
        calls++;
        return rosenbrock(v);
      },
      {
        maxIter: 100,
        lr: 0.05,
        signal: controller.signal,
        tolFun: -1,
        tolX: -1,
        onIteration: (it) => {
          if (it === 3) controller.abort();
        },
      },
    );
    await expect(run).rejects.toSatisfy((e: unknown) => e instanceof PainterlyError && e.code === 'CANCELLED');
    // The initial evaluation plus one after each of the three steps.
    expect(calls).toBe(4);
  });

  it('throws CANCELLED without evaluating when the signal is already aborted', async () => {
    let calls = 0;
    const run = lbfgs(
      new Float32Array(2),
      async (v) => {
        calls++;
        return rosenbrock(v);
      },
      { maxIter: 5, signal: AbortSignal.abort() },
    );
    await expect(run).rejects.toBeInstanceOf(PainterlyError);
    expect(calls).toBe(0);
  });
});
