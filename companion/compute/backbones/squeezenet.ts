// SqueezeNet 1.1 (Iandola et al.), Caffe weights: 3×3/2 conv1, 3×3/2 ceil-mode pools and fire
// modules (squeeze 1×1 → expand 1×1 ‖ expand 3×3). 5 MB and ~50× cheaper than VGG-19.
import type { BackboneSpec, LayerSpec } from './types.js';

function fire(n: number, from: string, squeeze: number, expand: number): LayerSpec[] {
  const p = `fire${n}`;
  return [
    { op: 'conv', name: `${p}/squeeze1x1`, from, weight: `${p}/squeeze1x1`, out: squeeze, k: 1, stride: 1, pad: 0, relu: true },
    { op: 'conv', name: `${p}/expand1x1`, from: `${p}/squeeze1x1`, weight: `${p}/expand1x1`, out: expand, k: 1, stride: 1, pad: 0, relu: true },
    { op: 'conv', name: `${p}/expand3x3`, from: `${p}/squeeze1x1`, weight: `${p}/expand3x3`, out: expand, k: 3, stride: 1, pad: 1, relu: true },
    { op: 'concat', name: `${p}/concat`, from: [`${p}/expand1x1`, `${p}/expand3x3`] },
  ];
}

export const squeezenet: BackboneSpec = {
  name: 'squeezenet',
  weights: 'squeezenet',
  preprocess: { scale: 255, meanBGR: [104, 117, 123] },
  layers: [
    { op: 'conv', name: 'conv1', from: 'input', weight: 'conv1', out: 64, k: 3, stride: 2, pad: 0, relu: true },
    { op: 'maxpool', name: 'pool1', from: 'conv1', k: 3, stride: 2, pad: 0 },
    ...fire(2, 'pool1', 16, 64),
    ...fire(3, 'fire2/concat', 16, 64),
    { op: 'maxpool', name: 'pool3', from: 'fire3/concat', k: 3, stride: 2, pad: 0 },
    ...fire(4, 'pool3', 32, 128),
    ...fire(5, 'fire4/concat', 32, 128),
    { op: 'maxpool', name: 'pool5', from: 'fire5/concat', k: 3, stride: 2, pad: 0 },
    ...fire(6, 'pool5', 48, 192),
    ...fire(7, 'fire6/concat', 48, 192),
    ...fire(8, 'fire7/concat', 64, 256),
    ...fire(9, 'fire8/concat', 64, 256),
  ],
  photo: { content: 'fire5/concat', style: ['conv1', 'fire2/concat', 'fire3/concat', 'fire5/concat', 'fire9/concat'] },
  // relu_conv1 (stride 2) / fire2 (4) / fire3 (4) / fire5 (8, like relu4_1) — §11.
  roles: { relu1_1: 'conv1', relu2_1: 'fire2/concat', relu3_1: 'fire3/concat', relu4_1: 'fire5/concat', relu5_1: 'fire9/concat' },
  pass1: { style: ['fire3/concat', 'fire5/concat', 'fire7/concat', 'fire9/concat'], content: 'fire5/concat' },
  pass2: { style: ['conv1', 'fire2/concat', 'fire3/concat', 'fire5/concat'], content: 'fire5/concat', histogram: ['conv1', 'fire5/concat'], reference: 'fire5/concat' },
  // Calibrated so the first-evaluation |net grad| / |TV grad| ratio matches VGG's (§11),
  // measured with `npm run bench -- tv` (examples 1 and 16).
  tvScale: { pass1: 0.015, pass2: 0.36 },
  maxStride: 16,
  // Its style terms wash out the object's shading; a Laplacian term at 4 px (2 px at 350) with
  // weight 10 keeps it, the best of the weights tried (issue 13; docs/quality.md).
  structure: { pool: 4, weight: 10 },
};
