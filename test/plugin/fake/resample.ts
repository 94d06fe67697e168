// `targetSize` in the Imaging API: which pyramid level Photoshop would read, and the scaled image
// data. Photoshop keeps cached copies of the canvas at half, quarter, … size (level 1, 2, …) and
// may read one of those when asked for a smaller image; the returned sourceBounds are then in
// that level's coordinates. Its own resampling is not documented: the fake's stand-in is an exact
// area average (box filter) of the full-resolution region, colour weighted by alpha so that
// transparent pixels do not darken an edge.
import type { PsBounds } from '../../../plugin/photoshop/uxp-types.js';
import { atLevel, nativeArray, rectHeight, rectWidth, type NativeData } from './constants.js';
import { copyRow, type Raster } from './raster.js';
import type { Slicer } from './slicer.js';

export interface TargetSize {
  width?: number;
  height?: number;
}

/** The deepest pyramid level the fake reads. */
export const MAX_LEVEL = 4;

/** The image size asked for: both sides as given, or one side and the other in proportion (rounded, at least 1). */
export function targetDimensions(target: TargetSize, region: PsBounds): { width: number; height: number } {
  const check = (v: number | undefined, name: string) => {
    if (v !== undefined && (!Number.isInteger(v) || v < 1)) throw new Error(`targetSize.${name} must be a positive whole number, not ${v}.`);
  };
  check(target.width, 'width');
  check(target.height, 'height');
  const w = rectWidth(region);
  const h = rectHeight(region);
  if (target.width !== undefined && target.height !== undefined) return { width: target.width, height: target.height };
  if (target.width !== undefined) return { width: target.width, height: Math.max(1, Math.round((target.width * h) / w)) };
  if (target.height !== undefined) return { width: Math.max(1, Math.round((target.height * w) / h)), height: target.height };
  throw new Error('targetSize needs a width or a height.');
}

/**
 * The level a cache would read: the largest L ≤ MAX_LEVEL at which the region (rounded outward)
 * is still at least the target size on both axes; 0 when the target is larger than the region.
 */
export function chooseLevel(region: PsBounds, width: number, height: number): number {
  let level = 0;
  for (let l = 1; l <= MAX_LEVEL; l++) {
    const r = atLevel(region, l);
    if (rectWidth(r) >= width && rectHeight(r) >= height) level = l;
  }
  return level;
}

/**
 * The overlaps of n source pixels with N target pixels along one axis, sorted by source: target
 * pixel d covers [d·n/N, (d+1)·n/N) of the source; weights sum to 1 for each target pixel.
 */
function overlaps(n: number, N: number): { src: Int32Array; dst: Int32Array; w: Float64Array; count: number } {
  const src = new Int32Array(n + N);
  const dst = new Int32Array(n + N);
  const w = new Float64Array(n + N);
  let count = 0;
  for (let s = 0; s < n; s++) {
    // In units of 1/(n·N) of the whole axis, source s is [s·N, (s+1)·N) and target d is [d·n, (d+1)·n).
    const last = Math.floor(((s + 1) * N - 1) / n);
    for (let d = Math.floor((s * N) / n); d <= last; d++) {
      const overlap = Math.min((s + 1) * N, (d + 1) * n) - Math.max(s * N, d * n);
      src[count] = s;
      dst[count] = d;
      w[count++] = overlap / n;
    }
  }
  return { src, dst, w, count };
}

/**
 * `region` of `src` scaled to width × height by an exact area average, in the raster's channels
 * and native range (sliced: one source row at a time).
 */
export async function boxResample(src: Raster, region: PsBounds, width: number, height: number, slicer: Slicer): Promise<NativeData> {
  const c = src.channels;
  const tw = rectWidth(region);
  const xs = overlaps(tw, width);
  const ys = overlaps(rectHeight(region), height);
  const acc = new Float64Array(width * height * c);
  const line = new Float64Array(width * c);
  const row = nativeArray(src.bits, tw * c);
  let yi = 0;
  await slicer.rows(region.top, region.bottom, (y) => {
    row.fill(0);
    copyRow(src, { left: region.left, top: y, right: region.right, bottom: y + 1 }, c, row, y);
    line.fill(0);
    for (let t = 0; t < xs.count; t++) {
      const s = xs.src[t] * c;
      const d = xs.dst[t] * c;
      if (c === 4) {
        const wa = xs.w[t] * row[s + 3]; // colour weighted by alpha
        line[d] += wa * row[s];
        line[d + 1] += wa * row[s + 1];
        line[d + 2] += wa * row[s + 2];
        line[d + 3] += wa;
      } else {
        for (let k = 0; k < c; k++) line[d + k] += xs.w[t] * row[s + k];
      }
    }
    const sy = y - region.top;
    for (; yi < ys.count && ys.src[yi] === sy; yi++) {
      const at = ys.dst[yi] * width * c;
      const wy = ys.w[yi];
      for (let i = 0; i < line.length; i++) acc[at + i] += wy * line[i];
    }
  });
  const out = nativeArray(src.bits, acc.length);
  await slicer.chunks(width * height, 1 << 14, (from, to) => {
    for (let p = from; p < to; p++) {
      const at = p * c;
      if (c !== 4) {
        for (let k = 0; k < c; k++) out[at + k] = Math.round(acc[at + k]);
        continue;
      }
      const a = acc[at + 3];
      if (a > 0) for (let k = 0; k < 3; k++) out[at + k] = Math.round(acc[at + k] / a);
      out[at + 3] = Math.round(a);
    }
  });
  return out;
}
