// The large-canvas measures of issue 12, on the document's own pixels:
// - detail: mean |Laplacian| of the grey image (after a σ = 0.7 Gaussian) inside the object (the
//   mask eroded by 8 px) ÷ the same in a ring of painting 8–40 px outside it; 1 = as much fine
//   detail as the painting around it;
// - seam: mean gradient magnitude (same smoothing) along the mask's boundary (within 2 px of it)
//   ÷ the same in that ring; above 1 the outline stands out more than the brushwork next to it;
// - colour kept: mean ΔE76 inside the mask between the native result shrunk to the paper's scale
//   and the paper-scale result (the refinement must not re-harmonize).
import { gaussianBlur } from '../companion/image/gaussian.js';
import type { Image } from '../companion/image/image.js';
import { meanDeltaE76 } from '../companion/image/metrics.js';
import { resize } from '../companion/image/resize.js';

const SMOOTH_SIGMA = 0.7;
const ERODE = 8;
const RING_OUT = 40;
const BOUNDARY = 2;

/** Grey (Rec. 601 luma) of an RGB image, smoothed with the measures' Gaussian (zero padding: the object sits far from the border). */
function smoothGrey(img: Image): Image {
  const n = img.width * img.height;
  const g = new Float32Array(n);
  for (let i = 0; i < n; i++) g[i] = 0.299 * img.data[3 * i] + 0.587 * img.data[3 * i + 1] + 0.114 * img.data[3 * i + 2];
  return gaussianBlur({ width: img.width, height: img.height, channels: 1, data: g }, 5, SMOOTH_SIGMA);
}

/** |4-neighbour Laplacian| per pixel (0 on the image's border). */
function absLaplacian(g: Image): Float32Array {
  const { width: w, height: h, data } = g;
  const out = new Float32Array(w * h);
  for (let y = 1; y < h - 1; y++) for (let x = 1; x < w - 1; x++) {
    const i = y * w + x;
    out[i] = Math.abs(data[i - 1] + data[i + 1] + data[i - w] + data[i + w] - 4 * data[i]);
  }
  return out;
}

/** Central-difference gradient magnitude per pixel (0 on the image's border). */
function gradientMagnitude(g: Image): Float32Array {
  const { width: w, height: h, data } = g;
  const out = new Float32Array(w * h);
  for (let y = 1; y < h - 1; y++) for (let x = 1; x < w - 1; x++) {
    const i = y * w + x;
    out[i] = Math.hypot((data[i + 1] - data[i - 1]) / 2, (data[i + w] - data[i - w]) / 2);
  }
  return out;
}

function meanWhere(values: Float32Array, dist: Float32Array, test: (d: number) => boolean): number {
  let s = 0;
  let n = 0;
  for (let i = 0; i < values.length; i++) {
    if (test(dist[i])) {
      s += values[i];
      n++;
    }
  }
  return n > 0 ? s / n : NaN;
}

const inRing = (d: number): boolean => d <= -ERODE && d >= -RING_OUT;

/** Detail ratio (see the top of the file); `dist` from `signedDistance(mask)`. */
export function detailRatio(img: Image, dist: Float32Array): number {
  const lap = absLaplacian(smoothGrey(img));
  return meanWhere(lap, dist, (d) => d >= ERODE) / meanWhere(lap, dist, inRing);
}

/** Seam ratio (see the top of the file). */
export function seamRatio(img: Image, dist: Float32Array): number {
  const grad = gradientMagnitude(smoothGrey(img));
  return meanWhere(grad, dist, (d) => Math.abs(d) <= BOUNDARY) / meanWhere(grad, dist, inRing);
}

/** Colour kept: ΔE76 inside the mask between `native` shrunk to `paper`'s size and `paper`. */
export function colourKept(native: Image, paper: Image, mask: Image): number {
  const small = resize(native, paper.width, paper.height);
  return meanDeltaE76(small, paper, resize(mask, paper.width, paper.height));
}
