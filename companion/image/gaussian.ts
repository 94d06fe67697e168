// Separable Gaussian blur with zero padding and 'same' output size, as MATLAB's
// imfilter(fspecial('gaussian')) and Torch's image.convolve(…, 'same') both compute it, or with
// the edge replicated. The one blur of the companion: DPH's masks (§1.2), its post-processing
// (§5), native detail and the measures.
import { PainterlyError } from '../../shared/errors.js';
import type { Image } from './image.js';

/**
 * 1-D Gaussian taps for an odd `size`, offsets −(size−1)/2 … (size−1)/2, normalised to sum 1.
 * `sigma` is in pixels (MATLAB fspecial). The normalised 2-D kernel is the outer product of this
 * with itself, because exp(−(x²+y²)/2σ²) factorises and so does its sum.
 */
export function gaussianKernel(size: number, sigma: number): Float64Array {
  if (!(Number.isInteger(size) && size >= 1 && size % 2 === 1)) {
    throw new PainterlyError('BAD_ARGUMENT', `Expected an odd positive Gaussian kernel size, got ${size}.`);
  }
  if (!(sigma > 0)) throw new PainterlyError('BAD_ARGUMENT', `Expected a positive Gaussian sigma, got ${sigma}.`);
  const k = new Float64Array(size);
  const half = (size - 1) / 2;
  let sum = 0;
  for (let i = 0; i < size; i++) {
    const d = i - half;
    k[i] = Math.exp(-(d * d) / (2 * sigma * sigma));
    sum += k[i];
  }
  for (let i = 0; i < size; i++) k[i] /= sum;
  return k;
}

/**
 * Torch7's `image.gaussian(size, relSigma, 1, true)`: its sigma is relative to the kernel size,
 * so the true sigma is relSigma·size. With (7, 3) that is 21 px: a nearly flat, box-like 7×7
 * (spec §1.2 pitfall). Torch centres the kernel on (size/2 + 0.5) in 1-based indexing, which is
 * the same symmetric placement as `gaussianKernel` for odd sizes.
 */
export function torchGaussianKernel(size: number, relSigma: number): Float64Array {
  return gaussianKernel(size, relSigma * size);
}

/**
 * What lies beyond the image's edge: `zero` (MATLAB's and Torch's default, what the original's
 * steps compute) or `replicate` (the edge pixel repeated: content that continues past the canvas,
 * as an object cut off by the document's edge does).
 */
export type Border = 'zero' | 'replicate';

/**
 * Blurs every channel with the separable kernel `k` (odd length) along x then y.
 * The values between the two passes stay in float64, as in MATLAB's double `imfilter`.
 */
function convolveSeparable(img: Image, k: Float64Array, border: Border): Image {
  if (k.length % 2 !== 1) throw new PainterlyError('BAD_ARGUMENT', `Expected an odd kernel length, got ${k.length}.`);
  const { width: w, height: h, channels: c } = img;
  const r = (k.length - 1) / 2;
  // With `replicate`, the taps that fall past an edge all read the edge pixel: their summed weight.
  const before = new Float64Array(k.length + 1);
  for (let i = 0; i < k.length; i++) before[i + 1] = before[i] + k[i];
  const rep = border === 'replicate';
  const tmp = new Float64Array(w * h * c);
  const out = new Float32Array(w * h * c);
  const src = img.data;
  for (let y = 0; y < h; y++) {
    const row = y * w;
    for (let x = 0; x < w; x++) {
      const t0 = Math.max(-r, -x);
      const t1 = Math.min(r, w - 1 - x);
      const lo = before[t0 + r];
      const hi = before[k.length] - before[t1 + r + 1];
      for (let ch = 0; ch < c; ch++) {
        // Zero padding adds nothing (and an edge pixel that is not finite stays in its own neighbourhood).
        let acc = rep ? lo * src[row * c + ch] + hi * src[(row + w - 1) * c + ch] : 0;
        for (let t = t0; t <= t1; t++) acc += k[t + r] * src[(row + x + t) * c + ch];
        tmp[(row + x) * c + ch] = acc;
      }
    }
  }
  for (let y = 0; y < h; y++) {
    const t0 = Math.max(-r, -y);
    const t1 = Math.min(r, h - 1 - y);
    const lo = before[t0 + r];
    const hi = before[k.length] - before[t1 + r + 1];
    for (let x = 0; x < w; x++) {
      for (let ch = 0; ch < c; ch++) {
        let acc = rep ? lo * tmp[x * c + ch] + hi * tmp[((h - 1) * w + x) * c + ch] : 0;
        for (let t = t0; t <= t1; t++) acc += k[t + r] * tmp[((y + t) * w + x) * c + ch];
        out[(y * w + x) * c + ch] = acc;
      }
    }
  }
  return { width: w, height: h, channels: c, data: out };
}

/** Gaussian blur with a true sigma in pixels (MATLAB fspecial + imfilter; zero padding unless told). */
export function gaussianBlur(img: Image, size: number, sigma: number, border: Border = 'zero'): Image {
  return convolveSeparable(img, gaussianKernel(size, sigma), border);
}

/** Gaussian blur with Torch's size-relative sigma (image.gaussian, normalised); zero padding unless told. */
export function torchGaussianBlur(img: Image, size: number, relSigma: number, border: Border = 'zero'): Image {
  return convolveSeparable(img, torchGaussianKernel(size, relSigma), border);
}
