// Resizing with the semantics of Torch7's `image.scale`, which the original DPH code relies on
// (spec §1.1). Its 'bilinear' mode is not plain bilinear: per axis it averages exact areas when
// shrinking and interpolates with aligned corners when enlarging. 'simple' is nearest neighbour.
import { PainterlyError } from '../../shared/errors.js';
import type { Image } from './image.js';

export type ResizeMode = 'bilinear' | 'simple';

/**
 * Torch's size rule for `image.scale(img, longSide)`: each side becomes
 * floor(side · longSide / max(w, h)), so the longer side is exactly `longSide`.
 * It enlarges too, as Torch does; callers that never enlarge cap `longSide` themselves.
 */
export function workingSize(width: number, height: number, longSide: number): { width: number; height: number } {
  if (!(width >= 1 && height >= 1 && longSide >= 1)) {
    throw new PainterlyError('BAD_ARGUMENT', `Cannot size ${width}×${height} to a long side of ${longSide}.`);
  }
  const m = Math.max(width, height);
  return {
    width: Math.max(1, Math.floor((width * longSide) / m)),
    height: Math.max(1, Math.floor((height * longSide) / m)),
  };
}

/** Resizes an image with any number of channels; returns a new image (a copy when the size is unchanged). */
export function resize(img: Image, width: number, height: number, mode: ResizeMode = 'bilinear'): Image {
  if (!(Number.isInteger(width) && Number.isInteger(height) && width >= 1 && height >= 1)) {
    throw new PainterlyError('BAD_ARGUMENT', `Expected a positive integer size, got ${width}×${height}.`);
  }
  const c = img.channels;
  if (mode === 'simple') return resizeNearest(img, width, height);
  // Separable: width first (as Torch does), then height.
  const tmp = new Float32Array(img.height * width * c);
  const wx = axisWeights(img.width, width);
  for (let y = 0; y < img.height; y++) {
    applyAxis(img.data, y * img.width * c, c, tmp, y * width * c, c, c, wx);
  }
  const out = new Float32Array(width * height * c);
  const wy = axisWeights(img.height, height);
  const rowIn = width * c;
  for (let x = 0; x < width; x++) {
    applyAxis(tmp, x * c, rowIn, out, x * c, rowIn, c, wy);
  }
  return { width, height, channels: c, data: out };
}

function resizeNearest(img: Image, width: number, height: number): Image {
  const c = img.channels;
  const out = new Float32Array(width * height * c);
  const sx = new Int32Array(width);
  // floor(i·src/dst) in exact integer arithmetic.
  for (let x = 0; x < width; x++) sx[x] = Math.floor((x * img.width) / width);
  for (let y = 0; y < height; y++) {
    const srcRow = Math.floor((y * img.height) / height) * img.width;
    for (let x = 0; x < width; x++) {
      const s = (srcRow + sx[x]) * c;
      const d = (y * width + x) * c;
      for (let k = 0; k < c; k++) out[d + k] = img.data[s + k];
    }
  }
  return { width, height, channels: c, data: out };
}

/**
 * For one axis: destination i reads `count[i]` source taps starting at `first[i]`, with the
 * weights in `weight` (already divided by their sum). Computed once per axis, used per row.
 */
interface AxisWeights {
  first: Int32Array;
  count: Int32Array;
  offset: Int32Array; // start of dest i's weights in `weight`
  weight: Float64Array;
}

function axisWeights(src: number, dst: number): AxisWeights {
  const first = new Int32Array(dst);
  const count = new Int32Array(dst);
  const offset = new Int32Array(dst);
  const taps: number[] = [];
  const pushTap = (i: number, s: number, w: number): void => {
    if (count[i] === 0) first[i] = s;
    count[i]++;
    taps.push(w);
  };
  for (let i = 0; i < dst; i++) {
    offset[i] = taps.length;
    if (dst === src) {
      pushTap(i, i, 1);
    } else if (dst > src) {
      // Enlarging: linear interpolation with aligned corners, position i·(src−1)/(dst−1).
      const pos = dst === 1 ? 0 : (i * (src - 1)) / (dst - 1);
      const s0 = Math.min(Math.floor(pos), src - 1);
      const f = pos - s0;
      pushTap(i, s0, 1 - f);
      if (s0 + 1 < src) pushTap(i, s0 + 1, f);
    } else {
      // Shrinking: average over the source interval [i·s, (i+1)·s), s = src/dst, with fractional
      // weights for the partly covered end pixels (exact box filter).
      const a = (i * src) / dst;
      const b = ((i + 1) * src) / dst;
      const s0 = Math.floor(a);
      for (let s = s0; s < b && s < src; s++) {
        const w = Math.min(b, s + 1) - Math.max(a, s);
        if (w > 1e-12) pushTap(i, s, w);
      }
      const total = src / dst;
      for (let t = offset[i]; t < taps.length; t++) taps[t] /= total;
    }
  }
  return { first, count, offset, weight: Float64Array.from(taps) };
}

function applyAxis(
  src: Float32Array,
  srcStart: number,
  srcStride: number,
  dst: Float32Array,
  dstStart: number,
  dstStride: number,
  channels: number,
  w: AxisWeights,
): void {
  const n = w.first.length;
  for (let i = 0; i < n; i++) {
    const base = srcStart + w.first[i] * srcStride;
    const o = w.offset[i];
    const cnt = w.count[i];
    const d = dstStart + i * dstStride;
    for (let k = 0; k < channels; k++) {
      let acc = 0;
      for (let t = 0; t < cnt; t++) acc += w.weight[o + t] * src[base + t * srcStride + k];
      dst[d + k] = acc;
    }
  }
}
