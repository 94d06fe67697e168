// The loss heads of photo style transfer on the compute core's step graph (spec §2.3, §3):
// content at the content layer, and at every style layer one masked Gram head per label present
// in both label images, with the style photo's masked Gram as target and Γ·mean(m_j) as weight.
import { inferShapes, type BackboneSpec } from '../../compute/backbones/types.js';
import { photoTaps } from '../../compute/backbones/index.js';
import { computeFeatures } from '../../compute/graphs/features.js';
import { maskedGram } from '../../compute/graphs/gram.js';
import type { TapSpec } from '../../compute/graphs/step.js';
import type { LossHead } from '../../compute/losses/types.js';
import type { Network } from '../../compute/network.js';
import type { Planar } from '../../image/planar.js';
import { layerMasks } from '../common/layer-masks.js';
import type { LabelMasks } from './labels.js';
import { PHOTO_STYLE_WEIGHTS } from './weights.js';

/**
 * Label masks at each layer, for the labels in `used` (index into LABEL_COLOURS → mask on the
 * layer grid), walked through the backbone (common/layer-masks.ts): a 3×3 mean at every conv and
 * Torch-bilinear halving at every pool on VGG (§2.2), the backbone's own windows elsewhere.
 */
export function photoLayerMasks(spec: BackboneSpec, labels: LabelMasks, used: readonly number[], layers: readonly string[]): Map<string, Map<number, Planar>> {
  const out = new Map<string, Map<number, Planar>>(layers.map((l) => [l, new Map()]));
  for (const k of used) {
    const walked = layerMasks(spec, { data: labels.masks[k], channels: 1, width: labels.width, height: labels.height }, { upTo: layers });
    for (const layer of layers) out.get(layer)!.set(k, walked.get(layer)!);
  }
  return out;
}

export interface PhotoTargetInputs {
  /** Content and style photos in the backbone's input space. */
  contentX: Planar;
  styleX: Planar;
  contentLabels: LabelMasks;
  styleLabels: LabelMasks;
  /** Labels in both images (pairLabels().used). */
  used: readonly number[];
}

export interface PhotoTaps {
  taps: TapSpec[];
  /** Gram heads with a non-zero weight, over all style layers (for tests and logs). */
  gramHeads: number;
}

/** Runs the content and style photos through the backbone once and builds the step graph's taps. */
export async function buildPhotoTaps(net: Network, t: PhotoTargetInputs): Promise<PhotoTaps> {
  const spec = net.spec;
  const { content: contentLayer, style: styleLayers } = spec.photo;
  const layers = photoTaps(spec);
  const shapes = inferShapes(spec, t.contentX.width, t.contentX.height);
  const contentFeatures = await computeFeatures(net, t.contentX, [contentLayer]);
  const styleFeatures = await computeFeatures(net, t.styleX, styleLayers);
  const contentMasks = photoLayerMasks(spec, t.contentLabels, t.used, styleLayers);
  const styleMasks = photoLayerMasks(spec, t.styleLabels, t.used, styleLayers);

  const taps: TapSpec[] = [];
  let gramHeads = 0;
  for (const layer of layers) {
    const [, h, w] = shapes.get(layer)!;
    const heads: LossHead[] = [];
    if (layer === contentLayer) {
      heads.push({ kind: 'content', weight: PHOTO_STYLE_WEIGHTS.content, target: contentFeatures.get(layer)!.data, maskedValue: false });
    }
    if (styleLayers.includes(layer)) {
      for (const k of t.used) {
        const m = contentMasks.get(layer)!.get(k)!.data;
        let sum = 0;
        for (let i = 0; i < m.length; i++) sum += m[i];
        // Γ · mean(m_j) (§2.3); a label that vanished at this depth contributes nothing.
        const weight = (PHOTO_STYLE_WEIGHTS.style * sum) / (h * w);
        if (!(weight > 0)) continue;
        const target = await maskedGram(net, styleFeatures.get(layer)!, styleMasks.get(layer)!.get(k)!.data);
        heads.push({ kind: 'gram', weight, target, mask: m });
        gramHeads++;
      }
    }
    taps.push({ layer, mask: new Float32Array(h * w).fill(1), heads });
  }
  return { taps, gramHeads };
}
