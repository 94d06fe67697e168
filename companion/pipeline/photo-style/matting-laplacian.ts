// The matting Laplacian of Levin, Lischinski and Weiss (2008), used by photo style transfer as
// the photorealism term (spec §1). M is applied matrix-free: nothing of size nnz ≈ 25N is stored,
// only each window's mean and inverse regularised covariance, so a product M·v costs O(N).
//
//   M_ij = Σ_{k : i,j ∈ w_k} [ δ_ij − (1/|w|)(1 + (I_i − μ_k)ᵀ Δ_k⁻¹ (I_j − μ_k)) ],
//   Δ_k = Σ_k + (ε/|w|)·I₃,  Σ_k the window covariance divided by |w| (not |w| − 1).
//
// Windows are the (2r+1)² squares that fit inside the image; border pixels lie in fewer windows.
// Everything is float64: in flat windows Δ⁻¹ reaches |w|/ε ≈ 1e8 and float32 would lose M·1 = 0.
import type { Image } from '../../image/image.js';
import { PainterlyError } from '../../../shared/errors.js';

export interface MattingLaplacianOptions {
  /** Regulariser ε, colours in [0, 1]. The original uses 1e-7 (the TF port 1e-5, for noisy input). */
  epsilon?: number;
  /** Window radius r: windows are (2r+1)×(2r+1). The original uses 1. */
  radius?: number;
}

export const MATTING_DEFAULTS = { epsilon: 1e-7, radius: 1 } as const;

export interface MattingLaplacianOperator {
  readonly width: number;
  readonly height: number;
  /** Number of pixels N = width·height; vectors are one channel, row-major. */
  readonly size: number;
  readonly epsilon: number;
  readonly radius: number;
  /**
   * out = M·v for one channel. `out` must not alias `v`. Uses scratch buffers owned by the
   * operator, so one operator must not run two products at once (it is synchronous anyway).
   */
  apply(v: Float64Array | Float32Array, out: Float64Array): void;
  /** How many windows cover each pixel: the row sums of the affinity, diag of D in §6. */
  windowCounts(): Float64Array;
  /** The diagonal of M (for Jacobi preconditioning). */
  diagonal(): Float64Array;
}

/** Refuses what neither builder can handle: fewer than 3 channels, a bad radius, a tiny image. */
export function checkMattingInput(img: Image, radius: number): void {
  if (img.channels < 3) {
    throw new PainterlyError('BAD_ARGUMENT', `The matting Laplacian needs an RGB image, got ${img.channels} channel(s).`);
  }
  if (!Number.isInteger(radius) || radius < 1) {
    throw new PainterlyError('BAD_ARGUMENT', `The window radius must be a positive integer, got ${radius}.`);
  }
  const d = 2 * radius + 1;
  if (img.width < d || img.height < d) {
    throw new PainterlyError(
      'BAD_ARGUMENT',
      `The image is ${img.width}×${img.height}; the matting Laplacian needs at least ${d}×${d} pixels.`,
    );
  }
}

/** Inverse of the symmetric 3×3 matrix [a b c; b d e; c e f] into out[o..o+5] as (00,01,02,11,12,22). */
function invertSym3(a: number, b: number, c: number, d: number, e: number, f: number, out: Float64Array, o: number): void {
  const c00 = d * f - e * e;
  const c01 = c * e - b * f;
  const c02 = b * e - c * d;
  const c11 = a * f - c * c;
  const c12 = b * c - a * e;
  const c22 = a * d - b * b;
  const inv = 1 / (a * c00 + b * c01 + c * c02);
  out[o] = c00 * inv;
  out[o + 1] = c01 * inv;
  out[o + 2] = c02 * inv;
  out[o + 3] = c11 * inv;
  out[o + 4] = c12 * inv;
  out[o + 5] = c22 * inv;
}

/** What every product needs, computed once per content photo. */
interface Windows {
  W: number;
  H: number;
  r: number;
  /** Window side 2r + 1 and size |w|; window centres per row and column. */
  d: number;
  nw: number;
  Wc: number;
  Hc: number;
  /** Colours minus the global mean, interleaved. */
  ic: Float64Array;
  /** Per window: μ_k (3 values) and Δ_k⁻¹ (6 unique values of the symmetric inverse). */
  mu: Float64Array;
  dinv: Float64Array;
  /** Windows covering pixel (x, y): countX[x]·countY[y]. */
  countX: Float64Array;
  countY: Float64Array;
}

/**
 * Builds the matrix-free operator for the content photo `img` (RGB or RGBA, values in [0, 1]).
 * Precomputation is O(N·|w|) once; each `apply` is a handful of passes over the image.
 */
export function mattingLaplacianOperator(img: Image, opts: MattingLaplacianOptions = {}): MattingLaplacianOperator {
  const epsilon = opts.epsilon ?? MATTING_DEFAULTS.epsilon;
  const r = opts.radius ?? MATTING_DEFAULTS.radius;
  checkMattingInput(img, r);
  const win = precompute(img, epsilon, r);
  const { W, H, countX, countY } = win;
  const N = W * H;
  let counts: Float64Array | undefined;
  let diag: Float64Array | undefined;
  return {
    width: W, height: H, size: N, epsilon, radius: r,
    apply: productWith(win),
    windowCounts() {
      if (!counts) {
        counts = new Float64Array(N);
        for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) counts[y * W + x] = countX[x] * countY[y];
      }
      return counts;
    },
    diagonal: () => (diag ??= diagonalOf(win)),
  };
}

function precompute(img: Image, epsilon: number, r: number): Windows {
  const W = img.width;
  const H = img.height;
  const N = W * H;
  const d = 2 * r + 1;
  const nw = d * d;
  const Wc = W - 2 * r; // window centres per row
  const Hc = H - 2 * r;
  const Nw = Wc * Hc;

  // Colours minus the global mean: M is unchanged by a global shift, and smaller magnitudes
  // reduce the cancellation in Σ I v − μ Σ v below.
  const ic = new Float64Array(3 * N);
  let m0 = 0, m1 = 0, m2 = 0;
  const ch = img.channels;
  for (let i = 0; i < N; i++) {
    m0 += img.data[i * ch];
    m1 += img.data[i * ch + 1];
    m2 += img.data[i * ch + 2];
  }
  m0 /= N; m1 /= N; m2 /= N;
  for (let i = 0; i < N; i++) {
    ic[3 * i] = img.data[i * ch] - m0;
    ic[3 * i + 1] = img.data[i * ch + 1] - m1;
    ic[3 * i + 2] = img.data[i * ch + 2] - m2;
  }

  // Per window: mean μ_k and Δ_k⁻¹, with the covariance taken about the mean (two passes),
  // which is exact for flat windows where E[IIᵀ] − μμᵀ would cancel catastrophically.
  const mu = new Float64Array(3 * Nw);
  const dinv = new Float64Array(6 * Nw);
  const reg = epsilon / nw;
  for (let cy = 0; cy < Hc; cy++) {
    for (let cx = 0; cx < Wc; cx++) {
      const k = cy * Wc + cx;
      let s0 = 0, s1 = 0, s2 = 0;
      for (let dy = 0; dy < d; dy++) {
        let j = 3 * ((cy + dy) * W + cx);
        for (let dx = 0; dx < d; dx++, j += 3) {
          s0 += ic[j]; s1 += ic[j + 1]; s2 += ic[j + 2];
        }
      }
      const u0 = s0 / nw, u1 = s1 / nw, u2 = s2 / nw;
      let c00 = 0, c01 = 0, c02 = 0, c11 = 0, c12 = 0, c22 = 0;
      for (let dy = 0; dy < d; dy++) {
        let j = 3 * ((cy + dy) * W + cx);
        for (let dx = 0; dx < d; dx++, j += 3) {
          const e0 = ic[j] - u0, e1 = ic[j + 1] - u1, e2 = ic[j + 2] - u2;
          c00 += e0 * e0; c01 += e0 * e1; c02 += e0 * e2;
          c11 += e1 * e1; c12 += e1 * e2; c22 += e2 * e2;
        }
      }
      mu[3 * k] = u0; mu[3 * k + 1] = u1; mu[3 * k + 2] = u2;
      invertSym3(c00 / nw + reg, c01 / nw, c02 / nw, c11 / nw + reg, c12 / nw, c22 / nw + reg, dinv, 6 * k);
    }
  }

  const countX = new Float64Array(W);
  const countY = new Float64Array(H);
  for (let x = 0; x < W; x++) countX[x] = Math.min(Wc - 1, x) - Math.max(0, x - 2 * r) + 1;
  for (let y = 0; y < H; y++) countY[y] = Math.min(Hc - 1, y) - Math.max(0, y - 2 * r) + 1;
  return { W, H, r, d, nw, Wc, Hc, ic, mu, dinv, countX, countY };
}

/** out = M·v for one channel, with scratch buffers of its own (one product at a time). */
function productWith(win: Windows): (v: Float64Array | Float32Array, out: Float64Array) => void {
  const { W, H, r, d, nw, Wc, Hc, ic, mu, dinv, countX, countY } = win;
  const N = W * H;
  // Scratch, 4 interleaved quantities each: (Σv, Σ I_R v, Σ I_G v, Σ I_B v) then (a_R, a_G, a_B, b).
  const rowSums = new Float64Array(4 * H * Wc);
  const winCoef = new Float64Array(4 * Wc * Hc);
  const colSums = new Float64Array(4 * Hc * W);
  return (v, out) => {
    if (v.length !== N || out.length !== N) {
      throw new PainterlyError('BAD_ARGUMENT', `Expected vectors of length ${N}, got ${v.length} and ${out.length}.`);
    }
    // 1. Horizontal window sums of v and I_c·v, one row at a time.
    for (let y = 0; y < H; y++) {
      const row = y * W;
      for (let cx = 0; cx < Wc; cx++) {
        let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        for (let j = row + cx, end = j + d; j < end; j++) {
          const vj = v[j];
          s0 += vj;
          s1 += ic[3 * j] * vj;
          s2 += ic[3 * j + 1] * vj;
          s3 += ic[3 * j + 2] * vj;
        }
        const o = 4 * (y * Wc + cx);
        rowSums[o] = s0; rowSums[o + 1] = s1; rowSums[o + 2] = s2; rowSums[o + 3] = s3;
      }
    }
    // 2. Vertical sums give the window sums; solve each window's affine model
    //    a_k = Δ⁻¹((1/|w|) Σ I_j v_j − μ mean(v)),  b_k = mean(v) − a_kᵀ μ_k.
    for (let cy = 0; cy < Hc; cy++) {
      for (let cx = 0; cx < Wc; cx++) {
        let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        for (let dy = 0; dy < d; dy++) {
          const o = 4 * ((cy + dy) * Wc + cx);
          s0 += rowSums[o]; s1 += rowSums[o + 1]; s2 += rowSums[o + 2]; s3 += rowSums[o + 3];
        }
        const k = cy * Wc + cx;
        const mv = s0 / nw;
        const u0 = mu[3 * k], u1 = mu[3 * k + 1], u2 = mu[3 * k + 2];
        const t0 = s1 / nw - u0 * mv, t1 = s2 / nw - u1 * mv, t2 = s3 / nw - u2 * mv;
        const q = 6 * k;
        const a0 = dinv[q] * t0 + dinv[q + 1] * t1 + dinv[q + 2] * t2;
        const a1 = dinv[q + 1] * t0 + dinv[q + 3] * t1 + dinv[q + 4] * t2;
        const a2 = dinv[q + 2] * t0 + dinv[q + 4] * t1 + dinv[q + 5] * t2;
        const o = 4 * k;
        winCoef[o] = a0; winCoef[o + 1] = a1; winCoef[o + 2] = a2;
        winCoef[o + 3] = mv - (a0 * u0 + a1 * u1 + a2 * u2);
      }
    }
    // 3. Sum (a_k, b_k) over the windows covering each pixel, horizontally then vertically.
    for (let cy = 0; cy < Hc; cy++) {
      const base = cy * Wc;
      for (let x = 0; x < W; x++) {
        const lo = Math.max(0, x - 2 * r), hi = Math.min(Wc - 1, x);
        let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        for (let cx = lo; cx <= hi; cx++) {
          const o = 4 * (base + cx);
          s0 += winCoef[o]; s1 += winCoef[o + 1]; s2 += winCoef[o + 2]; s3 += winCoef[o + 3];
        }
        const o = 4 * (cy * W + x);
        colSums[o] = s0; colSums[o + 1] = s1; colSums[o + 2] = s2; colSums[o + 3] = s3;
      }
    }
    // 4. (M v)_i = Σ_{k∋i} (v_i − a_kᵀ I_i − b_k).
    for (let y = 0; y < H; y++) {
      const lo = Math.max(0, y - 2 * r), hi = Math.min(Hc - 1, y);
      const ny = countY[y];
      for (let x = 0; x < W; x++) {
        let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        for (let cy = lo; cy <= hi; cy++) {
          const o = 4 * (cy * W + x);
          s0 += colSums[o]; s1 += colSums[o + 1]; s2 += colSums[o + 2]; s3 += colSums[o + 3];
        }
        const i = y * W + x;
        out[i] = ny * countX[x] * v[i] - (s0 * ic[3 * i] + s1 * ic[3 * i + 1] + s2 * ic[3 * i + 2]) - s3;
      }
    }
  };
}

/** M_ii = Σ_{k∋i} (1 − (1 + e_ikᵀ Δ_k⁻¹ e_ik)/|w|), e_ik = I_i − μ_k. */
function diagonalOf(win: Windows): Float64Array {
  const { W, H, d, nw, Wc, Hc, ic, mu, dinv } = win;
  const diag = new Float64Array(W * H);
  for (let cy = 0; cy < Hc; cy++) {
    for (let cx = 0; cx < Wc; cx++) {
      const k = cy * Wc + cx;
      const q = 6 * k;
      for (let dy = 0; dy < d; dy++) {
        for (let dx = 0; dx < d; dx++) {
          const i = (cy + dy) * W + cx + dx;
          const e0 = ic[3 * i] - mu[3 * k], e1 = ic[3 * i + 1] - mu[3 * k + 1], e2 = ic[3 * i + 2] - mu[3 * k + 2];
          const quad =
            dinv[q] * e0 * e0 + dinv[q + 3] * e1 * e1 + dinv[q + 5] * e2 * e2 +
            2 * (dinv[q + 1] * e0 * e1 + dinv[q + 2] * e0 * e2 + dinv[q + 4] * e1 * e2);
          diag[i] += 1 - (1 + quad) / nw;
        }
      }
    }
  }
  return diag;
}
