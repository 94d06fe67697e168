import { describe, expect, it } from 'vitest';
import { pcg, type LinearOperator } from '../../../../companion/pipeline/photo-style/pcg.js';
import { isPainterlyError } from '../../../../shared/errors.js';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 4294967296);
}

/** A = BᵀB + shift·I with widely varying row scales, so Jacobi has something to fix. */
function randomSpd(n: number, seed: number, shift = 0.1): number[][] {
  const r = rng(seed);
  const b = Array.from({ length: n }, (_, i) => Array.from({ length: n }, () => (r() * 2 - 1) * (1 + 10 * (i % 3))));
  return Array.from({ length: n }, (_, i) =>
    Array.from({ length: n }, (_, j) => b.reduce((s, row) => s + row[i] * row[j], 0) + (i === j ? shift : 0)),
  );
}

function denseOp(a: number[][]): LinearOperator {
  return {
    size: a.length,
    apply(x, out) {
      for (let i = 0; i < a.length; i++) out[i] = a[i].reduce((s, v, j) => s + v * x[j], 0);
    },
  };
}

/** Direct solve by Gaussian elimination with partial pivoting. */
function solveDirect(a: number[][], b: Float64Array): Float64Array {
  const n = a.length;
  const m = a.map((row, i) => [...row, b[i]]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r][c]) > Math.abs(m[p][c])) p = r;
    [m[c], m[p]] = [m[p], m[c]];
    for (let r = c + 1; r < n; r++) {
      const f = m[r][c] / m[c][c];
      for (let j = c; j <= n; j++) m[r][j] -= f * m[c][j];
    }
  }
  const x = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    let s = m[i][n];
    for (let j = i + 1; j < n; j++) s -= m[i][j] * x[j];
    x[i] = s / m[i][i];
  }
  return x;
}

const norm = (v: Float64Array): number => Math.sqrt(v.reduce((s, x) => s + x * x, 0));

describe('pcg', () => {
  const n = 40;
  const a = randomSpd(n, 1);
  const r = rng(2);
  const b = Float64Array.from({ length: n }, () => r() * 2 - 1);
  const direct = solveDirect(a, b);

  it('solves a random SPD system to the direct solution, with and without Jacobi', () => {
    const inverseDiagonal = Float64Array.from(a, (row, i) => 1 / row[i]);
    for (const opts of [{}, { inverseDiagonal }]) {
      const x = new Float64Array(n);
      const res = pcg(denseOp(a), b, x, { tolerance: 1e-12, maxIterations: 500, ...opts });
      expect(res.converged).toBe(true);
      const err = x.map((v, i) => v - direct[i]);
      expect(norm(err) / norm(direct)).toBeLessThan(1e-8);
    }
  });

  it('stops once the true residual is below tolerance·‖b‖', () => {
    const x = new Float64Array(n);
    const res = pcg(denseOp(a), b, x, { tolerance: 1e-6, maxIterations: 500 });
    expect(res.relativeResidual).toBeLessThanOrEqual(1e-6);
    const ax = new Float64Array(n);
    denseOp(a).apply(x, ax);
    expect(norm(ax.map((v, i) => b[i] - v)) / norm(b)).toBeLessThan(2e-6);
  });

  it('reports converged: false when the iteration cap is reached first', () => {
    const x = new Float64Array(n);
    const res = pcg(denseOp(a), b, x, { tolerance: 1e-14, maxIterations: 3 });
    expect(res).toMatchObject({ iterations: 3, converged: false });
    expect(res.relativeResidual).toBeGreaterThan(1e-14);
  });

  it('returns at once when the initial guess already solves the system', () => {
    const x = direct.slice();
    expect(pcg(denseOp(a), b, x, { tolerance: 1e-6 }).iterations).toBe(0);
  });

  it('throws CANCELLED when the signal is aborted', () => {
    const ctrl = new AbortController();
    ctrl.abort();
    try {
      pcg(denseOp(a), b, new Float64Array(n), { signal: ctrl.signal });
      expect.unreachable();
    } catch (e) {
      expect(isPainterlyError(e) && e.code).toBe('CANCELLED');
    }
  });

  it('refuses an indefinite operator with INTERNAL instead of returning garbage', () => {
    const neg = a.map((row) => row.map((v) => -v));
    try {
      pcg(denseOp(neg), b, new Float64Array(n));
      expect.unreachable();
    } catch (e) {
      expect(isPainterlyError(e) && e.code).toBe('INTERNAL');
    }
  });
});
