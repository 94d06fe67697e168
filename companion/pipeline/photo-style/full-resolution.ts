// Bringing a working-size result back to the content photo's own resolution without losing the
// photo's detail. The optimisation runs at ≤ 700 px; simply enlarging its output would blur a
// large photo. Instead the change is carried over to the full-size photo:
//  - after smooth local affine, the smoothed per-pixel affine models are interpolated and
//    applied to the full-size photo (edges and texture come from the photo itself);
//  - otherwise the colour change (result − photo, both at working size) is interpolated and
//    added to the full-size photo.
// Fields are interpolated bilinearly with pixel centres aligned, row by row, so nothing of the
// full size is held but the output.
import { createImage, type Image } from '../../image/image.js';

/** Per output coordinate along one axis: the two source samples and the weight of the second. */
function axis(src: number, dst: number): { i0: Int32Array; i1: Int32Array; f: Float64Array } {
  const i0 = new Int32Array(dst);
  const i1 = new Int32Array(dst);
  const f = new Float64Array(dst);
  for (let d = 0; d < dst; d++) {
    const pos = Math.min(src - 1, Math.max(0, ((d + 0.5) * src) / dst - 0.5));
    const a = Math.floor(pos);
    i0[d] = a;
    i1[d] = Math.min(src - 1, a + 1);
    f[d] = pos - a;
  }
  return { i0, i1, f };
}

/**
 * For every pixel of the full-size `content`, interpolates the `ch`-valued field (w×h,
 * interleaved) at that pixel and lets `write` combine it with the content pixel.
 */
function overField(
  field: Float64Array | Float32Array, ch: number, w: number, h: number, content: Image,
  write: (value: Float64Array, c0: number, c1: number, c2: number, out: Float32Array, at: number) => void,
): Image {
  const { width: W, height: H, channels: cc } = content;
  const out = createImage(W, H, 3);
  const ax = axis(w, W);
  const ay = axis(h, H);
  const v = new Float64Array(ch);
  for (let y = 0; y < H; y++) {
    const r0 = ay.i0[y] * w;
    const r1 = ay.i1[y] * w;
    const fy = ay.f[y];
    for (let x = 0; x < W; x++) {
      const fx = ax.f[x];
      const a = (r0 + ax.i0[x]) * ch, b = (r0 + ax.i1[x]) * ch, c = (r1 + ax.i0[x]) * ch, d = (r1 + ax.i1[x]) * ch;
      const wa = (1 - fx) * (1 - fy), wb = fx * (1 - fy), wc = (1 - fx) * fy, wd = fx * fy;
      for (let k = 0; k < ch; k++) v[k] = wa * field[a + k] + wb * field[b + k] + wc * field[c + k] + wd * field[d + k];
      const p = y * W + x;
      write(v, content.data[p * cc], content.data[p * cc + 1], content.data[p * cc + 2], out.data, 3 * p);
    }
  }
  return out;
}

const clamp01 = (v: number): number => (v < 0 ? 0 : v > 1 ? 1 : v);

/** Applies per-pixel affine models (12 per pixel, 3×4 row-major, on a w×h grid) to the full-size content. */
export function applyAffineAtFullSize(coefficients: Float64Array, w: number, h: number, content: Image): Image {
  return overField(coefficients, 12, w, h, content, (A, r, g, b, out, at) => {
    out[at] = clamp01(A[0] * r + A[1] * g + A[2] * b + A[3]);
    out[at + 1] = clamp01(A[4] * r + A[5] * g + A[6] * b + A[7]);
    out[at + 2] = clamp01(A[8] * r + A[9] * g + A[10] * b + A[11]);
  });
}

/** Full-size content plus the interpolated change (result − content at working size, both RGB). */
export function addChangeAtFullSize(result: Image, workingContent: Image, content: Image): Image {
  const { width: w, height: h } = result;
  const diff = new Float32Array(w * h * 3);
  for (let p = 0; p < w * h; p++) {
    for (let c = 0; c < 3; c++) diff[3 * p + c] = result.data[3 * p + c] - workingContent.data[p * workingContent.channels + c];
  }
  return overField(diff, 3, w, h, content, (d, r, g, b, out, at) => {
    out[at] = clamp01(r + d[0]);
    out[at + 1] = clamp01(g + d[1]);
    out[at + 2] = clamp01(b + d[2]);
  });
}

/**
 * The final image at the content's size: the working-size result itself when the sizes agree,
 * else the affine models (when given) or the colour change carried to the full-size photo.
 */
export function toContentResolution(result: Image, coefficients: Float64Array | undefined, workingContent: Image, content: Image): Image {
  if (result.width === content.width && result.height === content.height) return result;
  if (coefficients) return applyAffineAtFullSize(coefficients, result.width, result.height, content);
  return addChangeAtFullSize(result, workingContent, content);
}
