// The loss heads of photo style transfer on the compute core's step graph (spec §2.3, §3):
// content at the content layer, and at every style layer one masked Gram head per label present
// in both label images, with the style photo's masked Gram as target and Γ·mean(m_j) as weight.
import { PainterlyError } from '../../../shared/errors.js';
import { inferShapes, type BackboneSpec } from '../../compute/backbones/types.js';
import { photoTaps } from '../../compute/backbones/index.js';
import { maskedGram } from '../../compute/graphs/gram.js';
import type { TapSpec } from '../../compute/graphs/step.js';
import type { LossHead } from '../../compute/losses/types.js';
import type { Network } from '../../compute/network.js';
import { computeFeatures } from '../dph/context.js';
import { layerMasks } from '../dph/layer-masks.js';
import { propagateMasks, type LabelMasks, type NetworkLayer } from './labels.js';
import { PHOTO_STYLE_WEIGHTS } from './reference-losses.js';

/**
 * The backbone as the plain conv/pool chain that `propagateMasks` walks, when it is one: 3×3
 * pad-1 stride-1 convolutions and 2×2/2 max pools, each reading the layer before (VGG-19 and its
 * shallow variant). Undefined for anything else (branches, strides, other kernels).
 */
export function vggChain(spec: BackboneSpec): NetworkLayer[] | undefined {
  const chain: NetworkLayer[] = [];
  let prev = 'input';
  for (const l of spec.layers) {
    if (l.op === 'conv' && l.from === prev && l.k === 3 && l.stride === 1 && l.pad === 1) chain.push({ name: l.name, kind: 'conv' });
    else if (l.op === 'maxpool' && l.from === prev && l.k === 2 && l.stride === 2 && l.pad === 0) chain.push({ name: l.name, kind: 'pool' });
    else return undefined;
    prev = l.name;
  }
  return chain;
}

/**
 * Label masks at each layer, for the labels in `used` (index into LABEL_COLOURS → mask on the
 * layer grid). VGG-like backbones follow the original exactly (§2.2: a 3×3 mean at every conv,
 * Torch-bilinear halving at every pool); other backbones use the harmonization's walk through
 * the backbone description (k×k means, area resizes at pools, channel-weighted concats).
 */
export function photoLayerMasks(spec: BackboneSpec, labels: LabelMasks, used: readonly number[], layers: readonly string[]): Map<string, Map<number, Float32Array>> {
  const shapes = inferShapes(spec, labels.height, labels.width);
  const out = new Map<string, Map<number, Float32Array>>(layers.map((l) => [l, new Map()]));
  const chain = vggChain(spec);
  if (chain) {
    for (const [layer, lm] of propagateMasks(labels, layers, { labels: used }, chain)) {
      for (const k of used) out.get(layer)!.set(k, lm.masks[k]);
    }
  } else {
    for (const k of used) {
      const walked = layerMasks(spec, labels.masks[k], labels.height, labels.width, [...layers]);
      for (const layer of layers) out.get(layer)!.set(k, walked.get(layer)!);
    }
  }
  for (const layer of layers) {
    const [, h, w] = shapes.get(layer)!;
    for (const [k, m] of out.get(layer)!) {
      if (m.length !== h * w) throw new PainterlyError('INTERNAL', `The mask of label ${k} at ${layer} has ${m.length} values; the layer grid is ${w}×${h}.`);
    }
  }
  return out;
}

export interface PhotoTargetInputs {
  /** Content and style photos in the backbone's input space (planar), with their sizes. */
  contentX: Float32Array;
  width: number;
  height: number;
  styleX: Float32Array;
  styleWidth: number;
  styleHeight: number;
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
  const shapes = inferShapes(spec, t.height, t.width);
  const contentFeatures = await computeFeatures(net, t.contentX, t.height, t.width, [contentLayer]);
  const styleFeatures = await computeFeatures(net, t.styleX, t.styleHeight, t.styleWidth, styleLayers);
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
      const sf = styleFeatures.get(layer)!;
      for (const k of t.used) {
        const m = contentMasks.get(layer)!.get(k)!;
        let sum = 0;
        for (let i = 0; i < m.length; i++) sum += m[i];
        // Γ · mean(m_j) (§2.3); a label that vanished at this depth contributes nothing.
        const weight = (PHOTO_STYLE_WEIGHTS.style * sum) / (h * w);
        if (!(weight > 0)) continue;
        const target = await maskedGram(sf.data, sf.channels, styleMasks.get(layer)!.get(k)!, net.device);
        heads.push({ kind: 'gram', weight, target, mask: m });
        gramHeads++;
      }
    }
    taps.push({ layer, mask: new Float32Array(h * w).fill(1), heads });
  }
  return { taps, gramHeads };
}
