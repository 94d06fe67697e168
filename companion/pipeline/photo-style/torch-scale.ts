// Torch7's image.scale(…, 'bilinear'), which the original photo style code uses to fit label
// images to their photos and to halve masks at each max-pool (spec §2.1, §2.2). It is separable
// (rows, then columns) and is not the usual bilinear sampler:
//  - enlarging an axis interpolates linearly with the end pixels aligned (step (n−1)/(m−1));
//  - shrinking an axis averages the source over each output cell (step n/m, partial end pixels);
//  - an unchanged axis is copied.
// Sampling positions are computed in float32 as Torch does, so cells line up with the original.

const f32 = Math.fround;

/** Resamples one row or column: src[srcAt + i·srcStep], i < n → dst[dstAt + j·dstStep], j < m. */
function scaleLine(
  src: Float32Array, srcAt: number, srcStep: number, n: number,
  dst: Float32Array, dstAt: number, dstStep: number, m: number,
): void {
  if (m === n) {
    for (let i = 0; i < m; i++) dst[dstAt + i * dstStep] = src[srcAt + i * srcStep];
  } else if (m > n) {
    if (n === 1) {
      for (let j = 0; j < m; j++) dst[dstAt + j * dstStep] = src[srcAt];
      return;
    }
    const step = f32((n - 1) / (m - 1));
    for (let j = 0; j < m - 1; j++) {
      const pos = f32(j * step);
      const i = Math.floor(pos);
      const t = f32(pos - i);
      dst[dstAt + j * dstStep] = (1 - t) * src[srcAt + i * srcStep] + t * src[srcAt + (i + 1) * srcStep];
    }
    dst[dstAt + (m - 1) * dstStep] = src[srcAt + (n - 1) * srcStep];
  } else {
    const step = f32(n / m);
    let i0 = 0;
    let t0 = 0;
    for (let j = 0; j < m; j++) {
      const end = f32((j + 1) * step);
      const i1 = Math.floor(end);
      const t1 = f32(end - i1);
      // The cell runs from i0 + t0 to i1 + t1: weight 1 − t0 for its first pixel, t1 for its last.
      let acc = (1 - t0) * src[srcAt + i0 * srcStep];
      let wsum = 1 - t0;
      for (let i = i0 + 1; i < i1; i++) {
        acc += src[srcAt + i * srcStep];
        wsum += 1;
      }
      if (i1 < n) {
        acc += t1 * src[srcAt + i1 * srcStep];
        wsum += t1;
      }
      dst[dstAt + j * dstStep] = acc / wsum;
      i0 = i1;
      t0 = t1;
    }
  }
}

/**
 * Scales an interleaved image (`channels` values per pixel) from w×h to dw×dh the way Torch7's
 * image.scale(img, dw, dh, 'bilinear') does.
 */
export function torchScaleBilinear(
  src: Float32Array, w: number, h: number, channels: number, dw: number, dh: number,
): Float32Array {
  const tmp = new Float32Array(h * dw * channels);
  const dst = new Float32Array(dh * dw * channels);
  for (let c = 0; c < channels; c++) {
    for (let y = 0; y < h; y++) scaleLine(src, y * w * channels + c, channels, w, tmp, y * dw * channels + c, channels, dw);
    for (let x = 0; x < dw; x++) scaleLine(tmp, x * channels + c, dw * channels, h, dst, x * channels + c, dw * channels, dh);
  }
  return dst;
}
