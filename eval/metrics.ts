// Quality metrics for comparing our results with the published ones: colour (CIE76 ΔE in Lab)
// inside the mask, and structure (SSIM of the Lab lightness) over the mask's bounding box.
import { PainterlyError } from '../shared/errors.js';
import { gaussianKernel } from '../companion/image/gaussian.js';
import type { Image } from '../companion/image/image.js';
import type { Region } from '../companion/image/planar.js';
import { rgbToLab } from '../companion/image/lab.js';

/**
 * Mean CIE76 colour difference √(ΔL² + Δa² + Δb²) between two RGB images over the pixels where
 * the mask's first channel is > 0.5. NaN when the mask selects nothing.
 */
export function meanDeltaE76(a: Image, b: Image, mask: Image): number {
  checkPair(a, b);
  checkSize(a, mask, 'mask');
  const la = rgbToLab(a).data;
  const lb = rgbToLab(b).data;
  let sum = 0;
  let count = 0;
  for (let i = 0, n = a.width * a.height; i < n; i++) {
    if (!(mask.data[i * mask.channels] > 0.5)) continue;
    const dl = la[3 * i] - lb[3 * i];
    const da = la[3 * i + 1] - lb[3 * i + 1];
    const db = la[3 * i + 2] - lb[3 * i + 2];
    sum += Math.sqrt(dl * dl + da * da + db * db);
    count++;
  }
  return count > 0 ? sum / count : NaN;
}

const SSIM_SIZE = 11;
const SSIM_SIGMA = 1.5;
const L_RANGE = 100;
const C1 = (0.01 * L_RANGE) ** 2;
const C2 = (0.03 * L_RANGE) ** 2;

/**
 * SSIM (Wang et al. 2004) of the Lab L channels of two RGB images, with an 11×11 Gaussian window
 * (σ = 1.5), K1 = 0.01, K2 = 0.03 and dynamic range 100, averaged over the pixels of `box`
 * (default: the whole image). Windows near the image border are cut off and renormalised, so
 * every pixel of the box has a value. 1 means identical.
 */
export function ssimL(a: Image, b: Image, box?: Region): number {
  checkPair(a, b);
  const { width: w, height: h } = a;
  const bx = box ?? { x0: 0, y0: 0, width: w, height: h };
  if (!(bx.width > 0 && bx.height > 0 && bx.x0 >= 0 && bx.y0 >= 0 && bx.x0 + bx.width <= w && bx.y0 + bx.height <= h)) {
    throw new PainterlyError('BAD_ARGUMENT', `The box ${JSON.stringify(bx)} does not lie inside the ${w}×${h} image.`);
  }
  // Work on the box plus the window radius (clipped to the image): enough for every box pixel.
  const r = (SSIM_SIZE - 1) / 2;
  const cx0 = Math.max(0, bx.x0 - r);
  const cy0 = Math.max(0, bx.y0 - r);
  const cw = Math.min(w, bx.x0 + bx.width + r) - cx0;
  const ch = Math.min(h, bx.y0 + bx.height + r) - cy0;
  const la = lightness(a, cx0, cy0, cw, ch);
  const lb = lightness(b, cx0, cy0, cw, ch);
  const n = cw * ch;
  const prod = new Float64Array(n);
  const k = gaussianKernel(SSIM_SIZE, SSIM_SIGMA);
  const blur = (src: Float64Array): Float64Array => windowMean(src, cw, ch, k);
  const muA = blur(la);
  const muB = blur(lb);
  for (let i = 0; i < n; i++) prod[i] = la[i] * la[i];
  const eAA = blur(prod);
  for (let i = 0; i < n; i++) prod[i] = lb[i] * lb[i];
  const eBB = blur(prod);
  for (let i = 0; i < n; i++) prod[i] = la[i] * lb[i];
  const eAB = blur(prod);
  let sum = 0;
  for (let y = bx.y0 - cy0; y < bx.y0 - cy0 + bx.height; y++) {
    for (let x = bx.x0 - cx0; x < bx.x0 - cx0 + bx.width; x++) {
      const i = y * cw + x;
      const ma = muA[i];
      const mb = muB[i];
      const va = eAA[i] - ma * ma;
      const vb = eBB[i] - mb * mb;
      const cov = eAB[i] - ma * mb;
      sum += ((2 * ma * mb + C1) * (2 * cov + C2)) / ((ma * ma + mb * mb + C1) * (va + vb + C2));
    }
  }
  return sum / (bx.width * bx.height);
}

function lightness(img: Image, x0: number, y0: number, w: number, h: number): Float64Array {
  const crop: Image = { width: w, height: h, channels: 3, data: new Float32Array(w * h * 3) };
  for (let y = 0; y < h; y++) {
    const s = ((y0 + y) * img.width + x0) * 3;
    crop.data.set(img.data.subarray(s, s + w * 3), y * w * 3);
  }
  const lab = rgbToLab(crop).data;
  const out = new Float64Array(w * h);
  for (let i = 0; i < out.length; i++) out[i] = lab[3 * i];
  return out;
}

/** Separable weighted window mean; taps outside the array are dropped and the rest renormalised. */
function windowMean(src: Float64Array, w: number, h: number, k: Float64Array): Float64Array {
  const r = (k.length - 1) / 2;
  const tmp = new Float64Array(w * h);
  const out = new Float64Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let acc = 0;
      let wsum = 0;
      for (let t = Math.max(-r, -x); t <= Math.min(r, w - 1 - x); t++) {
        acc += k[t + r] * src[y * w + x + t];
        wsum += k[t + r];
      }
      tmp[y * w + x] = acc / wsum;
    }
  }
  for (let y = 0; y < h; y++) {
    const t0 = Math.max(-r, -y);
    const t1 = Math.min(r, h - 1 - y);
    for (let x = 0; x < w; x++) {
      let acc = 0;
      let wsum = 0;
      for (let t = t0; t <= t1; t++) {
        acc += k[t + r] * tmp[(y + t) * w + x];
        wsum += k[t + r];
      }
      out[y * w + x] = acc / wsum;
    }
  }
  return out;
}

function checkPair(a: Image, b: Image): void {
  if (a.channels !== 3 || b.channels !== 3) {
    throw new PainterlyError('BAD_ARGUMENT', `Metrics compare RGB images; got ${a.channels} and ${b.channels} channels.`);
  }
  checkSize(a, b, 'second image');
}

function checkSize(a: Image, b: Image, name: string): void {
  if (a.width !== b.width || a.height !== b.height) {
    throw new PainterlyError('SIZE_MISMATCH', `The ${name} is ${b.width}×${b.height} but the first image is ${a.width}×${a.height}.`);
  }
}
