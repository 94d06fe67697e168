// Torch7's image.scale(…, 'bilinear'), the resize every part of the original code uses (images,
// masks after pooling, label images): separable, rows (width) first, then columns; per axis an
// exact area average when shrinking, aligned-corner linear interpolation when growing, a copy
// when unchanged. Sampling positions are computed in float32 as Torch does.

/**
 * Torch `image.scale` 'bilinear' along one axis (src → dst samples, read/written with strides).
 * Shrinking averages exact areas with fractional edge weights; growing interpolates linearly
 * with aligned corners, scale = (src−1)/(dst−1).
 */
function scaleAxis(
  src: ArrayLike<number>,
  srcStart: number,
  srcStride: number,
  srcLen: number,
  dst: Float64Array | Float32Array,
  dstStart: number,
  dstStride: number,
  dstLen: number,
): void {
  // Float32 rounding can push an index one past the end where Torch reads a zero-weighted
  // neighbour; clamp instead of reading outside the row.
  const at = (i: number) => src[srcStart + Math.min(i, srcLen - 1) * srcStride];
  if (dstLen > srcLen) {
    if (srcLen === 1) {
      for (let di = 0; di < dstLen; di++) dst[dstStart + di * dstStride] = at(0);
      return;
    }
    const scale = Math.fround((srcLen - 1) / (dstLen - 1));
    for (let di = 0; di < dstLen - 1; di++) {
      const sf = Math.fround(di * scale);
      const si = Math.floor(sf);
      const frac = Math.fround(sf - si);
      dst[dstStart + di * dstStride] = (1 - frac) * at(si) + frac * at(si + 1);
    }
    dst[dstStart + (dstLen - 1) * dstStride] = at(srcLen - 1);
  } else if (dstLen < srcLen) {
    const scale = Math.fround(srcLen / dstLen);
    let si0 = 0;
    let f0 = 0;
    for (let di = 0; di < dstLen; di++) {
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
      dst[dstStart + di * dstStride] = acc / n;
      si0 = si1;
      f0 = f1;
    }
  } else {
    for (let i = 0; i < dstLen; i++) dst[dstStart + i * dstStride] = at(i);
  }
}

/**
 * Torch7 `image.scale(img, outW, outH, 'bilinear')` on an HWC buffer with c channels: rows
 * (width) first, then columns, each axis independently (area average when shrinking, aligned-
 * corner linear when growing). Used for masks after pooling and for the refinement's colour guide.
 */
export function torchScale(data: Float32Array, w: number, h: number, c: number, outW: number, outH: number): Float32Array {
  const tmp = new Float64Array(h * outW * c);
  for (let ch = 0; ch < c; ch++) {
    for (let y = 0; y < h; y++) scaleAxis(data, y * w * c + ch, c, w, tmp, y * outW * c + ch, c, outW);
  }
  const out = new Float32Array(outH * outW * c);
  for (let ch = 0; ch < c; ch++) {
    for (let x = 0; x < outW; x++) scaleAxis(tmp, x * c + ch, outW * c, h, out, x * c + ch, outW * c, outH);
  }
  return out;
}

