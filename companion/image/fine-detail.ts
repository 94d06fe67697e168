// How much fine detail an image holds: |Laplacian| of its grey (Rec. 601 luma) after a σ = 0.7
// Gaussian, the measure issue 12 defines for "as sharp as the painting around it". Native detail
// sets its gain with it at each level; the large-canvas eval reports it at the document's size.
import { gaussianBlur } from './gaussian.js';
import type { Image } from './image.js';

const SMOOTH_SIGMA = 0.7;

/** Grey (Rec. 601 luma) of an RGB image, the first channel of a grey one: a one-channel image. */
export function greyOf(img: Image): Image {
  const n = img.width * img.height;
  const c = img.channels;
  const g = new Float32Array(n);
  if (c >= 3) for (let i = 0; i < n; i++) g[i] = 0.299 * img.data[c * i] + 0.587 * img.data[c * i + 1] + 0.114 * img.data[c * i + 2];
  else for (let i = 0; i < n; i++) g[i] = img.data[c * i];
  return { width: img.width, height: img.height, channels: 1, data: g };
}

/** Grey of the image smoothed with the measure's Gaussian (zero padding). */
export function smoothGrey(img: Image): Image {
  return gaussianBlur(greyOf(img), 5, SMOOTH_SIGMA);
}

/** Signed 4-neighbour Laplacian of a one-channel image (0 on its border). */
export function laplacian(g: Image): Float32Array {
  const { width: w, height: h, data } = g;
  const out = new Float32Array(w * h);
  for (let y = 1; y < h - 1; y++) for (let x = 1; x < w - 1; x++) {
    const i = y * w + x;
    out[i] = data[i - 1] + data[i + 1] + data[i - w] + data[i + w] - 4 * data[i];
  }
  return out;
}

/** The Laplacian of the smoothed grey: linear in the image, so the measure of a + g·b is |La + g·Lb|. */
export function detailField(img: Image): Float32Array {
  return laplacian(smoothGrey(img));
}

/** Mean |value| where `select` is true (NaN where it never is). */
export function meanAbsWhere(values: Float32Array, select: (i: number) => boolean): number {
  let s = 0;
  let n = 0;
  for (let i = 0; i < values.length; i++) {
    if (select(i)) {
      s += Math.abs(values[i]);
      n++;
    }
  }
  return n > 0 ? s / n : NaN;
}
