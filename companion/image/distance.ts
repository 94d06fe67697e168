// Distance to a mask's outline, for measures and weights that depend on how far a pixel lies
// inside or outside the object (the large-canvas measures, native detail's painting ring).
import type { Image } from './image.js';

/** Signed distance to the mask's 0.5 boundary, px: > 0 inside, < 0 outside (two-pass chamfer, 3-4 weights / 3). */
export function signedDistance(mask: Image): Float32Array {
  const { width: w, height: h, channels: c } = mask;
  const inside = (i: number): boolean => mask.data[i * c] > 0.5;
  const toEdge = (want: boolean): Float32Array => {
    // Distance from each pixel to the nearest pixel whose inside-ness is `want`.
    const d = new Float32Array(w * h);
    const INF = 1e9;
    for (let i = 0; i < w * h; i++) d[i] = inside(i) === want ? 0 : INF;
    const relax = (i: number, j: number, cost: number): void => {
      if (d[j] + cost < d[i]) d[i] = d[j] + cost;
    };
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
      const i = y * w + x;
      if (x > 0) relax(i, i - 1, 3);
      if (y > 0) {
        relax(i, i - w, 3);
        if (x > 0) relax(i, i - w - 1, 4);
        if (x < w - 1) relax(i, i - w + 1, 4);
      }
    }
    for (let y = h - 1; y >= 0; y--) for (let x = w - 1; x >= 0; x--) {
      const i = y * w + x;
      if (x < w - 1) relax(i, i + 1, 3);
      if (y < h - 1) {
        relax(i, i + w, 3);
        if (x < w - 1) relax(i, i + w + 1, 4);
        if (x > 0) relax(i, i + w - 1, 4);
      }
    }
    for (let i = 0; i < w * h; i++) d[i] /= 3;
    return d;
  };
  const toOutside = toEdge(false);
  const toInside = toEdge(true);
  const out = new Float32Array(w * h);
  for (let i = 0; i < w * h; i++) out[i] = inside(i) ? toOutside[i] - 0.5 : -(toInside[i] - 0.5);
  return out;
}
