// Tiny backbones with deterministic random weights, shaped like the real ones, for gradient
// tests: a VGG-like chain, a SqueezeNet-like net (strided conv, 3×3/2 pools, fire concat) and
// a GoogLeNet-like one (7×7/2 conv, LRN, 3×3/1 pool branch, 5×5 conv).
import type { BackboneSpec, LayerSpec } from '../../companion/compute/backbones/types.js';
import type { WeightMap } from '../../companion/compute/backbones/index.js';
import { mulberry32 } from './gradcheck.js';

const base = { preprocess: { scale: 255, meanBGR: [0, 0, 0] as [number, number, number] }, tvScale: { pass1: 1, pass2: 1 } };

export const tinyVgg: BackboneSpec = {
  ...base,
  name: 'tiny-vgg',
  weights: 'tiny-vgg',
  layers: [
    { op: 'conv', name: 'relu1_1', from: 'input', weight: 'conv1_1', out: 4, k: 3, stride: 1, pad: 1, relu: true },
    { op: 'conv', name: 'relu1_2', from: 'relu1_1', weight: 'conv1_2', out: 4, k: 3, stride: 1, pad: 1, relu: true },
    { op: 'maxpool', name: 'pool1', from: 'relu1_2', k: 2, stride: 2, pad: 0 },
    { op: 'conv', name: 'relu2_1', from: 'pool1', weight: 'conv2_1', out: 6, k: 3, stride: 1, pad: 1, relu: true },
    { op: 'maxpool', name: 'pool2', from: 'relu2_1', k: 2, stride: 2, pad: 0 },
    { op: 'conv', name: 'relu3_1', from: 'pool2', weight: 'conv3_1', out: 8, k: 3, stride: 1, pad: 1, relu: true },
  ],
  roles: { relu1_1: 'relu1_1', relu2_1: 'relu2_1', relu3_1: 'relu3_1', relu4_1: 'relu3_1' },
  pass1: { style: ['relu2_1', 'relu3_1'], content: 'relu3_1' },
  photo: { content: 'relu3_1', style: ['relu1_1', 'relu2_1', 'relu3_1'] },
  pass2: { style: ['relu1_1', 'relu2_1', 'relu3_1'], content: 'relu3_1', histogram: ['relu1_1', 'relu3_1'], reference: 'relu3_1' },
  maxStride: 4,
};

export const tinySqueeze: BackboneSpec = {
  ...base,
  name: 'tiny-squeeze',
  weights: 'tiny-squeeze',
  layers: [
    { op: 'conv', name: 'conv1', from: 'input', weight: 'conv1', out: 4, k: 3, stride: 2, pad: 0, relu: true },
    { op: 'maxpool', name: 'pool1', from: 'conv1', k: 3, stride: 2, pad: 0 },
    { op: 'conv', name: 'sq', from: 'pool1', weight: 'sq', out: 3, k: 1, stride: 1, pad: 0, relu: true },
    { op: 'conv', name: 'e1', from: 'sq', weight: 'e1', out: 4, k: 1, stride: 1, pad: 0, relu: true },
    { op: 'conv', name: 'e3', from: 'sq', weight: 'e3', out: 4, k: 3, stride: 1, pad: 1, relu: true },
    { op: 'concat', name: 'fire', from: ['e1', 'e3'] },
  ],
  roles: { relu1_1: 'conv1', relu2_1: 'fire', relu3_1: 'fire', relu4_1: 'fire' },
  pass1: { style: ['fire'], content: 'fire' },
  photo: { content: 'fire', style: ['conv1', 'fire'] },
  pass2: { style: ['conv1', 'fire'], content: 'fire', histogram: ['conv1', 'fire'], reference: 'fire' },
  maxStride: 4,
};

export const tinyGoogle: BackboneSpec = {
  ...base,
  name: 'tiny-google',
  weights: 'tiny-google',
  layers: [
    { op: 'conv', name: 'conv1', from: 'input', weight: 'conv1', out: 6, k: 7, stride: 2, pad: 3, relu: true },
    { op: 'lrn', name: 'norm1', from: 'conv1', size: 5, alpha: 0.5, beta: 0.75, bias: 1 },
    { op: 'conv', name: 'b1', from: 'norm1', weight: 'b1', out: 3, k: 1, stride: 1, pad: 0, relu: true },
    { op: 'conv', name: 'b5', from: 'norm1', weight: 'b5', out: 3, k: 5, stride: 1, pad: 2, relu: true },
    { op: 'maxpool', name: 'bp', from: 'norm1', k: 3, stride: 1, pad: 1 },
    { op: 'concat', name: 'mix', from: ['b1', 'b5', 'bp'] },
  ],
  roles: { relu1_1: 'conv1', relu2_1: 'mix', relu3_1: 'mix', relu4_1: 'mix' },
  pass1: { style: ['mix'], content: 'mix' },
  photo: { content: 'mix', style: ['conv1', 'mix'] },
  pass2: { style: ['conv1', 'mix'], content: 'mix', histogram: ['conv1', 'mix'], reference: 'mix' },
  maxStride: 2,
};

/** He-style random weights for every conv of a spec, deterministic in `seed`. */
export function randomWeights(spec: BackboneSpec, seed = 1): WeightMap {
  const rand = mulberry32(seed);
  const channels = new Map<string, number>([['input', 3]]);
  const weights: WeightMap = new Map();
  for (const l of spec.layers) {
    if (l.op === 'conv') {
      const cin = channels.get(l.from)!;
      const n = l.out * cin * l.k * l.k;
      const std = Math.sqrt(2 / (cin * l.k * l.k));
      weights.set(`${l.weight}.weight`, { shape: [l.out, cin, l.k, l.k], data: new Float32Array(n).map(() => (rand() * 2 - 1) * std * 1.7) });
      weights.set(`${l.weight}.bias`, { shape: [l.out], data: new Float32Array(l.out).map(() => (rand() * 2 - 1) * 0.1) });
      channels.set(l.name, l.out);
    } else if (l.op === 'concat') {
      channels.set(l.name, l.from.reduce((a, f) => a + channels.get(f)!, 0));
    } else {
      channels.set(l.name, channels.get(l.from)!);
    }
  }
  return weights;
}

export function layerOf(spec: BackboneSpec, name: string): LayerSpec {
  return spec.layers.find((l) => l.name === name)!;
}
