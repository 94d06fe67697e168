// GoogLeNet / Inception v1 (Szegedy et al.), BVLC Caffe weights: 7×7/2 conv, ceil-mode pools,
// LRN, and inception modules (1×1 ‖ 3×3 ‖ 5×5 ‖ pool-projection, concatenated in that order).
import type { BackboneSpec, LayerSpec } from './types.js';

function conv(name: string, from: string, out: number, k: number, stride = 1, pad = 0): LayerSpec {
  return { op: 'conv', name, from, weight: name, out, k, stride, pad, relu: true };
}

function inception(p: string, from: string, c1: number, r3: number, c3: number, r5: number, c5: number, pp: number): LayerSpec[] {
  return [
    conv(`${p}/1x1`, from, c1, 1),
    conv(`${p}/3x3_reduce`, from, r3, 1),
    conv(`${p}/3x3`, `${p}/3x3_reduce`, c3, 3, 1, 1),
    conv(`${p}/5x5_reduce`, from, r5, 1),
    conv(`${p}/5x5`, `${p}/5x5_reduce`, c5, 5, 1, 2),
    { op: 'maxpool', name: `${p}/pool`, from, k: 3, stride: 1, pad: 1 },
    conv(`${p}/pool_proj`, `${p}/pool`, pp, 1),
    { op: 'concat', name: `${p}/output`, from: [`${p}/1x1`, `${p}/3x3`, `${p}/5x5`, `${p}/pool_proj`] },
  ];
}

const LRN = { size: 5, alpha: 1e-4, beta: 0.75, bias: 1 };

export const googlenet: BackboneSpec = {
  name: 'googlenet',
  weights: 'googlenet',
  preprocess: { scale: 255, meanBGR: [104, 117, 123] },
  layers: [
    conv('conv1/7x7_s2', 'input', 64, 7, 2, 3),
    { op: 'maxpool', name: 'pool1/3x3_s2', from: 'conv1/7x7_s2', k: 3, stride: 2, pad: 0 },
    { op: 'lrn', name: 'pool1/norm1', from: 'pool1/3x3_s2', ...LRN },
    conv('conv2/3x3_reduce', 'pool1/norm1', 64, 1),
    conv('conv2/3x3', 'conv2/3x3_reduce', 192, 3, 1, 1),
    { op: 'lrn', name: 'conv2/norm2', from: 'conv2/3x3', ...LRN },
    { op: 'maxpool', name: 'pool2/3x3_s2', from: 'conv2/norm2', k: 3, stride: 2, pad: 0 },
    ...inception('inception_3a', 'pool2/3x3_s2', 64, 96, 128, 16, 32, 32),
    ...inception('inception_3b', 'inception_3a/output', 128, 128, 192, 32, 96, 64),
    { op: 'maxpool', name: 'pool3/3x3_s2', from: 'inception_3b/output', k: 3, stride: 2, pad: 0 },
    ...inception('inception_4a', 'pool3/3x3_s2', 192, 96, 208, 16, 48, 64),
  ],
  photo: { content: 'inception_3b/output', style: ['conv1/7x7_s2', 'conv2/3x3', 'inception_3a/output', 'inception_3b/output', 'inception_4a/output'] },
  // conv1/relu_7x7 (stride 2) / conv2/relu_3x3 (4) / inception_3a (8) / inception_3b (8) — §11.
  roles: { relu1_1: 'conv1/7x7_s2', relu2_1: 'conv2/3x3', relu3_1: 'inception_3a/output', relu4_1: 'inception_3b/output', relu5_1: 'inception_4a/output' },
  pass1: { style: ['inception_3a/output', 'inception_3b/output', 'inception_4a/output'], content: 'inception_3b/output' },
  pass2: { style: ['conv1/7x7_s2', 'conv2/3x3', 'inception_3a/output', 'inception_3b/output'], content: 'inception_3b/output', histogram: ['conv1/7x7_s2', 'inception_3b/output'], reference: 'inception_3b/output' },
  // Calibrated to VGG's first-evaluation |net grad| / |TV grad| ratio (§11), measured with
  // `npm run bench -- tv` (examples 1 and 16).
  tvScale: { pass1: 0.00067, pass2: 0.25 },
  maxStride: 16,
};
