// Patch voting (the `votemex` step of Barnes et al.'s PatchMatch tools): every pixel of A becomes
// the plain mean of the co-located pixels of all matched patches that cover it. Only centres
// marked active in the NNF vote, so pixels outside the matched region get no votes.
import { PainterlyError } from '../../shared/errors.js';
import type { Image } from './image.js';
import type { Nnf } from './nnf.js';

/**
 * Rebuilds an image of A's size from `src` (B, any channel count) through the NNF. Pixels that
 * no active patch covers take `fallback` (same size as A and channels as `src`), or 0.
 */
export function votePatches(src: Image, nnf: Nnf, fallback?: Image): Image {
  if (fallback && (fallback.width !== nnf.width || fallback.height !== nnf.height || fallback.channels !== src.channels)) {
    throw new PainterlyError('SIZE_MISMATCH', 'The vote fallback must have the NNF size and the source channels.');
  }
  const out = new Float32Array(nnf.width * nnf.height * src.channels);
  voteRows(src.data, src.width, src.channels, nnf, out, 0, nnf.height, fallback?.data);
  return { width: nnf.width, height: nnf.height, channels: src.channels, data: out };
}

/**
 * Voting for output rows [y0, y1) only, written as a gather so that row bands can run on
 * different threads without sharing any output; the summation order is fixed, so the result
 * does not depend on how the rows are split.
 */
export function voteRows(
  src: Float32Array,
  srcWidth: number,
  channels: number,
  nnf: Pick<Nnf, 'width' | 'height' | 'patchSize' | 'x' | 'y' | 'active'>,
  out: Float32Array,
  y0: number,
  y1: number,
  fallback?: Float32Array,
): void {
  const { width: aw, height: ah, x: nx, y: ny, active } = nnf;
  const half = (nnf.patchSize - 1) / 2;
  const acc = new Float64Array(channels);
  for (let y = y0; y < y1; y++) {
    for (let x = 0; x < aw; x++) {
      acc.fill(0);
      let count = 0;
      // Pixel (x, y) is offset (dx, dy) inside the patch centred at (x − dx, y − dy).
      for (let dy = -half; dy <= half; dy++) {
        const cy = y - dy;
        if (cy < 0 || cy >= ah) continue;
        for (let dx = -half; dx <= half; dx++) {
          const cx = x - dx;
          if (cx < 0 || cx >= aw) continue;
          const ci = cy * aw + cx;
          if (active[ci] === 0) continue;
          const s = ((ny[ci] + dy) * srcWidth + nx[ci] + dx) * channels;
          for (let k = 0; k < channels; k++) acc[k] += src[s + k];
          count++;
        }
      }
      const o = (y * aw + x) * channels;
      if (count > 0) {
        for (let k = 0; k < channels; k++) out[o + k] = acc[k] / count;
      } else {
        for (let k = 0; k < channels; k++) out[o + k] = fallback ? fallback[o + k] : 0;
      }
    }
  }
}
