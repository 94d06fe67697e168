// caffejs (github.com/chaosmail/caffejs) per-layer weight blobs: under `models/<net>/weights/`,
// one `<caffe layer>_filter.bin` and one `<caffe layer>_bias.bin` per layer (a layer name with a
// slash makes a sub-folder: `inception_3a/1x1_filter.bin`). Both are raw float32 little endian;
// filters are stored ConvNetJS-style as (out, kh, kw, in) and are reordered here to OIHW (an
// inner product is (out, 1, 1, in), i.e. already (out, in)). The shapes come from layouts.ts.
import { existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { PainterlyError } from '../../../shared/errors.js';
import { CAFFEJS_SHA256 } from './caffejs-sums.js';
import { MODEL_LAYOUTS } from './layouts.js';
import type { Tensor } from './safetensors.js';

export type CaffejsModel = 'squeezenet' | 'googlenet';

/** The folder under caffejs's `models/` that holds each network. */
export const CAFFEJS_FOLDERS: Readonly<Record<CaffejsModel, string>> = { squeezenet: 'squeezenet', googlenet: 'bvlc_googlenet' };

export interface CaffejsFile {
  /** Path relative to caffejs's `models/` folder, e.g. `squeezenet/weights/conv1_filter.bin`. */
  path: string;
  /** Path relative to the `weights/` folder. */
  weightsPath: string;
  tensor: string;
  /** Shape of the converted tensor (OIHW, (out, in) or (out)). */
  shape: number[];
  bytes: number;
  sha256: string;
}

/** Every blob file of a network with its size and pinned SHA-256, in network order. */
export function caffejsFiles(model: CaffejsModel): CaffejsFile[] {
  const folder = CAFFEJS_FOLDERS[model];
  return MODEL_LAYOUTS[model].flatMap(({ layer, weight }) =>
    ([['filter', 'weight', weight], ['bias', 'bias', [weight[0]]]] as const).map(([file, kind, shape]) => {
      const weightsPath = `${layer}_${file}.bin`;
      const path = `${folder}/weights/${weightsPath}`;
      const sha256 = CAFFEJS_SHA256[path];
      if (!sha256) throw new PainterlyError('INTERNAL', `No pinned SHA-256 for the caffejs file ${path}.`);
      return { path, weightsPath, tensor: `${layer}.${kind}`, shape: [...shape], bytes: 4 * shape.reduce((a, b) => a * b, 1), sha256 };
    }),
  );
}

/** Reorders a ConvNetJS filter bank (out, kh, kw, in) into OIHW. */
export function ohwiToOihw(data: Float32Array, [O, I, H, W]: readonly number[]): Float32Array {
  const out = new Float32Array(data.length);
  for (let o = 0; o < O; o++) {
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const src = ((o * H + y) * W + x) * I;
        for (let i = 0; i < I; i++) out[((o * I + i) * H + y) * W + x] = data[src + i];
      }
    }
  }
  return out;
}

function networkIn(dir: string): CaffejsModel | undefined {
  if (existsSync(join(dir, 'fire2', 'squeeze1x1_filter.bin'))) return 'squeezenet';
  if (existsSync(join(dir, 'inception_3a', '1x1_filter.bin'))) return 'googlenet';
  return undefined;
}

/**
 * The `weights/` folder of a network and which network it is, from a folder the user names:
 * caffejs's `models/<net>` folder, its `weights/` folder, or `models/` when it holds one network.
 */
export function findCaffejsWeights(folder: string): { model: CaffejsModel; weightsDir: string } {
  for (const dir of [join(folder, 'weights'), folder]) {
    const model = networkIn(dir);
    if (model) return { model, weightsDir: dir };
  }
  const nested = Object.values(CAFFEJS_FOLDERS)
    .map((f) => join(folder, f, 'weights'))
    .flatMap((dir) => {
      const model = networkIn(dir);
      return model ? [{ model, weightsDir: dir }] : [];
    });
  if (nested.length === 1) return nested[0];
  if (nested.length > 1) {
    throw new PainterlyError('BAD_ARGUMENT', `${folder} holds both caffejs networks; name one of them: ${nested.map((f) => dirname(f.weightsDir)).join(' or ')}.`);
  }
  throw new PainterlyError(
    'BAD_ARGUMENT',
    `${folder} is not a caffejs weights folder: it has no weights/fire2/squeeze1x1_filter.bin (SqueezeNet) or ` +
      "weights/inception_3a/1x1_filter.bin (GoogLeNet). Name caffejs's models/squeezenet or models/bvlc_googlenet folder.",
  );
}

/** Reads a network's blobs from its `weights/` folder into our tensors, in network order. */
export async function readCaffejsWeights(model: CaffejsModel, weightsDir: string): Promise<Map<string, Tensor>> {
  const tensors = new Map<string, Tensor>();
  for (const f of caffejsFiles(model)) {
    const file = join(weightsDir, f.weightsPath);
    if (!existsSync(file)) {
      throw new PainterlyError('MODEL_LAYERS_MISSING', `The caffejs folder ${weightsDir} lacks ${f.weightsPath}.`);
    }
    const size = statSync(file).size;
    if (size !== f.bytes) {
      throw new PainterlyError('WEIGHTS_UNREADABLE', `${basename(weightsDir)}/${f.weightsPath} has ${size} bytes; ${f.tensor} of shape [${f.shape}] needs ${f.bytes}.`);
    }
    const raw = new Float32Array(Uint8Array.prototype.slice.call(await readFile(file)).buffer);
    tensors.set(f.tensor, { shape: f.shape, data: f.shape.length === 4 ? ohwiToOihw(raw, f.shape) : raw });
  }
  return tensors;
}
