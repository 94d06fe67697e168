// Torch7's image.scale(…, 'bilinear'), the resize every part of the original code uses (images,
// masks after pooling, label images): separable, rows (width) first, then columns; per axis an
// exact area average when shrinking, aligned-corner linear interpolation when growing, a copy
// when unchanged. Sampling positions are computed in float32 as Torch does.
//
// A window variant serves huge canvases that are mostly 0 (a document-sized mask, say): the
// source is given only over a window and is 0 outside it, and only a window of the output is
// computed. Every sample it computes goes through exactly the float operations of the whole
// resize (the 0s outside the source window are read as 0s, and a shrinking sample's start is
// recomputed as the loop would have carried it), so it is bit-identical to cutting the whole
// resize of the zero-padded canvas.
import type { Region } from './planar.js';

/** Output samples [from, to) of a line of `len`, sample i written at base + i·stride. */
interface DestLine {
  dst: Float64Array | Float32Array;
  base: number;
  stride: number;
  len: number;
  from: number;
  to: number;
}

/**
 * Torch `image.scale` 'bilinear' along one axis, from `line` (all `srcLen` samples, 0 outside
 * what was given). Shrinking averages exact areas with fractional edge weights; growing
 * interpolates linearly with aligned corners, scale = (src−1)/(dst−1).
 */
function scaleAxis(line: Float64Array, srcLen: number, d: DestLine): void {
  const { dst, base, stride, len: dstLen } = d;
  // Float32 rounding can push an index one past the end where Torch reads a zero-weighted
  // neighbour; clamp instead of reading outside the row.
  const last = srcLen - 1;
  const at = (i: number): number => line[i < last ? i : last];
  if (dstLen > srcLen) {
    if (srcLen === 1) {
      for (let di = d.from; di < d.to; di++) dst[base + di * stride] = at(0);
      return;
    }
    const scale = Math.fround((srcLen - 1) / (dstLen - 1));
    const end = Math.min(d.to, dstLen - 1);
    for (let di = d.from; di < end; di++) {
      const sf = Math.fround(di * scale);
      const si = Math.floor(sf);
      const frac = Math.fround(sf - si);
      dst[base + di * stride] = (1 - frac) * at(si) + frac * at(si + 1);
    }
    if (d.to === dstLen) dst[base + (dstLen - 1) * stride] = at(srcLen - 1);
  } else if (dstLen < srcLen) {
    const scale = Math.fround(srcLen / dstLen);
    // Where sample `from` starts: what the loop carries there from sample 0 (which starts at 0).
    const s0 = Math.fround(d.from * scale);
    let si0 = Math.floor(s0);
    let f0 = Math.fround(s0 - si0);
    for (let di = d.from; di < d.to; di++) {
      const s1 = Math.fround((di + 1) * scale);
      const si1 = Math.floor(s1);
      const f1 = Math.fround(s1 - si1);
      let acc = (1 - f0) * at(si0);
      let n = 1 - f0;
      for (let si = si0 + 1; si < si1; si++) {
        acc += at(si);
        n += 1;
      }
      if (si1 < srcLen) {
        acc += f1 * at(si1);
        n += f1;
      }
      dst[base + di * stride] = acc / n;
      si0 = si1;
      f0 = f1;
    }
  } else {
    for (let i = d.from; i < d.to; i++) dst[base + i * stride] = at(i);
  }
}

/**
 * The output samples [from, to) of one axis (srcLen → dstLen samples) that read any of the
 * source samples [srcFrom, srcTo), by scaleAxis's own index arithmetic: on a line that is 0
 * outside [srcFrom, srcTo) every other output sample is exactly 0. [0, 0) when none reads them.
 */
export function samplesReading(srcFrom: number, srcTo: number, srcLen: number, dstLen: number): [number, number] {
  const clamp = (i: number): number => (i < srcLen - 1 ? i : srcLen - 1);
  // The source samples output `di` reads span [lo, hi] (clamped as scaleAxis clamps).
  const hits = (lo: number, hi: number): boolean => clamp(hi) >= srcFrom && clamp(lo) < srcTo;
  const reads = (di: number): boolean => {
    if (dstLen === srcLen) return hits(di, di);
    if (dstLen > srcLen) {
      if (srcLen === 1 || di === dstLen - 1) return hits(srcLen - 1, srcLen - 1);
      const si = Math.floor(Math.fround(di * Math.fround((srcLen - 1) / (dstLen - 1))));
      return hits(si, si + 1);
    }
    const scale = Math.fround(srcLen / dstLen);
    return hits(Math.floor(Math.fround(di * scale)), Math.floor(Math.fround((di + 1) * scale)));
  };
  let first = -1;
  let end = 0;
  for (let di = 0; di < dstLen; di++) {
    if (!reads(di)) continue;
    if (first < 0) first = di;
    end = di + 1;
  }
  return first < 0 ? [0, 0] : [first, end];
}

/**
 * Torch7 `image.scale(img, outW, outH, 'bilinear')` on an HWC buffer with c channels: rows
 * (width) first, then columns, each axis independently (area average when shrinking, aligned-
 * corner linear when growing). Used for masks after pooling and for the refinement's colour guide.
 */
export function torchScale(data: Float32Array, w: number, h: number, c: number, outW: number, outH: number): Float32Array {
  return torchScaleWindow(data, { x0: 0, y0: 0, width: w, height: h }, c, w, h, outW, outH, { x0: 0, y0: 0, width: outW, height: outH });
}

/**
 * torchScale of a w×h canvas that holds `data` (HWC, `src`-sized) over the window `src` and 0
 * everywhere else, computed over the output window `out` only (out.width × out.height × c).
 * Bit-identical to cutting `out` from torchScale of the zero-padded canvas; only the source rows
 * in `src` and the output columns in `out` are visited.
 */
export function torchScaleWindow(data: Float32Array, src: Region, c: number, w: number, h: number, outW: number, outH: number, out: Region): Float32Array {
  // One source line at a time, whole (its samples outside the window stay 0).
  const row = new Float64Array(w);
  const tmp = new Float64Array(src.height * out.width * c);
  for (let ch = 0; ch < c; ch++) {
    for (let y = 0; y < src.height; y++) {
      for (let x = 0; x < src.width; x++) row[src.x0 + x] = data[(y * src.width + x) * c + ch];
      scaleAxis(row, w, { dst: tmp, base: (y * out.width - out.x0) * c + ch, stride: c, len: outW, from: out.x0, to: out.x0 + out.width });
    }
  }
  // A row outside the source window is 0 and stays 0 across (0/n, (1−f)·0 + f·0): the columns read it as 0.
  const column = new Float64Array(h);
  const result = new Float32Array(out.height * out.width * c);
  for (let ch = 0; ch < c; ch++) {
    for (let x = 0; x < out.width; x++) {
      for (let y = 0; y < src.height; y++) column[src.y0 + y] = tmp[(y * out.width + x) * c + ch];
      scaleAxis(column, h, { dst: result, base: x * c + ch - out.y0 * out.width * c, stride: out.width * c, len: outH, from: out.y0, to: out.y0 + out.height });
    }
  }
  return result;
}
