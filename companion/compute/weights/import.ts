// `painterly models import PATH`: installs weights the user already has (offline machines, or
// files fetched by hand). Accepts every format `fetch` downloads, plus safetensors files.
import { existsSync, statSync } from 'node:fs';
import { basename, resolve as resolvePath } from 'node:path';
import { PainterlyError } from '../../../shared/errors.js';
import { cacheDir } from './cache.js';
import { convertWeights, detectFormat, type WeightsFormat } from './convert.js';
import { digestMismatch, hashFile } from './download.js';
import { checkWeightsFor, installChecked } from './install.js';
import type { ModelName } from './model-names.js';
import { MODEL_CATALOG, type FileSource } from './sources.js';

export interface ImportResult {
  model: ModelName;
  /** The installed file in the cache. */
  file: string;
  format: WeightsFormat;
  /** For VGG: the conv layers present (conv1_1 …). */
  layers: string[];
  /** Digest of the installed tensors (tensor-digest.ts). */
  tensorsSha256: string;
  /**
   * Whether these are the official weights: for SqueezeNet and GoogLeNet by the pinned tensor
   * digest, for a Keras VGG-19 file by its published MD5 and size; undefined when unknown.
   */
  official?: boolean;
}

/**
 * Installs a weights file or caffejs folder into the cache. Weights that are not the official
 * ones (a fine-tuned network, say) are installed too, and reported as such.
 */
export async function importModel(file: string, dir: string = cacheDir(), extraMetadata: Record<string, string> = {}): Promise<ImportResult> {
  const path = resolvePath(file);
  if (!existsSync(path)) throw new PainterlyError('FILE_NOT_FOUND', `The file ${file} does not exist.`);
  const format = await detectFormat(path);
  const converted = await convertWeights(path, format);
  const source = basename(path);
  const wholeNetwork = format === 'caffemodel' || format === 'onnx' || format === 'caffejs' || converted.model === 'vgg19';
  const checked = checkWeightsFor(converted.model, converted.tensors, source, wholeNetwork);
  const metadata: Record<string, string> = { ...converted.metadata, source_file: source, source_format: format };
  if (statSync(path).isFile()) {
    const digests = await hashFile(path);
    metadata.source_sha256 = digests.sha256;
    if (format === 'keras-vgg19-h5') {
      metadata.source_md5 = digests.md5;
      const keras = MODEL_CATALOG.vgg19.sources[0] as FileSource;
      checked.official = !digestMismatch(digests, keras) && statSync(path).size === keras.bytes;
    }
  }
  const installed = await installChecked(checked, dir, { ...metadata, ...extraMetadata });
  return { model: checked.model, file: installed, format, layers: checked.layers, tensorsSha256: checked.digest, official: checked.official };
}
