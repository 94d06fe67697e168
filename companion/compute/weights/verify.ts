// `painterly models verify`: re-reads every installed model and re-checks it. A file is OK when it
// parses, every backbone it enables finds its layers, and the digest of its tensors equals the one
// recorded at install (and, for SqueezeNet and GoogLeNet, says whether that is the official one).
import { existsSync, statSync } from 'node:fs';
import { isPainterlyError } from '../../../shared/errors.js';
import { checkWeights, getBackbone } from '../backbones/index.js';
import { cacheDir, modelPath } from './cache.js';
import { BACKBONES_BY_MODEL, type ModelName } from './model-names.js';
import { readSafetensors } from './safetensors.js';
import { MODEL_CATALOG } from './sources.js';
import { tensorDigest } from './tensor-digest.js';

/**
 * `unverified`: the file reads and has the layers its backbones need, but it was installed before
 * digests were recorded and is not the official weights (or no official digest exists), so a
 * change since then cannot be detected. Reinstalling records a digest.
 */
export type VerifyStatus = 'ok' | 'corrupt' | 'missing' | 'unverified';

export interface VerifyReport {
  model: ModelName;
  status: VerifyStatus;
  file: string;
  bytes?: number;
  /** What was found, as a sentence. */
  detail: string;
  /** The command that repairs or installs it (absent when OK). */
  fix?: string;
  /** True when the tensors are the pinned official weights. */
  official?: boolean;
}

function fixCommand(model: ModelName, reinstall: boolean): string {
  if (model === 'vgg19-partial') return 'npx painterly models import FILE (the file you installed it from), or npx painterly models fetch vgg19';
  return `npx painterly models fetch ${model}${reinstall ? ' --force' : ''}`;
}

async function verifyOne(model: ModelName, file: string): Promise<VerifyReport> {
  const bytes = statSync(file).size;
  const corrupt = (detail: string): VerifyReport => ({ model, status: 'corrupt', file, bytes, detail, fix: fixCommand(model, true) });
  let weights;
  try {
    weights = await readSafetensors(file);
    for (const backbone of BACKBONES_BY_MODEL[model]) checkWeights(getBackbone(backbone), weights.tensors, file);
  } catch (e) {
    if (isPainterlyError(e)) return corrupt(e.message);
    throw e;
  }
  const digest = tensorDigest(weights.tensors);
  const recorded = weights.metadata.tensors_sha256;
  const pinned = model === 'squeezenet' || model === 'googlenet' ? MODEL_CATALOG[model].tensorsSha256 : undefined;
  const official = pinned ? digest === pinned : undefined;
  if (recorded && digest !== recorded) {
    return corrupt(`its tensors changed since it was installed (digest ${digest}, recorded ${recorded}).`);
  }
  const which = official === true ? 'the official weights' : official === false ? 'not the official weights (imported)' : 'no official digest to compare with';
  if (recorded || official) {
    return { model, status: 'ok', file, bytes, official, detail: `tensors match the digest ${recorded ? 'recorded at install' : 'of the official weights'}; ${which}.` };
  }
  return {
    model,
    status: 'unverified',
    file,
    bytes,
    official,
    detail: 'the file reads and has the layers its backbones need, but no digest was recorded when it was installed; reinstall it to make it verifiable.',
    fix: fixCommand(model, true),
  };
}

/**
 * Checks the installed models: every downloadable one (reported `missing` when absent) and a
 * partial VGG-19 when present.
 */
export async function verifyModels(dir: string = cacheDir()): Promise<VerifyReport[]> {
  const reports: VerifyReport[] = [];
  for (const model of ['vgg19', 'vgg19-partial', 'squeezenet', 'googlenet'] as const) {
    const file = modelPath(model, dir);
    if (!existsSync(file)) {
      if (model !== 'vgg19-partial') reports.push({ model, status: 'missing', file, detail: 'not installed.', fix: fixCommand(model, false) });
      continue;
    }
    reports.push(await verifyOne(model, file));
  }
  return reports;
}
