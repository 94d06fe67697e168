// The L-BFGS direction of Torch's optim.lbfgs (two-loop recursion, H₀ = (yᵀs/yᵀy)·I from the
// newest accepted pair) written out plainly in float64: the pairs as float64 copies, ρ = 1/(yᵀs)
// recomputed every time, every dot product and vector in float64. The stand-in for exact
// arithmetic that the optimiser's fast directions are measured against.
import type { DirectionEngine } from '../../companion/compute/optimizer/compact-direction.js';

export class TwoLoopReference {
  private readonly s: Float64Array[] = [];
  private readonly y: Float64Array[] = [];
  private hDiag = 1;

  constructor(private readonly history: number) {}

  /** Forgets every pair. */
  clear(): void {
    this.s.length = 0;
    this.y.length = 0;
    this.hDiag = 1;
  }

  /** Adds an accepted pair, dropping the oldest past the history size. */
  push(s: ArrayLike<number>, y: ArrayLike<number>): void {
    if (this.s.length === this.history) {
      this.s.shift();
      this.y.shift();
    }
    const s64 = Float64Array.from(s);
    const y64 = Float64Array.from(y);
    this.s.push(s64);
    this.y.push(y64);
    this.hDiag = dot(y64, s64) / dot(y64, y64);
  }

  get length(): number {
    return this.s.length;
  }

  /** d = −H·g. */
  direction(g: ArrayLike<number>): Float64Array {
    const k = this.s.length;
    const q = Float64Array.from(g, (v) => -v);
    const rho = this.s.map((s, i) => 1 / dot(this.y[i], s));
    const alpha = new Float64Array(k);
    for (let i = k - 1; i >= 0; i--) {
      alpha[i] = rho[i] * dot(this.s[i], q);
      for (let j = 0; j < q.length; j++) q[j] -= alpha[i] * this.y[i][j];
    }
    const r = q.map((v) => v * this.hDiag);
    for (let i = 0; i < k; i++) {
      const beta = rho[i] * dot(this.y[i], r);
      for (let j = 0; j < r.length; j++) r[j] += (alpha[i] - beta) * this.s[i][j];
    }
    return r;
  }
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let j = 0; j < a.length; j++) s += a[j] * b[j];
  return s;
}

/**
 * Wraps a direction engine: every direction it computes is compared with the float64 two-loop
 * on the same history, and ‖d − d_ref‖/‖d_ref‖ is recorded (one entry per call).
 */
export function measured(engine: DirectionEngine, history: number): { engine: DirectionEngine; errors: number[]; historyLengths: number[] } {
  const ref = new TwoLoopReference(history);
  const errors: number[] = [];
  const historyLengths: number[] = [];
  return {
    errors,
    historyLengths,
    engine: {
      async direction(g, hDiag, d, newPair) {
        if (newPair) ref.push(newPair.s, newPair.y);
        await engine.direction(g, hDiag, d, newPair);
        const want = ref.direction(g);
        let num = 0, den = 0;
        for (let j = 0; j < want.length; j++) {
          num += (d[j] - want[j]) ** 2;
          den += want[j] ** 2;
        }
        errors.push(Math.sqrt(num / den));
        historyLengths.push(ref.length);
      },
      reset() {
        ref.clear();
        engine.reset();
      },
      release: () => engine.release(),
    },
  };
}
