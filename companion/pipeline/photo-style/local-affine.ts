// "Smooth local affine" (spec §4, the original's cuda_utils.cu smooth_local_affine): explain the
// stylised output O as a per-pixel affine function of the content photo I, smooth those affine
// models with a joint bilateral filter guided by I, and re-apply them to I. The result keeps I's
// edges exactly where I has them, which removes the CNN's small distortions.
import { createImage, type Image } from '../../image/image.js';
import { PainterlyError, throwIfCancelled } from '../../../shared/errors.js';

export interface SmoothLocalAffineOptions {
  /** Fit window radius (patch 3 → radius 1), clipped at the border. */
  patchRadius?: number;
  /** Ridge added to the RGB diagonal of XᵀX (not to the bias entry, as in the original kernel). */
  ridge?: number;
  /** Bilateral window radius; 15 in the published results (the Lua default is 7). */
  filterRadius?: number;
  /** Spatial σ in pixels; default filterRadius / 3. */
  spatialSigma?: number;
  /** Range σ on the guide's colour difference (mean of the 3 squared channel differences); 0.01 published. */
  edgeSigma?: number;
  /** Clamp the result to [0, 1], as saving to PNG did. Default true. */
  clamp?: boolean;
  /** Checked once per image row; aborting throws PainterlyError('CANCELLED'). */
  signal?: AbortSignal;
}

const LOCAL_AFFINE_DEFAULTS = { patchRadius: 1, ridge: 1e-3, filterRadius: 15, edgeSigma: 0.01 } as const;

/** Below this |det|, the original leaves the inverse, and so the affine model, at zero. */
const SINGULAR_DET = 1e-9;

/**
 * Inverse of a symmetric 4×4 matrix m (row-major, 16 entries) into inv by cofactors; returns
 * false, leaving inv untouched, when |det| < SINGULAR_DET.
 */
function invert4(m: Float64Array, inv: Float64Array): boolean {
  // 2×2 minors of rows 0–1 (s) and rows 2–3 (c), Laplace expansion along those row pairs.
  const s0 = m[0] * m[5] - m[4] * m[1];
  const s1 = m[0] * m[6] - m[4] * m[2];
  const s2 = m[0] * m[7] - m[4] * m[3];
  const s3 = m[1] * m[6] - m[5] * m[2];
  const s4 = m[1] * m[7] - m[5] * m[3];
  const s5 = m[2] * m[7] - m[6] * m[3];
  const c5 = m[10] * m[15] - m[14] * m[11];
  const c4 = m[9] * m[15] - m[13] * m[11];
  const c3 = m[9] * m[14] - m[13] * m[10];
  const c2 = m[8] * m[15] - m[12] * m[11];
  const c1 = m[8] * m[14] - m[12] * m[10];
  const c0 = m[8] * m[13] - m[12] * m[9];
  const det = s0 * c5 - s1 * c4 + s2 * c3 + s3 * c2 - s4 * c1 + s5 * c0;
  if (!(Math.abs(det) >= SINGULAR_DET)) return false;
  const k = 1 / det;
  inv[0] = (m[5] * c5 - m[6] * c4 + m[7] * c3) * k;
  inv[1] = (-m[1] * c5 + m[2] * c4 - m[3] * c3) * k;
  inv[2] = (m[13] * s5 - m[14] * s4 + m[15] * s3) * k;
  inv[3] = (-m[9] * s5 + m[10] * s4 - m[11] * s3) * k;
  inv[4] = (-m[4] * c5 + m[6] * c2 - m[7] * c1) * k;
  inv[5] = (m[0] * c5 - m[2] * c2 + m[3] * c1) * k;
  inv[6] = (-m[12] * s5 + m[14] * s2 - m[15] * s1) * k;
  inv[7] = (m[8] * s5 - m[10] * s2 + m[11] * s1) * k;
  inv[8] = (m[4] * c4 - m[5] * c2 + m[7] * c0) * k;
  inv[9] = (-m[0] * c4 + m[1] * c2 - m[3] * c0) * k;
  inv[10] = (m[12] * s4 - m[13] * s2 + m[15] * s0) * k;
  inv[11] = (-m[8] * s4 + m[9] * s2 - m[11] * s0) * k;
  inv[12] = (-m[4] * c3 + m[5] * c1 - m[6] * c0) * k;
  inv[13] = (m[0] * c3 - m[1] * c1 + m[2] * c0) * k;
  inv[14] = (-m[12] * s3 + m[13] * s1 - m[14] * s0) * k;
  inv[15] = (m[8] * s3 - m[9] * s1 + m[10] * s0) * k;
  return true;
}

function checkPair(output: Image, content: Image): void {
  if (output.width !== content.width || output.height !== content.height) {
    throw new PainterlyError(
      'SIZE_MISMATCH',
      `The output is ${output.width}×${output.height} but the content photo is ${content.width}×${content.height}.`,
    );
  }
  if (output.channels < 3 || content.channels < 3) {
    throw new PainterlyError('BAD_ARGUMENT', 'Smooth local affine needs RGB images.');
  }
}

/**
 * Step 1: per pixel p, the ridge-regression affine model A_p (3×4, row-major, 12 values per pixel)
 * with O ≈ A_p·[R, G, B, 1]ᵀ of I over the window around p:
 *   A_p = (Σ O xᵀ)(Σ x xᵀ + ridge·diag(1, 1, 1, 0))⁻¹,  A_p = 0 where that matrix is singular.
 */
export function fitLocalAffine(output: Image, content: Image, opts: SmoothLocalAffineOptions = {}): Float64Array {
  checkPair(output, content);
  const r = opts.patchRadius ?? LOCAL_AFFINE_DEFAULTS.patchRadius;
  const ridge = opts.ridge ?? LOCAL_AFFINE_DEFAULTS.ridge;
  const { width: W, height: H } = content;
  const ci = content.channels;
  const co = output.channels;
  const coeffs = new Float64Array(W * H * 12);
  const xtx = new Float64Array(16);
  const inv = new Float64Array(16);
  const xto = new Float64Array(12);
  for (let y = 0; y < H; y++) {
    throwIfCancelled(opts.signal);
    for (let x = 0; x < W; x++) {
      xtx.fill(0);
      xto.fill(0);
      for (let yy = Math.max(0, y - r); yy <= Math.min(H - 1, y + r); yy++) {
        for (let xx = Math.max(0, x - r); xx <= Math.min(W - 1, x + r); xx++) {
          const q = yy * W + xx;
          const i0 = content.data[q * ci], i1 = content.data[q * ci + 1], i2 = content.data[q * ci + 2];
          xtx[0] += i0 * i0; xtx[1] += i0 * i1; xtx[2] += i0 * i2; xtx[3] += i0;
          xtx[5] += i1 * i1; xtx[6] += i1 * i2; xtx[7] += i1;
          xtx[10] += i2 * i2; xtx[11] += i2;
          xtx[15] += 1;
          for (let c = 0; c < 3; c++) {
            const o = output.data[q * co + c];
            xto[4 * c] += o * i0; xto[4 * c + 1] += o * i1; xto[4 * c + 2] += o * i2; xto[4 * c + 3] += o;
          }
        }
      }
      xtx[0] += ridge; xtx[5] += ridge; xtx[10] += ridge;
      xtx[4] = xtx[1]; xtx[8] = xtx[2]; xtx[12] = xtx[3]; xtx[9] = xtx[6]; xtx[13] = xtx[7]; xtx[14] = xtx[11];
      if (!invert4(xtx, inv)) continue; // model stays 0, as in the original
      const base = 12 * (y * W + x);
      for (let c = 0; c < 3; c++) {
        for (let j = 0; j < 4; j++) {
          coeffs[base + 4 * c + j] =
            xto[4 * c] * inv[j] + xto[4 * c + 1] * inv[4 + j] + xto[4 * c + 2] * inv[8 + j] + xto[4 * c + 3] * inv[12 + j];
        }
      }
    }
  }
  return coeffs;
}

// exp(−e) for e in [0, EXP_CUTOFF], tabulated for linear interpolation: relative error below
// 5e-8, finer than the float32 exp of the original, and several times faster than Math.exp here.
const EXP_CUTOFF = 40;
const EXP_STEPS = 1 << 16;
const EXP_SCALE = EXP_STEPS / EXP_CUTOFF;
const EXP_TABLE = (() => {
  const t = new Float64Array(EXP_STEPS + 2);
  for (let i = 0; i < t.length; i++) t[i] = Math.exp(-i / EXP_SCALE);
  return t;
})();

/**
 * Step 2: joint bilateral filter of the 12 coefficients, guided by the content photo. Weight
 *   exp(−(dx² + dy²)/(2σ_s²)) · exp(−(‖ΔI‖²/3)/(2σ_r²)),
 * normalised; taps outside the image are skipped. Taps whose weight is below e⁻⁴⁰ (the centre
 * tap has weight 1) are skipped too: even 961 of them change the result by under 1e-14, relative.
 */
export function bilateralSmoothAffine(coeffs: Float64Array, guide: Image, opts: SmoothLocalAffineOptions = {}): Float64Array {
  const R = opts.filterRadius ?? LOCAL_AFFINE_DEFAULTS.filterRadius;
  const sigmaS = opts.spatialSigma ?? R / 3;
  const sigmaR = opts.edgeSigma ?? LOCAL_AFFINE_DEFAULTS.edgeSigma;
  const { width: W, height: H, channels: gc } = guide;
  if (coeffs.length !== W * H * 12) {
    throw new PainterlyError('SIZE_MISMATCH', `Expected ${W * H} affine models for a ${W}×${H} guide, got ${coeffs.length / 12}.`);
  }
  const d = 2 * R + 1;
  const spatialExp = new Float64Array(d * d);
  for (let dy = -R; dy <= R; dy++) {
    for (let dx = -R; dx <= R; dx++) spatialExp[(dy + R) * d + dx + R] = (dx * dx + dy * dy) / (2 * sigmaS * sigmaS);
  }
  const rangeScale = EXP_SCALE / (3 * 2 * sigmaR * sigmaR); // straight to table units
  const g = new Float64Array(3 * W * H);
  for (let i = 0; i < W * H; i++) {
    g[3 * i] = guide.data[i * gc];
    g[3 * i + 1] = guide.data[i * gc + 1];
    g[3 * i + 2] = guide.data[i * gc + 2];
  }
  for (let i = 0; i < spatialExp.length; i++) spatialExp[i] *= EXP_SCALE;
  const out = new Float64Array(coeffs.length);
  for (let y = 0; y < H; y++) {
    throwIfCancelled(opts.signal);
    const y0 = Math.max(0, y - R), y1 = Math.min(H - 1, y + R);
    for (let x = 0; x < W; x++) {
      const x0 = Math.max(0, x - R), x1 = Math.min(W - 1, x + R);
      const p = y * W + x;
      const r0 = g[3 * p], r1 = g[3 * p + 1], r2 = g[3 * p + 2];
      let a0 = 0, a1 = 0, a2 = 0, a3 = 0, a4 = 0, a5 = 0, a6 = 0, a7 = 0, a8 = 0, a9 = 0, a10 = 0, a11 = 0;
      let wsum = 0;
      for (let yy = y0; yy <= y1; yy++) {
        const srow = (yy - y + R) * d + R - x;
        for (let xx = x0; xx <= x1; xx++) {
          const q = yy * W + xx;
          const e0 = g[3 * q] - r0, e1 = g[3 * q + 1] - r1, e2 = g[3 * q + 2] - r2;
          const t = spatialExp[srow + xx] + (e0 * e0 + e1 * e1 + e2 * e2) * rangeScale;
          if (t >= EXP_STEPS) continue;
          const ti = t | 0;
          const f = t - ti;
          const wgt = EXP_TABLE[ti] + f * (EXP_TABLE[ti + 1] - EXP_TABLE[ti]);
          wsum += wgt;
          const b = 12 * q;
          a0 += wgt * coeffs[b]; a1 += wgt * coeffs[b + 1]; a2 += wgt * coeffs[b + 2]; a3 += wgt * coeffs[b + 3];
          a4 += wgt * coeffs[b + 4]; a5 += wgt * coeffs[b + 5]; a6 += wgt * coeffs[b + 6]; a7 += wgt * coeffs[b + 7];
          a8 += wgt * coeffs[b + 8]; a9 += wgt * coeffs[b + 9]; a10 += wgt * coeffs[b + 10]; a11 += wgt * coeffs[b + 11];
        }
      }
      const o = 12 * p;
      const k = 1 / wsum;
      out[o] = a0 * k; out[o + 1] = a1 * k; out[o + 2] = a2 * k; out[o + 3] = a3 * k;
      out[o + 4] = a4 * k; out[o + 5] = a5 * k; out[o + 6] = a6 * k; out[o + 7] = a7 * k;
      out[o + 8] = a8 * k; out[o + 9] = a9 * k; out[o + 10] = a10 * k; out[o + 11] = a11 * k;
    }
  }
  return out;
}

/** Step 3: out_p = Ā_p·[I_p; 1], optionally clamped to [0, 1]. */
export function applyLocalAffine(coeffs: Float64Array, content: Image, clamp = true): Image {
  const { width: W, height: H, channels: ci } = content;
  const out = createImage(W, H, 3);
  for (let p = 0; p < W * H; p++) {
    const i0 = content.data[p * ci], i1 = content.data[p * ci + 1], i2 = content.data[p * ci + 2];
    for (let c = 0; c < 3; c++) {
      const b = 12 * p + 4 * c;
      const v = coeffs[b] * i0 + coeffs[b + 1] * i1 + coeffs[b + 2] * i2 + coeffs[b + 3];
      out.data[3 * p + c] = clamp ? Math.min(1, Math.max(0, v)) : v;
    }
  }
  return out;
}

/** The whole post-process: fit, smooth, reconstruct. `output` is the stylised image, `content` the photo. */
export function smoothLocalAffine(output: Image, content: Image, opts: SmoothLocalAffineOptions = {}): Image {
  const coeffs = fitLocalAffine(output, content, opts);
  const smoothed = bilateralSmoothAffine(coeffs, content, opts);
  return applyLocalAffine(smoothed, content, opts.clamp ?? true);
}
