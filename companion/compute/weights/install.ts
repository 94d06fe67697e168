// The last step of every install (fetch or import): check converted tensors against the
// backbone descriptions, the model's full layout and its pinned tensor digest, then write them
// into the cache with metadata that says where they came from and how to re-check them.
import { mkdir } from 'node:fs/promises';
import { PainterlyError } from '../../../shared/errors.js';
import { checkWeights, getBackbone } from '../backbones/index.js';
import { modelPath } from './cache.js';
import { VGG19_METADATA } from './keras-vgg19.js';
import { checkLayout, layoutTitle, MODEL_LAYOUTS, type LayoutModel } from './layouts.js';
import { BACKBONES_BY_MODEL, vggLayersIn, type ModelName } from './model-names.js';
import { writeSafetensors, type Tensor } from './safetensors.js';
import { MODEL_CATALOG } from './sources.js';
import { TENSOR_DIGEST_VERSION, tensorDigest } from './tensor-digest.js';

/** Metadata of installed SqueezeNet and GoogLeNet files (VGG's is in keras-vgg19.ts). */
const METADATA: Record<'squeezenet' | 'googlenet', Record<string, string>> = {
  squeezenet: {
    architecture: 'SqueezeNet v1.1 (Caffe deploy graph)',
    license: MODEL_CATALOG.squeezenet.license,
    input: 'BGR, 0..255, minus mean [104, 117, 123] (B, G, R)',
    pooling: 'max, Caffe ceil mode',
    layout: 'conv weights OIHW, float32 little endian',
  },
  googlenet: {
    architecture: 'BVLC GoogLeNet / Inception v1 (Caffe deploy graph)',
    license: MODEL_CATALOG.googlenet.license,
    input: 'BGR, 0..255, minus mean [104, 117, 123] (B, G, R)',
    pooling: 'max, Caffe ceil mode; LRN across channels',
    layout: 'conv weights OIHW, inner product (out, in), float32 little endian',
  },
};

export function baseMetadata(model: ModelName): Record<string, string> {
  return model === 'squeezenet' || model === 'googlenet' ? { ...METADATA[model] } : { ...VGG19_METADATA };
}

function layoutOf(model: ModelName): LayoutModel {
  return model === 'vgg19-partial' ? 'vgg19' : model;
}

export interface CheckedWeights {
  model: ModelName;
  /** The tensors to install: the model's full layout in network order when complete. */
  tensors: Map<string, Tensor>;
  /** Digest of `tensors` (tensor-digest.ts). */
  digest: string;
  /** Whether `digest` is the pinned one of the official weights; undefined where none is pinned. */
  official?: boolean;
  /** For VGG: the conv layers present. */
  layers: string[];
}

/**
 * Checks converted weights: every backbone the model enables must find its layers with the right
 * shapes (the backbone descriptions decide); with `complete`, every tensor of the model's layout
 * must be there too (extra tensors are dropped). The digest is compared with the pinned one.
 */
export function checkWeightsFor(model: ModelName, tensors: Map<string, Tensor>, source: string, complete: boolean): CheckedWeights {
  for (const backbone of BACKBONES_BY_MODEL[model]) checkWeights(getBackbone(backbone), tensors, source);
  const layout = layoutOf(model);
  const hasAll = MODEL_LAYOUTS[layout].every(({ layer }) => tensors.has(`${layer}.weight`) && tensors.has(`${layer}.bias`));
  const kept = complete || (hasAll && model !== 'vgg19-partial') ? checkLayout(layout, tensors, source) : tensors;
  const digest = tensorDigest(kept);
  const pinned = model === 'squeezenet' || model === 'googlenet' ? MODEL_CATALOG[model].tensorsSha256 : undefined;
  const isVgg = model === 'vgg19' || model === 'vgg19-partial';
  return { model, tensors: kept, digest, official: pinned ? digest === pinned : undefined, layers: isVgg ? vggLayersIn(kept.keys()) : [] };
}

/** Fails with CHECKSUM_MISMATCH unless the checked weights are the official ones (where pinned). */
export function requireOfficial(checked: CheckedWeights, source: string): void {
  if (checked.official !== false) return;
  const pinned = (MODEL_CATALOG as Record<string, { tensorsSha256?: string }>)[checked.model]?.tensorsSha256;
  throw new PainterlyError(
    'CHECKSUM_MISMATCH',
    `The weights converted from ${source} are not the official ${layoutTitle(layoutOf(checked.model))} weights ` +
      `(tensor digest ${checked.digest}, expected ${pinned}).`,
  );
}

/** Writes checked weights as `<model>.safetensors` in the cache; returns the file. */
export async function installChecked(checked: CheckedWeights, dir: string, metadata: Record<string, string>): Promise<string> {
  await mkdir(dir, { recursive: true });
  const dest = modelPath(checked.model, dir);
  await writeSafetensors(dest, checked.tensors, {
    ...baseMetadata(checked.model),
    ...metadata,
    ...(checked.layers.length > 0 ? { layers: checked.layers.join(',') } : {}),
    ...(checked.official !== undefined ? { official: String(checked.official) } : {}),
    model: checked.model,
    tensors_digest: TENSOR_DIGEST_VERSION,
    tensors_sha256: checked.digest,
  });
  return dest;
}
