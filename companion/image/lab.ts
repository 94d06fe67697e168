// sRGB (IEC 61966-2-1 gamma, D65 white, 2° observer) ↔ CIELAB. Lab images reuse the `Image`
// type with 3 channels holding L in [0, 100] and a, b in about [−128, 127] (not [0, 1]).
import { PainterlyError } from '../../shared/errors.js';
import type { Image } from './image.js';

// Linear sRGB → XYZ (D65). The white point is taken as the matrix's row sums, so RGB white maps
// to exactly L = 100, a = b = 0.
const M = [0.4124564, 0.3575761, 0.1804375, 0.2126729, 0.7151522, 0.072175, 0.0193339, 0.119192, 0.9503041];
const WHITE = [M[0] + M[1] + M[2], M[3] + M[4] + M[5], M[6] + M[7] + M[8]];
const MINV = invert3(M);

const EPS = 216 / 24389; // (6/29)³
const KAPPA = 24389 / 27; // (29/3)³

function toLinear(c: number): number {
  return c <= 0.04045 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
}

function fromLinear(c: number): number {
  return c <= 0.0031308 ? 12.92 * c : 1.055 * Math.pow(c, 1 / 2.4) - 0.055;
}

function f(t: number): number {
  return t > EPS ? Math.cbrt(t) : (KAPPA * t + 16) / 116;
}

function fInv(t: number): number {
  const t3 = t * t * t;
  return t3 > EPS ? t3 : (116 * t - 16) / KAPPA;
}

/** RGB in [0, 1] → Lab. Values outside [0, 1] are converted as they are (no clamping). */
export function rgbToLab(img: Image): Image {
  checkThree(img, 'rgbToLab');
  const n = img.width * img.height;
  const src = img.data;
  const out = new Float32Array(n * 3);
  for (let i = 0; i < n; i++) {
    const r = toLinear(src[3 * i]);
    const g = toLinear(src[3 * i + 1]);
    const b = toLinear(src[3 * i + 2]);
    const fx = f((M[0] * r + M[1] * g + M[2] * b) / WHITE[0]);
    const fy = f((M[3] * r + M[4] * g + M[5] * b) / WHITE[1]);
    const fz = f((M[6] * r + M[7] * g + M[8] * b) / WHITE[2]);
    out[3 * i] = 116 * fy - 16;
    out[3 * i + 1] = 500 * (fx - fy);
    out[3 * i + 2] = 200 * (fy - fz);
  }
  return { width: img.width, height: img.height, channels: 3, data: out };
}

export interface LabToRgbOptions {
  /**
   * 'keep' (default): out-of-gamut colours come back outside [0, 1]; clamp where an image is
   * needed. 'desaturate': as the original's colorspace.m (Getreuer), a colour with a negative
   * linear channel gets white added — the same amount to all three linear channels, so that
   * the smallest becomes 0 — before the gamma; values above 1 are left to the caller's clip.
   */
  gamut?: 'keep' | 'desaturate';
}

/** Lab → RGB (see LabToRgbOptions for colours outside the sRGB gamut). */
export function labToRgb(img: Image, opts: LabToRgbOptions = {}): Image {
  checkThree(img, 'labToRgb');
  const desaturate = opts.gamut === 'desaturate';
  const n = img.width * img.height;
  const src = img.data;
  const out = new Float32Array(n * 3);
  for (let i = 0; i < n; i++) {
    const fy = (src[3 * i] + 16) / 116;
    const x = fInv(fy + src[3 * i + 1] / 500) * WHITE[0];
    const y = fInv(fy) * WHITE[1];
    const z = fInv(fy - src[3 * i + 2] / 200) * WHITE[2];
    let r = MINV[0] * x + MINV[1] * y + MINV[2] * z;
    let g = MINV[3] * x + MINV[4] * y + MINV[5] * z;
    let b = MINV[6] * x + MINV[7] * y + MINV[8] * z;
    if (desaturate) {
      const white = Math.max(0, -Math.min(r, g, b));
      r += white;
      g += white;
      b += white;
    }
    out[3 * i] = fromLinear(r);
    out[3 * i + 1] = fromLinear(g);
    out[3 * i + 2] = fromLinear(b);
  }
  return { width: img.width, height: img.height, channels: 3, data: out };
}

function checkThree(img: Image, name: string): void {
  if (img.channels !== 3) throw new PainterlyError('BAD_ARGUMENT', `${name} expects 3 channels, got ${img.channels}.`);
}

function invert3(m: number[]): number[] {
  const [a, b, c, d, e, f2, g, h, i] = m;
  const A = e * i - f2 * h;
  const B = -(d * i - f2 * g);
  const C = d * h - e * g;
  const det = a * A + b * B + c * C;
  return [
    A / det, -(b * i - c * h) / det, (b * f2 - c * e) / det,
    B / det, (a * i - c * g) / det, -(a * f2 - c * d) / det,
    C / det, -(a * h - b * g) / det, (a * e - b * d) / det,
  ];
}
