// What the τ estimator looks at (docs/tau.md): two statistics of the painting at a fixed working
// size, each standing for one of the two questions the model asks.
// - smooth share: how much of the painting is blended so smoothly that no brush mark shows
//   (realistic paintings: glazed skin, skies, dark grounds) — realistic or not;
// - stroke coherence: how strongly the colour edges run in one direction locally (long strokes,
//   outlines, swirls) rather than in every direction (dabs, dots) — expressive or impressionist.
// Both are ratios measured after sizing the painting to TAU_LONG_SIDE, so the document's
// resolution does not enter; test/companion/tau/features.test.ts holds slow transcriptions.
import { PainterlyError } from '../../shared/errors.js';
import { greyOf } from '../image/fine-detail.js';
import { gaussianBlur } from '../image/gaussian.js';
import { toRgb, type Image } from '../image/image.js';
import { rgbToLab } from '../image/lab.js';
import { resize, workingSize } from '../image/resize.js';

/** The long side (px) the painting is sized to before it is measured; the model is fitted at it. */
export const TAU_LONG_SIDE = 350;
/** A grey step below this per pixel (grey in [0, 1], central difference) counts as smooth. */
export const SMOOTH_STEP = 0.005;
/** Derivative and integration scales (px at TAU_LONG_SIDE) of the structure tensor. */
export const COHERENCE_SIGMAS = { derivative: 2, integration: 4 } as const;

export interface PaintingFeatures {
  /** Share of the painting whose grey changes by less than SMOOTH_STEP per pixel. */
  smoothShare: number;
  /** Σ(λ1 − λ2) / Σ(λ1 + λ2) of the Lab structure tensor: 0 no direction, 1 one direction everywhere. */
  strokeCoherence: number;
}

/** The painting at the working size the features are defined at (area-averaged when shrinking). */
export function tauWorkingImage(painting: Image): Image {
  if (painting.width < 8 || painting.height < 8) {
    throw new PainterlyError('IMAGE_TOO_SMALL', `A ${painting.width}×${painting.height} painting is too small to read a style strength from (at least 8×8).`);
  }
  const rgb = toRgb(painting);
  const size = workingSize(rgb.width, rgb.height, TAU_LONG_SIDE);
  return resize(rgb, size.width, size.height);
}

export function paintingFeatures(painting: Image): PaintingFeatures {
  const img = tauWorkingImage(painting);
  return { smoothShare: smoothShare(img), strokeCoherence: strokeCoherence(img) };
}

/** Pixels kept `margin` px away from the border, where blurs and differences see replicated edges. */
function interior(w: number, h: number, margin: number): { x0: number; x1: number; y0: number; y1: number } {
  const m = Math.max(1, Math.min(margin, Math.floor((Math.min(w, h) - 1) / 2)));
  return { x0: m, x1: w - m, y0: m, y1: h - m };
}

/** Share of interior pixels whose grey central-difference gradient is below SMOOTH_STEP. */
export function smoothShare(img: Image): number {
  const { width: w, height: h } = img;
  const g = greyOf(img).data;
  const r = interior(w, h, 2);
  let smooth = 0;
  let all = 0;
  for (let y = r.y0; y < r.y1; y++) {
    for (let x = r.x0; x < r.x1; x++) {
      const i = y * w + x;
      const gx = (g[i + 1] - g[i - 1]) / 2;
      const gy = (g[i + w] - g[i - w]) / 2;
      if (Math.hypot(gx, gy) < SMOOTH_STEP) smooth++;
      all++;
    }
  }
  return smooth / all;
}

function blurred(w: number, h: number, data: Float32Array, sigma: number): Float32Array {
  const size = 2 * Math.ceil(3 * sigma) + 1;
  return gaussianBlur({ width: w, height: h, channels: 1, data }, size, sigma, 'replicate').data;
}

/**
 * Coherence of the colour structure tensor (Di Zenzo): each Lab channel (/100) is smoothed at the
 * derivative scale and differentiated; the tensors of the three are summed, smoothed at the
 * integration scale, and the eigenvalue gap over the trace is pooled over the interior.
 */
export function strokeCoherence(img: Image): number {
  const { width: w, height: h } = img;
  const n = w * h;
  const lab = rgbToLab(img).data;
  const jxx = new Float32Array(n);
  const jyy = new Float32Array(n);
  const jxy = new Float32Array(n);
  const channel = new Float32Array(n);
  for (let c = 0; c < 3; c++) {
    for (let i = 0; i < n; i++) channel[i] = lab[3 * i + c] / 100;
    const s = blurred(w, h, channel, COHERENCE_SIGMAS.derivative);
    for (let y = 1; y < h - 1; y++) {
      for (let x = 1; x < w - 1; x++) {
        const i = y * w + x;
        const gx = (s[i + 1] - s[i - 1]) / 2;
        const gy = (s[i + w] - s[i - w]) / 2;
        jxx[i] += gx * gx;
        jyy[i] += gy * gy;
        jxy[i] += gx * gy;
      }
    }
  }
  const a = blurred(w, h, jxx, COHERENCE_SIGMAS.integration);
  const b = blurred(w, h, jyy, COHERENCE_SIGMAS.integration);
  const c = blurred(w, h, jxy, COHERENCE_SIGMAS.integration);
  const r = interior(w, h, Math.ceil(3 * (COHERENCE_SIGMAS.derivative + COHERENCE_SIGMAS.integration)) + 2);
  let gap = 0;
  let trace = 0;
  for (let y = r.y0; y < r.y1; y++) {
    for (let x = r.x0; x < r.x1; x++) {
      const i = y * w + x;
      gap += Math.sqrt((a[i] - b[i]) ** 2 + 4 * c[i] * c[i]);
      trace += a[i] + b[i];
    }
  }
  // A painting of one flat colour has no structure at all: no direction.
  return trace > 0 ? gap / trace : 0;
}
