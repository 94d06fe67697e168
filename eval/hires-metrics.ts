// The large-canvas measures of issue 12, on the document's own pixels:
// - detail: mean |Laplacian| of the grey image (after a σ = 0.7 Gaussian) inside the object (the
//   mask eroded by 8 px) ÷ the same in a ring of painting 8–40 px outside it; 1 = as much fine
//   detail as the painting around it;
// - seam: mean gradient magnitude (same smoothing) along the mask's boundary (within 2 px of it)
//   ÷ the same in that ring; above 1 the outline stands out more than the brushwork next to it;
// - colour kept: mean ΔE76 inside the mask between the native result shrunk to the paper's scale
//   and the paper-scale result (the refinement must not re-harmonize).
import { detailField, meanAbsWhere, smoothGrey } from '../companion/image/fine-detail.js';
import type { Image } from '../companion/image/image.js';
import { meanDeltaE76 } from './metrics.js';
import { resize } from '../companion/image/resize.js';
import { planPasses } from '../companion/pipeline/harmonize/schedule.js';

const ERODE = 8;
const RING_OUT = 40;
const BOUNDARY = 2;

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
  return meanAbsWhere(values, (i) => test(dist[i]));
}

const inRing = (d: number): boolean => d <= -ERODE && d >= -RING_OUT;

/** Detail ratio (see the top of the file); `dist` from `signedDistance(mask)`. */
export function detailRatio(img: Image, dist: Float32Array): number {
  const lap = detailField(img);
  return meanWhere(lap, dist, (d) => d >= ERODE) / meanWhere(lap, dist, inRing);
}

/** Seam ratio (see the top of the file). */
export function seamRatio(img: Image, dist: Float32Array): number {
  const grad = gradientMagnitude(smoothGrey(img));
  return meanWhere(grad, dist, (d) => Math.abs(d) <= BOUNDARY) / meanWhere(grad, dist, inRing);
}

/**
 * Where the seam ratio's gradient sits: mean gradient magnitude (as `seamRatio`) at each whole
 * distance d from the mask's boundary, −reach … reach px (> 0 inside), ÷ the same in the ring.
 * A peak inside the mask is the object's own edge; one outside, where the repainted region meets
 * the painting, would be a seam in the compositing.
 */
export function seamProfile(img: Image, dist: Float32Array, reach = 12): { d: number; ratio: number }[] {
  const grad = gradientMagnitude(smoothGrey(img));
  const ring = meanWhere(grad, dist, inRing);
  const sum = new Float64Array(2 * reach + 1);
  const count = new Float64Array(2 * reach + 1);
  for (let i = 0; i < grad.length; i++) {
    const k = Math.round(dist[i]) + reach;
    if (k >= 0 && k <= 2 * reach) {
      sum[k] += grad[i];
      count[k]++;
    }
  }
  return Array.from(sum, (v, k) => ({ d: k - reach, ratio: count[k] ? v / count[k] / ring : NaN }));
}

/** Colour kept: ΔE76 inside the mask between `native` shrunk to `paper`'s size and `paper`. */
export function colourKept(native: Image, paper: Image, mask: Image): number {
  const small = resize(native, paper.width, paper.height);
  return meanDeltaE76(small, paper, resize(mask, paper.width, paper.height));
}

/** Iterations per pass a Full job is expected to run: auto, caps 1000 + 1000, at 700 px (pass 1 at half size). */
export const FULL_EXPECTED = planPasses('auto', 1000, 1000, 700).map((p) => p.expected) as [number, number];

/**
 * Native ÷ paper-scale time carried to a Full job: the measured paper-scale part plus the
 * iterations a Full job is expected to run beyond those measured, at each pass's measured seconds
 * per iteration; the levels' seconds are added unchanged.
 */
export function fullJobRatio(paperPart: number, levels: number, secondsPerIteration: [number, number], iterationsRun: [number, number]): number {
  let fullPaper = paperPart;
  for (const k of [0, 1]) fullPaper += secondsPerIteration[k] * Math.max(0, FULL_EXPECTED[k] - iterationsRun[k]);
  return (fullPaper + levels) / fullPaper;
}
