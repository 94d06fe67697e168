// VGG-19 (Simonyan & Zisserman), Caffe weights: 3×3 pad-1 convs each followed by ReLU,
// 2×2/2 max pooling in ceil mode (700 → 350 → 175 → 88 → 44). Only up to relu5_1 is ever needed.
import type { BackboneSpec, LayerSpec } from './types.js';

const BLOCKS = [
  { block: 1, convs: 2, out: 64 },
  { block: 2, convs: 2, out: 128 },
  { block: 3, convs: 4, out: 256 },
  { block: 4, convs: 4, out: 512 },
  { block: 5, convs: 1, out: 512 },
];

function vggLayers(lastBlock: number, lastBlockConvs?: number): LayerSpec[] {
  const layers: LayerSpec[] = [];
  let prev = 'input';
  for (const b of BLOCKS.filter((x) => x.block <= lastBlock)) {
    if (b.block > 1) {
      const pool = `pool${b.block - 1}`;
      layers.push({ op: 'maxpool', name: pool, from: prev, k: 2, stride: 2, pad: 0 });
      prev = pool;
    }
    const n = b.block === lastBlock && lastBlockConvs !== undefined ? lastBlockConvs : b.convs;
    for (let c = 1; c <= n; c++) {
      // The layer is named after its ReLU output, which is what the algorithm taps.
      const name = `relu${b.block}_${c}`;
      layers.push({ op: 'conv', name, from: prev, weight: `conv${b.block}_${c}`, out: b.out, k: 3, stride: 1, pad: 1, relu: true });
      prev = name;
    }
  }
  return layers;
}

const VGG_PREPROCESS = { scale: 256, meanBGR: [103.939, 116.779, 123.68] as [number, number, number] };

/** The paper's network and taps (§2, §3). */
export const vgg19: BackboneSpec = {
  name: 'vgg19',
  weights: 'vgg19',
  preprocess: VGG_PREPROCESS,
  layers: vggLayers(5, 1),
  photo: { content: 'relu4_2', style: ['relu1_1', 'relu2_1', 'relu3_1', 'relu4_1', 'relu5_1'] },
  roles: { relu1_1: 'relu1_1', relu2_1: 'relu2_1', relu3_1: 'relu3_1', relu4_1: 'relu4_1', relu5_1: 'relu5_1' },
  pass1: { style: ['relu3_1', 'relu4_1', 'relu5_1'], content: 'relu4_1' },
  pass2: { style: ['relu1_1', 'relu2_1', 'relu3_1', 'relu4_1'], content: 'relu4_1', histogram: ['relu1_1', 'relu4_1'], reference: 'relu4_1' },
  tvScale: { pass1: 1, pass2: 1 },
  maxStride: 16,
};

/**
 * VGG-19 truncated at relu3_1: relu3_1 takes the roles of relu4_1 (content, mapping
 * reference, second histogram layer); pass 1 uses relu2_1 and relu3_1 as style layers (§11).
 * Needs only conv1_1…conv3_1, so it runs from the full cache or a partial file.
 */
export const vgg19Shallow: BackboneSpec = {
  name: 'vgg19-shallow',
  weights: 'vgg19',
  preprocess: VGG_PREPROCESS,
  layers: vggLayers(3, 1),
  photo: { content: 'relu3_1', style: ['relu1_1', 'relu2_1', 'relu3_1'] },
  roles: { relu1_1: 'relu1_1', relu2_1: 'relu2_1', relu3_1: 'relu3_1', relu4_1: 'relu3_1' },
  pass1: { style: ['relu2_1', 'relu3_1'], content: 'relu3_1' },
  pass2: { style: ['relu1_1', 'relu2_1', 'relu3_1'], content: 'relu3_1', histogram: ['relu1_1', 'relu3_1'], reference: 'relu3_1' },
  tvScale: { pass1: 1, pass2: 1 },
  maxStride: 4,
};
