// Finding, installing and loading model weights: the one place that knows which cached file
// serves which backbone. `fetchModel` downloads and converts; `importModel` installs a file the
// user brings (offline machines); `resolveWeightsFile` finds what a job needs or says how to get it.
import { existsSync, statSync } from 'node:fs';
import { mkdir, unlink } from 'node:fs/promises';
import { basename, join, resolve as resolvePath } from 'node:path';
import { PainterlyError } from '../../../shared/errors.js';
import { cacheDir, downloadsDir, modelPath } from './cache.js';
import { digestMismatch, downloadFile, hashFile } from './download.js';
import { convertKerasVgg19, fileStartsAsHdf5, VGG19_CONV_LAYERS, VGG19_METADATA } from './keras-vgg19.js';
import { readSafetensors, readSafetensorsHeader, writeSafetensors, type WeightSet } from './safetensors.js';
import { getSource, MODEL_SOURCES, type ModelSource } from './sources.js';

/** Names of the weight sets a job can ask for. `vgg19-partial` is conv1_1…conv3_4 at least. */
export type ModelName = 'vgg19' | 'vgg19-partial' | 'squeezenet' | 'googlenet';

/** Which backbones each cached model enables. A full VGG-19 also serves the shallow one. */
export const BACKBONES_BY_MODEL: Readonly<Record<ModelName, readonly string[]>> = {
  vgg19: ['vgg19', 'vgg19-shallow'],
  'vgg19-partial': ['vgg19-shallow'],
  squeezenet: ['squeezenet'],
  googlenet: ['googlenet'],
};

/** Cached files that can serve a request, best first. */
const CANDIDATES: Record<ModelName, ModelName[]> = {
  vgg19: ['vgg19'],
  'vgg19-partial': ['vgg19-partial', 'vgg19'],
  squeezenet: ['squeezenet'],
  googlenet: ['googlenet'],
};

/** A tensor whose presence identifies each family in a safetensors file. */
const SIGNATURES: ReadonlyArray<[string, 'vgg19' | 'squeezenet' | 'googlenet']> = [
  ['conv1_1.weight', 'vgg19'],
  ['fire2/squeeze1x1.weight', 'squeezenet'],
  ['inception_3a/1x1.weight', 'googlenet'],
];

function missingMessage(model: ModelName): string {
  if (model === 'vgg19' || model === 'vgg19-partial') {
    const v = MODEL_SOURCES.vgg19;
    return (
      `The VGG-19 weights are not installed. Run \`npx painterly models fetch vgg19\` (${Math.round(v.bytes / 1e6)} MB), ` +
      `or on an offline machine download ${v.fileName} elsewhere and run \`npx painterly models import FILE\`.`
    );
  }
  return `The ${model} weights are not installed. Run \`npx painterly models import FILE\` with a ${model} safetensors file.`;
}

/**
 * The weights file for `model`: `explicitFile` when given (it must exist), else the cached file,
 * else MODEL_MISSING with the command that installs it. Asking for `vgg19-partial` accepts a
 * full `vgg19` too; the caller checks that the layers it needs are there.
 */
export function resolveWeightsFile(model: ModelName, explicitFile?: string, dir: string = cacheDir()): string {
  if (explicitFile !== undefined) {
    const file = resolvePath(explicitFile);
    if (!existsSync(file) || !statSync(file).isFile()) {
      throw new PainterlyError('FILE_NOT_FOUND', `The weights file ${explicitFile} does not exist.`);
    }
    return file;
  }
  const candidates = CANDIDATES[model];
  if (!candidates) {
    throw new PainterlyError('BAD_ARGUMENT', `Unknown model "${model}"; known: ${Object.keys(CANDIDATES).join(', ')}.`);
  }
  for (const name of candidates) {
    const file = modelPath(name, dir);
    if (existsSync(file)) return file;
  }
  throw new PainterlyError('MODEL_MISSING', missingMessage(model));
}

export function loadWeights(file: string): Promise<WeightSet> {
  return readSafetensors(file);
}

/** Which model a set of tensor names is, or undefined. VGG is full only with all 16 layers. */
export function detectModel(names: Iterable<string>): ModelName | undefined {
  const set = new Set(names);
  const family = SIGNATURES.find(([tensor]) => set.has(tensor))?.[1];
  if (family !== 'vgg19') return family;
  return VGG19_CONV_LAYERS.every((l) => set.has(`${l}.weight`) && set.has(`${l}.bias`)) ? 'vgg19' : 'vgg19-partial';
}

function vggLayersIn(names: Iterable<string>): string[] {
  const set = new Set(names);
  return VGG19_CONV_LAYERS.filter((l) => set.has(`${l}.weight`));
}

export interface ImportResult {
  model: ModelName;
  /** The installed file in the cache. */
  file: string;
  /** For VGG: the conv layers present (conv1_1 …). */
  layers: string[];
  /**
   * For a Keras VGG-19 file: whether it matches the official checksum (true), differs (false);
   * undefined for other files, which have no official checksum.
   */
  official?: boolean;
}

/**
 * Installs a weights file into the cache: a Keras VGG-19 `.h5` is converted; a `.safetensors`
 * file is recognised by its tensor names and rewritten with its metadata completed.
 */
export async function importModel(file: string, dir: string = cacheDir(), extraMetadata: Record<string, string> = {}): Promise<ImportResult> {
  const path = resolvePath(file);
  if (!existsSync(path) || !statSync(path).isFile()) throw new PainterlyError('FILE_NOT_FOUND', `The file ${file} does not exist.`);
  await mkdir(dir, { recursive: true });

  if (await fileStartsAsHdf5(path)) {
    const weights = await convertKerasVgg19(path);
    const layers = weights.metadata.layers.split(',');
    const model = detectModel(weights.tensors.keys());
    if (model !== 'vgg19' && model !== 'vgg19-partial') {
      throw new PainterlyError('WEIGHTS_UNREADABLE', `${basename(path)} lacks block1_conv1: it is not a usable Keras VGG-19 weights file.`);
    }
    const digests = await hashFile(path);
    const official = !digestMismatch(digests, MODEL_SOURCES.vgg19) && statSync(path).size === MODEL_SOURCES.vgg19.bytes;
    const dest = modelPath(model, dir);
    await writeSafetensors(dest, weights.tensors, {
      ...weights.metadata,
      model,
      source_file: basename(path),
      source_sha256: digests.sha256,
      source_md5: digests.md5,
      ...extraMetadata,
    });
    return { model, file: dest, layers, official };
  }

  // Detect from the header first so an unrelated file is refused without loading it.
  const header = await readSafetensorsHeader(path);
  const model = detectModel(header.tensors.keys());
  if (!model) {
    throw new PainterlyError(
      'BAD_ARGUMENT',
      `${basename(path)} is neither VGG-19, SqueezeNet nor GoogLeNet weights (it has no tensor named ` +
        `${SIGNATURES.map(([t]) => t).join(', ')}).`,
    );
  }
  const weights = await readSafetensors(path);
  const layers = model === 'vgg19' || model === 'vgg19-partial' ? vggLayersIn(weights.tensors.keys()) : [];
  const conv1 = weights.tensors.get('conv1_1.weight');
  if (conv1 && (conv1.shape.length !== 4 || conv1.shape[1] !== 3)) {
    throw new PainterlyError('WEIGHTS_UNREADABLE', `${basename(path)}: conv1_1.weight has shape [${conv1.shape}]; expected OIHW with 3 input channels.`);
  }
  const isVgg = model === 'vgg19' || model === 'vgg19-partial';
  const metadata: Record<string, string> = {
    ...(isVgg ? VGG19_METADATA : {}),
    ...weights.metadata,
    ...(isVgg ? { layers: layers.join(',') } : {}),
    model,
    source_file: basename(path),
    ...extraMetadata,
  };
  const dest = modelPath(model, dir);
  await writeSafetensors(dest, weights.tensors, metadata);
  return { model, file: dest, layers };
}

export interface FetchOptions {
  /** Replaces parts of the registered source (tests point `urls` at a local server). */
  source?: Partial<ModelSource>;
  onProgress?: (received: number, total: number | undefined) => void;
  signal?: AbortSignal;
  connectTimeoutMs?: number;
  resumeAttempts?: number;
  dir?: string;
}

export interface FetchResult extends ImportResult {
  url: string;
  bytes: number;
  sha256: string;
  resumedFrom: number;
}

/** Downloads a model's official file (resuming a previous `.part`), verifies it, converts it into the cache. */
export async function fetchModel(name: string, opts: FetchOptions = {}): Promise<FetchResult> {
  const dir = opts.dir ?? cacheDir();
  const source = { ...getSource(name), ...opts.source };
  const dest = join(downloadsDir(dir), source.fileName);
  const download = await downloadFile({
    urls: source.urls,
    dest,
    bytes: source.bytes,
    sha256: source.sha256,
    md5: source.md5,
    onProgress: opts.onProgress,
    signal: opts.signal,
    connectTimeoutMs: opts.connectTimeoutMs,
    resumeAttempts: opts.resumeAttempts,
  });
  const imported = await importModel(download.file, dir, { source_url: download.url });
  // The converted safetensors is what we use; the 80 MB original is not kept.
  await unlink(download.file).catch(() => {});
  return { ...imported, url: download.url, bytes: download.bytes, sha256: download.sha256, resumedFrom: download.resumedFrom };
}
