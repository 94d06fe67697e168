// The kit files the harmonization stages read: one example (painting, naive composite, masks,
// τ, the published result) and vgg19-shallow's weights. On the GPU machine the kit does not
// travel; `scripts/gpu-check-pack.mjs` copies exactly these files into .gpucheck/kit/ with the
// kit's layout, and --kit points there.
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { KitFiles } from './protocol.js';

export const KIT_WEIGHTS = 'weights/vgg19-conv1_1-to-conv3_4.safetensors';

/** Paths relative to the kit of what example `k` uses; `required` ones decide whether quality runs. */
export function kitPaths(k: number): Array<{ key: keyof KitFiles; rel: string; required: boolean }> {
  return [
    { key: 'painting', rel: `dph-examples/data/${k}_target.jpg`, required: true },
    { key: 'composite', rel: `dph-examples/data/${k}_naive.jpg`, required: true },
    { key: 'mask', rel: `dph-examples/data/${k}_c_mask.jpg`, required: true },
    { key: 'dilatedMask', rel: `dph-examples/data/${k}_c_mask_dilated.jpg`, required: false },
    { key: 'tauTable', rel: 'dph-examples/data/wikiart_output.txt', required: false },
    { key: 'published', rel: `dph-examples/results/${k}_final_res.png`, required: false },
    { key: 'weights', rel: KIT_WEIGHTS, required: true },
  ];
}

export interface KitCheck {
  dir: string;
  example: number;
  files: KitFiles;
  /** Relative paths that are not there. */
  missing: string[];
  /** The example's images are there (else timing runs on a synthetic scene). */
  hasExample: boolean;
  /** Example and weights are there: the quality and comparison runs can go. */
  hasQualityInputs: boolean;
}

export function checkKit(dir: string, example: number): KitCheck {
  const files: KitFiles = {};
  const missing: string[] = [];
  for (const { key, rel } of kitPaths(example)) {
    const p = path.join(dir, rel);
    if (existsSync(p)) files[key] = p;
    else missing.push(rel);
  }
  const hasExample = Boolean(files.painting && files.composite && files.mask);
  return { dir, example, files, missing, hasExample, hasQualityInputs: hasExample && Boolean(files.weights) };
}
