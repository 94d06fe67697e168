// Converts the Keras VGG-19 HDF5 weights into our tensor names and layout.
// The Keras "notop" file (Keras 1 era) has one group per layer, `block{b}_conv{c}`, holding the
// datasets `block{b}_conv{c}_W_1:0` (kernel, HWIO) and `block{b}_conv{c}_b_1:0` (bias); files saved
// by Keras 2 nest them as `block{b}_conv{c}/block{b}_conv{c}/kernel:0` and `bias:0`. We take, in
// each layer group, the one 4-D dataset as the kernel and the one 1-D dataset as the bias, so
// both namings work. Output: `conv{b}_{c}.weight` (OIHW) and `conv{b}_{c}.bias`.
import { open } from 'node:fs/promises';
import { basename } from 'node:path';
import h5wasm, { Dataset, Group, type File as H5File } from 'h5wasm/node';
import { PainterlyError } from '../../../shared/errors.js';
import type { Tensor, WeightSet } from './safetensors.js';
import { VGG19_LICENSE } from './sources.js';

/** The 16 conv layers of VGG-19 in network order, as [block, conv]. */
const BLOCKS: ReadonlyArray<readonly [number, number]> = [
  [1, 1], [1, 2],
  [2, 1], [2, 2],
  [3, 1], [3, 2], [3, 3], [3, 4],
  [4, 1], [4, 2], [4, 3], [4, 4],
  [5, 1], [5, 2], [5, 3], [5, 4],
];

/** Our names of the VGG-19 conv layers, in network order: conv1_1 … conv5_4. */
export const VGG19_CONV_LAYERS: readonly string[] = BLOCKS.map(([b, c]) => `conv${b}_${c}`);

export const VGG19_METADATA = {
  architecture: 'vgg19',
  license: VGG19_LICENSE,
  input: 'BGR, 0..255, minus mean [103.939, 116.779, 123.68] (Caffe preprocessing, as Keras "caffe" mode)',
  pooling: 'max 2x2 stride 2, ceil mode',
  layout: 'OIHW',
} as const;

const HDF5_SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

/** True when the bytes start with the HDF5 signature (files with a user block are not handled). */
export function isHdf5(prefix: Uint8Array): boolean {
  return prefix.length >= 8 && HDF5_SIGNATURE.every((b, i) => prefix[i] === b);
}

export async function fileStartsAsHdf5(path: string): Promise<boolean> {
  const fh = await open(path, 'r');
  try {
    const prefix = new Uint8Array(8);
    const { bytesRead } = await fh.read(prefix, 0, 8, 0);
    return isHdf5(prefix.subarray(0, bytesRead));
  } finally {
    await fh.close();
  }
}

/** Reorders a conv kernel from HWIO (TensorFlow) to OIHW (ONNX/Caffe). */
export function hwioToOihw(data: Float32Array, shape: readonly number[]): Float32Array {
  const [H, W, I, O] = shape;
  if (shape.length !== 4 || data.length !== H * W * I * O) {
    throw new PainterlyError('INTERNAL', `A kernel of shape [${shape}] cannot hold ${data.length} values.`);
  }
  const out = new Float32Array(data.length);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      for (let i = 0; i < I; i++) {
        const src = ((y * W + x) * I + i) * O;
        for (let o = 0; o < O; o++) out[((o * I + i) * H + y) * W + x] = data[src + o];
      }
    }
  }
  return out;
}

interface Found {
  path: string;
  shape: number[];
  value: Float32Array;
}

function toFloat32(value: unknown, path: string, source: string): Float32Array {
  if (value instanceof Float32Array) return value;
  if (value instanceof Float64Array) return Float32Array.from(value);
  throw new PainterlyError('WEIGHTS_UNREADABLE', `${source}: dataset ${path} is not floating point.`);
}

/** Every dataset below `group`, depth first. */
function datasetsBelow(group: Group, source: string, out: Found[] = []): Found[] {
  for (const key of group.keys()) {
    const entity = group.get(key);
    if (entity instanceof Group) datasetsBelow(entity, source, out);
    else if (entity instanceof Dataset) {
      out.push({ path: entity.path, shape: entity.shape ?? [], value: toFloat32(entity.value, entity.path, source) });
    }
  }
  return out;
}

function convertLayer(group: Group, layer: string, source: string): { weight: Tensor; bias: Tensor } {
  const found = datasetsBelow(group, source);
  const kernels = found.filter((d) => d.shape.length === 4);
  const biases = found.filter((d) => d.shape.length === 1);
  if (kernels.length !== 1 || biases.length !== 1) {
    throw new PainterlyError(
      'WEIGHTS_UNREADABLE',
      `${source}: layer ${group.path} should hold one kernel and one bias, found ${kernels.length} and ${biases.length}.`,
    );
  }
  const [k, b] = [kernels[0], biases[0]];
  const [H, W, I, O] = k.shape;
  if (b.shape[0] !== O) {
    // Theano-ordered files (`th_dim_ordering_th_kernels`) are OIHW and flipped: refuse them.
    throw new PainterlyError(
      'WEIGHTS_UNREADABLE',
      `${source}: the kernel of ${layer} has shape [${k.shape}], which does not end with its ${b.shape[0]} outputs; ` +
        'use the TensorFlow-ordered file (vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5).',
    );
  }
  return {
    weight: { shape: [O, I, H, W], data: hwioToOihw(k.value, k.shape) },
    bias: { shape: [O], data: b.value },
  };
}

/**
 * Reads a Keras VGG-19 weights file and returns our tensors (conv layers only, in network order)
 * with metadata; `layers` lists the conv layers present. Keras files saved from a whole model
 * keep the layer groups under `model_weights/`, which is handled too.
 */
export async function convertKerasVgg19(h5Path: string): Promise<WeightSet> {
  const source = basename(h5Path);
  if (!(await fileStartsAsHdf5(h5Path))) {
    throw new PainterlyError('WEIGHTS_UNREADABLE', `${source} is not an HDF5 file.`);
  }
  await h5wasm.ready;
  let file: H5File;
  try {
    file = new h5wasm.File(h5Path, 'r');
  } catch (e) {
    throw new PainterlyError('WEIGHTS_UNREADABLE', `${source} could not be opened as HDF5 (${(e as Error).message}).`);
  }
  try {
    const wrapped = file.get('model_weights');
    const root = wrapped instanceof Group ? wrapped : file;
    const tensors = new Map<string, Tensor>();
    const layers: string[] = [];
    BLOCKS.forEach(([b, c], n) => {
      const group = root.get(`block${b}_conv${c}`);
      if (!(group instanceof Group)) return;
      const name = VGG19_CONV_LAYERS[n];
      const { weight, bias } = convertLayer(group, name, source);
      tensors.set(`${name}.weight`, weight);
      tensors.set(`${name}.bias`, bias);
      layers.push(name);
    });
    if (layers.length === 0) {
      throw new PainterlyError('WEIGHTS_UNREADABLE', `${source} has no block1_conv1 … block5_conv4 layers: it is not a Keras VGG-19 weights file.`);
    }
    return {
      tensors,
      metadata: {
        ...VGG19_METADATA,
        source: `Keras VGG-19 weights ${source}, kernels transposed HWIO -> OIHW by Painterly`,
        layers: layers.join(','),
      },
    };
  } finally {
    file.close();
  }
}
