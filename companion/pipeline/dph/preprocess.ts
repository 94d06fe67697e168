// Conversions between RGB images in [0,1] (HWC) and the backbone's input space (planar BGR,
// scaled, mean subtracted). The optimisation variable lives in the backbone's space (§1.3).
import type { Image } from '../../image/image.js';
import type { Preprocess } from '../../compute/backbones/types.js';

export function toNetworkSpace(img: Image, p: Preprocess): Float32Array {
  const { width: w, height: h, channels } = img;
  const n = w * h;
  const out = new Float32Array(3 * n);
  for (let i = 0; i < n; i++) {
    // Planes in B, G, R order.
    for (let c = 0; c < 3; c++) out[c * n + i] = img.data[i * channels + (2 - c)] * p.scale - p.meanBGR[c];
  }
  return out;
}

/** The inverse, clamped to [0,1] as the original's deprocess does. */
export function fromNetworkSpace(x: Float32Array, width: number, height: number, p: Preprocess): Image {
  const n = width * height;
  const data = new Float32Array(3 * n);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < 3; c++) {
      const v = (x[c * n + i] + p.meanBGR[c]) / p.scale;
      data[i * 3 + (2 - c)] = v < 0 ? 0 : v > 1 ? 1 : v;
    }
  }
  return { width, height, channels: 3, data };
}

/** Painting RGB on a grid, HWC, for the refinement guide. */
export function maskPlane(img: Image): Float32Array {
  if (img.channels === 1) return img.data;
  const n = img.width * img.height;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = img.data[i * img.channels];
  return out;
}
