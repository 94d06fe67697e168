// Finding model weights: the one place that knows which cached file serves which backbone.
// `resolveWeightsFile` finds what a job needs or says how to get it. Installing is in fetch.ts
// (downloads) and import.ts (files the user brings).
import { existsSync, statSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import { PainterlyError } from '../../../shared/errors.js';
import { formatMegabytes } from './bytes.js';
import { cacheDir, modelPath } from './cache.js';
import type { ModelName } from './model-names.js';
import { readSafetensors, type WeightSet } from './safetensors.js';
import { MODEL_CATALOG } from './sources.js';

export { BACKBONES_BY_MODEL, detectModel, type ModelName } from './model-names.js';

/** Cached files that can serve a request, best first. */
const CANDIDATES: Record<ModelName, ModelName[]> = {
  vgg19: ['vgg19'],
  'vgg19-partial': ['vgg19-partial', 'vgg19'],
  squeezenet: ['squeezenet'],
  googlenet: ['googlenet'],
};

function missingMessage(model: ModelName): string {
  const name = model === 'vgg19-partial' ? 'vgg19' : model;
  const entry = MODEL_CATALOG[name];
  const first = entry.sources[0];
  const byHand = first.kind === 'file' ? first.fileName : 'the files';
  return (
    `The ${entry.title} weights are not installed. Run \`npx painterly models fetch ${name}\` (${formatMegabytes(first.bytes)}), ` +
    `or on an offline machine download ${byHand} elsewhere and run \`npx painterly models import FILE\`.`
  );
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
