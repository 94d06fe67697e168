// Images to and from the backbone's input space (its `preprocess`: for Caffe VGG, RGB in [0,1]
// → BGR planes ×256 minus the mean): what every graph and the optimiser work in.
import type { Image } from '../../image/image.js';
import type { Planar } from '../../image/planar.js';
import type { Preprocess } from '../../compute/backbones/types.js';

/** RGB image → 3 planes in B, G, R order, scaled and mean-subtracted. */
export function toNetworkSpace(img: Image, p: Preprocess): Planar {
  const { width, height, channels } = img;
  const n = width * height;
  const out = new Float32Array(3 * n);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < 3; c++) out[c * n + i] = img.data[i * channels + (2 - c)] * p.scale - p.meanBGR[c];
  }
  return { data: out, channels: 3, width, height };
}

/** The inverse, clamped to [0,1] as the original's deprocess does. */
export function fromNetworkSpace(x: Planar, p: Preprocess): Image {
  const { width, height } = x;
  const n = width * height;
  const data = new Float32Array(3 * n);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < 3; c++) {
      const v = (x.data[c * n + i] + p.meanBGR[c]) / p.scale;
      data[i * 3 + (2 - c)] = v < 0 ? 0 : v > 1 ? 1 : v;
    }
  }
  return { width, height, channels: 3, data };
}
