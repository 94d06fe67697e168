// Mask operations of Deep Painterly Harmonization (spec §1.2), reproducing the original tools:
// MATLAB's `dilate_mask.m`, Torch's `image.gaussian`/`image.convolve`, and Torch's `gt` on a
// float tensor; and the masks both passes read, made once on the full image as the original
// does. The walk through the network's layers is common/layer-masks.ts; resizing (Torch's
// `image.scale`) is image/resize.ts.
import { firstChannel, type Image } from '../../image/image.js';
import { gaussianBlur, torchGaussianBlur } from '../../image/gaussian.js';
import type { Planar } from '../../image/planar.js';
import { resize } from '../../image/resize.js';
import { allTaps } from '../../compute/backbones/index.js';
import { inferShapes, type BackboneSpec } from '../../compute/backbones/types.js';
import { layerMasks } from '../common/layer-masks.js';

/**
 * The dilated ("loose") mask made from the tight one as `dilate_mask.m` does: first channel only,
 * 35×35 Gaussian with true σ = 35/3, zero padding, then 1 where the result is > 0.1 and 0
 * elsewhere. Returns a 1-channel image of the same size. A straight edge grows by 12 px (the
 * truncated kernel's tail mass falls below 0.1 there), not the ~14 px an untruncated σ would give.
 */
export function dilateTightMask(tight: Image): Image {
  const out = gaussianBlur(firstChannel(tight), 35, 35 / 3);
  for (let i = 0; i < out.data.length; i++) out.data[i] = out.data[i] > 0.1 ? 1 : 0;
  return out;
}

/**
 * The blurred tight mask T̃ used for compositing (spec §1.2, §2.4): Torch
 * `image.convolve(T, image.gaussian(7, 3, 1, true), 'same')`, every channel. Torch's relative σ
 * makes this σ = 21 px on a 7×7 support: almost a 7×7 box blur (§9.7). The edge pixel is
 * repeated where Torch pads with zeros: an object cut off by the canvas edge would otherwise be
 * composited with 43 % of the painting on its edge pixels (67 % in a corner), a band that
 * `--detail paper` enlarges and native detail carries up.
 */
export function blurTightMaskTorch(tight: Image): Image {
  return torchGaussianBlur(tight, 7, 3, 'replicate');
}

/**
 * 1 where mask > thr, else 0: Torch's `gt` on a float tensor, which compares against the
 * threshold rounded to float32 (so a stored 0.1 is not above 0.1).
 */
export function binarize(mask: Planar, thr: number): Planar {
  const t = Math.fround(thr);
  const out = new Float32Array(mask.data.length);
  for (let i = 0; i < out.length; i++) out[i] = mask.data[i] > t ? 1 : 0;
  return { ...mask, data: out };
}

/** The masks the losses read, on the full working-size grids (a crop cuts its part: region.ts). */
export interface DphMasks {
  /** M_l of every layer up to the deepest tap ('input' → M₀, the dilated mask). */
  layers: Map<string, Planar>;
  /** T at the reference layer: first channel > 0.1, then Torch 'simple' to the layer's grid (§1.2, §3.2). */
  tightRef: Planar;
}

export function dphMasks(spec: BackboneSpec, dilated: Planar, tight: Planar): DphMasks {
  const layers = layerMasks(spec, dilated, { upTo: allTaps(spec) });
  const [, h, w] = inferShapes(spec, tight.width, tight.height).get(spec.pass2.reference)!;
  return { layers, tightRef: resize(binarize(tight, 0.1), w, h, 'simple') };
}
