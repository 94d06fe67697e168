// Turns a downloaded or user-supplied file (or caffejs folder) into our tensor names and
// layouts. Each reader lives in its own module; this one picks the reader and the network.
import { statSync } from 'node:fs';
import { open, readFile } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { PainterlyError } from '../../../shared/errors.js';
import { caffeModelKind, caffeTensors, readCaffemodel } from './caffemodel.js';
import { findCaffejsWeights, readCaffejsWeights } from './caffejs.js';
import { convertKerasVgg19, fileStartsAsHdf5 } from './keras-vgg19.js';
import type { LayoutModel } from './layouts.js';
import { detectModel, SIGNATURES, type ModelName } from './model-names.js';
import { fromCaffe2Names, readOnnxInitializers } from './onnx-initializers.js';
import { readSafetensors, readSafetensorsHeader, type Tensor } from './safetensors.js';

export type WeightsFormat = 'keras-vgg19-h5' | 'caffemodel' | 'onnx' | 'caffejs' | 'safetensors';

export interface Converted {
  /** Which model the tensors are; for VGG, full or partial by the layers present. */
  model: ModelName;
  format: WeightsFormat;
  tensors: Map<string, Tensor>;
  /** Metadata the source carried (safetensors and Keras files). */
  metadata: Record<string, string>;
}

const FAMILIES = 'VGG-19, SqueezeNet 1.1 or GoogLeNet';

function modelOf(family: LayoutModel | undefined, tensors: Map<string, Tensor>, source: string): ModelName {
  if (!family) throw new PainterlyError('BAD_ARGUMENT', `${source} holds neither ${FAMILIES} weights (no layer fire2/squeeze1x1, inception_3a/1x1 or conv1_1).`);
  return family === 'vgg19' ? (detectModel(tensors.keys()) ?? 'vgg19-partial') : family;
}

async function fromCaffemodel(path: string, expected?: LayoutModel): Promise<Converted> {
  const source = basename(path);
  const layers = readCaffemodel(await readFile(path), source);
  const family = expected ?? caffeModelKind(layers);
  if (!family) throw new PainterlyError('BAD_ARGUMENT', `${source} is a Caffe model but not ${FAMILIES} (no layer fire2/squeeze1x1, inception_3a/1x1 or conv1_1…conv5_4).`);
  const tensors = caffeTensors(family, layers, source);
  return { model: modelOf(family, tensors, source), format: 'caffemodel', tensors, metadata: {} };
}

async function fromOnnx(path: string, expected?: LayoutModel): Promise<Converted> {
  const source = basename(path);
  const tensors = fromCaffe2Names(readOnnxInitializers(await readFile(path), source));
  const family = expected ?? SIGNATURES.find(([t]) => tensors.has(t))?.[1];
  return { model: modelOf(family, tensors, source), format: 'onnx', tensors, metadata: {} };
}

async function fromCaffejs(folder: string, expected?: 'squeezenet' | 'googlenet'): Promise<Converted> {
  const found = findCaffejsWeights(folder);
  if (expected && found.model !== expected) {
    throw new PainterlyError('WEIGHTS_UNREADABLE', `${folder} holds the caffejs ${found.model} blobs, not ${expected}.`);
  }
  return { model: found.model, format: 'caffejs', tensors: await readCaffejsWeights(found.model, found.weightsDir), metadata: {} };
}

async function fromKeras(path: string): Promise<Converted> {
  const weights = await convertKerasVgg19(path);
  const model = detectModel(weights.tensors.keys());
  if (model !== 'vgg19' && model !== 'vgg19-partial') {
    throw new PainterlyError('WEIGHTS_UNREADABLE', `${basename(path)} lacks block1_conv1: it is not a usable Keras VGG-19 weights file.`);
  }
  return { model, format: 'keras-vgg19-h5', tensors: weights.tensors, metadata: weights.metadata };
}

async function fromSafetensors(path: string): Promise<Converted> {
  // Detect from the header first so an unrelated file is refused without loading it.
  const header = await readSafetensorsHeader(path);
  const model = detectModel(header.tensors.keys());
  if (!model) {
    throw new PainterlyError(
      'BAD_ARGUMENT',
      `${basename(path)} is neither VGG-19, SqueezeNet nor GoogLeNet weights (it has no tensor named ${SIGNATURES.map(([t]) => t).join(', ')}).`,
    );
  }
  const weights = await readSafetensors(path);
  return { model, format: 'safetensors', tensors: weights.tensors, metadata: weights.metadata };
}

async function startsWith(path: string, bytes: number): Promise<Uint8Array> {
  const fh = await open(path, 'r');
  try {
    const buf = new Uint8Array(bytes);
    const { bytesRead } = await fh.read(buf, 0, bytes, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

/** The format of a file or folder the user gives to `models import`. */
export async function detectFormat(path: string): Promise<WeightsFormat> {
  if (statSync(path).isDirectory()) return 'caffejs';
  const ext = extname(path).toLowerCase();
  if (ext === '.caffemodel') return 'caffemodel';
  if (ext === '.onnx') return 'onnx';
  if (await fileStartsAsHdf5(path)) return 'keras-vgg19-h5';
  const head = await startsWith(path, 9);
  if (ext === '.safetensors' || (head.length === 9 && head[8] === 0x7b)) return 'safetensors';
  throw new PainterlyError(
    'BAD_ARGUMENT',
    `${basename(path)} is not a weights file Painterly reads. It accepts: the Keras VGG-19 .h5, a .caffemodel ` +
      '(SqueezeNet 1.1, BVLC GoogLeNet or VGG-19), an .onnx file (the ONNX Model Zoo googlenet-12.onnx), a caffejs ' +
      'models/squeezenet or models/bvlc_googlenet folder, or a float32 .safetensors file.',
  );
}

/**
 * Reads `path` in `format` into our tensors. `expected` (fetch knows what it downloaded) picks the
 * network instead of guessing it from the names.
 */
export async function convertWeights(path: string, format: WeightsFormat, expected?: LayoutModel): Promise<Converted> {
  switch (format) {
    case 'caffemodel':
      return fromCaffemodel(path, expected);
    case 'onnx':
      return fromOnnx(path, expected);
    case 'caffejs':
      return fromCaffejs(path, expected === 'vgg19' ? undefined : expected);
    case 'keras-vgg19-h5':
      return fromKeras(path);
    case 'safetensors':
      return fromSafetensors(path);
  }
}
