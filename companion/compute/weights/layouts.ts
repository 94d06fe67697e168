// The complete tensor list of each downloadable network, in network order: names as the
// backbones use them (Caffe layer name + `.weight` / `.bias`), conv weights OIHW, inner
// products (out, in). Converters use it to shape caffejs blobs and to check what a source
// delivered; the installed file keeps exactly these tensors, in this order. The backbones
// (companion/compute/backbones/) use a prefix of each list; a test checks the two agree.
import { PainterlyError } from '../../../shared/errors.js';
import type { Tensor } from './safetensors.js';

export type LayoutModel = 'vgg19' | 'squeezenet' | 'googlenet';

export interface LayerLayout {
  /** Caffe layer name, e.g. `fire2/squeeze1x1`. */
  layer: string;
  /** Shape of `<layer>.weight`; the bias is `[weight[0]]`. */
  weight: number[];
}

function squeezenetLayers(): LayerLayout[] {
  // [fire module, input channels, squeeze, expand] (SqueezeNet v1.1 deploy.prototxt).
  const fires: Array<[number, number, number, number]> = [
    [2, 64, 16, 64], [3, 128, 16, 64], [4, 128, 32, 128], [5, 256, 32, 128],
    [6, 256, 48, 192], [7, 384, 48, 192], [8, 384, 64, 256], [9, 512, 64, 256],
  ];
  return [
    { layer: 'conv1', weight: [64, 3, 3, 3] },
    ...fires.flatMap(([n, cin, s, e]) => [
      { layer: `fire${n}/squeeze1x1`, weight: [s, cin, 1, 1] },
      { layer: `fire${n}/expand1x1`, weight: [e, s, 1, 1] },
      { layer: `fire${n}/expand3x3`, weight: [e, s, 3, 3] },
    ]),
    { layer: 'conv10', weight: [1000, 512, 1, 1] },
  ];
}

function googlenetLayers(): LayerLayout[] {
  // [module, input channels, 1x1, 3x3 reduce, 3x3, 5x5 reduce, 5x5, pool proj] (BVLC deploy.prototxt).
  const modules: Array<[string, number, number, number, number, number, number, number]> = [
    ['3a', 192, 64, 96, 128, 16, 32, 32],
    ['3b', 256, 128, 128, 192, 32, 96, 64],
    ['4a', 480, 192, 96, 208, 16, 48, 64],
    ['4b', 512, 160, 112, 224, 24, 64, 64],
    ['4c', 512, 128, 128, 256, 24, 64, 64],
    ['4d', 512, 112, 144, 288, 32, 64, 64],
    ['4e', 528, 256, 160, 320, 32, 128, 128],
    ['5a', 832, 256, 160, 320, 32, 128, 128],
    ['5b', 832, 384, 192, 384, 48, 128, 128],
  ];
  return [
    { layer: 'conv1/7x7_s2', weight: [64, 3, 7, 7] },
    { layer: 'conv2/3x3_reduce', weight: [64, 64, 1, 1] },
    { layer: 'conv2/3x3', weight: [192, 64, 3, 3] },
    ...modules.flatMap(([m, cin, c1, r3, c3, r5, c5, pp]) => {
      const p = `inception_${m}`;
      return [
        { layer: `${p}/1x1`, weight: [c1, cin, 1, 1] },
        { layer: `${p}/3x3_reduce`, weight: [r3, cin, 1, 1] },
        { layer: `${p}/3x3`, weight: [c3, r3, 3, 3] },
        { layer: `${p}/5x5_reduce`, weight: [r5, cin, 1, 1] },
        { layer: `${p}/5x5`, weight: [c5, r5, 5, 5] },
        { layer: `${p}/pool_proj`, weight: [pp, cin, 1, 1] },
      ];
    }),
    { layer: 'loss3/classifier', weight: [1000, 1024] },
  ];
}

function vgg19Layers(): LayerLayout[] {
  const blocks: Array<[number, number, number]> = [[1, 2, 64], [2, 2, 128], [3, 4, 256], [4, 4, 512], [5, 4, 512]];
  const out: LayerLayout[] = [];
  let cin = 3;
  for (const [b, convs, channels] of blocks) {
    for (let c = 1; c <= convs; c++) {
      out.push({ layer: `conv${b}_${c}`, weight: [channels, cin, 3, 3] });
      cin = channels;
    }
  }
  return out;
}

export const MODEL_LAYOUTS: Readonly<Record<LayoutModel, readonly LayerLayout[]>> = Object.freeze({
  vgg19: Object.freeze(vgg19Layers()),
  squeezenet: Object.freeze(squeezenetLayers()),
  googlenet: Object.freeze(googlenetLayers()),
});

const TITLES: Record<LayoutModel, string> = { vgg19: 'VGG-19', squeezenet: 'SqueezeNet 1.1', googlenet: 'GoogLeNet' };

/** Every tensor of a model as [name, shape], in network order. */
export function layoutTensors(model: LayoutModel): Array<[string, number[]]> {
  return MODEL_LAYOUTS[model].flatMap(({ layer, weight }) => [
    [`${layer}.weight`, weight],
    [`${layer}.bias`, [weight[0]]],
  ]);
}

/** Bytes of float32 data the model's tensors hold. */
export function layoutBytes(model: LayoutModel): number {
  return layoutTensors(model).reduce((sum, [, shape]) => sum + 4 * shape.reduce((a, b) => a * b, 1), 0);
}

function listed(names: string[]): string {
  return names.slice(0, 4).join(', ') + (names.length > 4 ? `, … (${names.length} in all)` : '');
}

/**
 * Checks that `tensors` hold every tensor of the model with its exact shape and returns them in
 * network order; tensors the model does not have (e.g. GoogLeNet's auxiliary classifiers in the
 * BVLC caffemodel) are dropped. `source` names the file in errors.
 */
export function checkLayout(model: LayoutModel, tensors: ReadonlyMap<string, Tensor>, source: string): Map<string, Tensor> {
  const expected = layoutTensors(model);
  const missing = expected.filter(([name]) => !tensors.has(name)).map(([name]) => name);
  if (missing.length > 0) {
    throw new PainterlyError('MODEL_LAYERS_MISSING', `${source} is not complete ${TITLES[model]} weights: it lacks ${listed(missing)}.`);
  }
  const out = new Map<string, Tensor>();
  for (const [name, shape] of expected) {
    const t = tensors.get(name)!;
    if (t.shape.join() !== shape.join()) {
      throw new PainterlyError(
        'MODEL_LAYERS_MISSING',
        `${source}: ${name} has shape [${t.shape}]; ${TITLES[model]} has [${shape}] there. It is not ${TITLES[model]} weights (or not converted correctly).`,
      );
    }
    const count = shape.reduce((a, b) => a * b, 1);
    if (t.data.length !== count) {
      throw new PainterlyError('WEIGHTS_UNREADABLE', `${source}: ${name} has ${t.data.length} values for shape [${shape}] (${count}).`);
    }
    out.set(name, t);
  }
  return out;
}

export function layoutTitle(model: LayoutModel): string {
  return TITLES[model];
}
