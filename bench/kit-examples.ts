// Kit examples for the schedule benchmarks: inputs at working size, τ, and the quality against
// the published pass 2 exactly as `npm run eval -- dph` measures it (eval/dph.ts): colour =
// mean ΔE76 inside the tight mask, ours / naive; structure = (1 − SSIM_L) over the mask's box,
// ours / naive. Lower is better; < 1 is closer to the paper than the naive paste.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readImage, readMask } from '../companion/image/io.js';
import { resize } from '../companion/image/resize.js';
import { boundsAbove } from '../companion/image/planar.js';
import { meanDeltaE76, ssimL } from '../eval/metrics.js';
import type { Image } from '../companion/image/image.js';
import type { HarmonizeDocument } from '../companion/pipeline/types.js';
import { parseWikiartTau } from '../eval/wikiart-tau.js';
import { KIT } from '../eval/shared-kit.js';

const DATA = join(KIT, 'dph-examples', 'data');
const RESULTS = join(KIT, 'dph-examples', 'results');

export interface KitExample {
  k: number;
  tau: number;
  inputs: HarmonizeDocument;
  published: Image;
}

export async function loadExample(k: number): Promise<KitExample> {
  const taus = parseWikiartTau(await readFile(join(DATA, 'wikiart_output.txt'), 'utf8'));
  const [painting, composite, mask, dilatedMask, published] = await Promise.all([
    readImage(join(DATA, `${k}_target.jpg`)), readImage(join(DATA, `${k}_naive.jpg`)),
    readMask(join(DATA, `${k}_c_mask.jpg`)), readMask(join(DATA, `${k}_c_mask_dilated.jpg`)),
    readImage(join(RESULTS, `${k}_final_res.png`)),
  ]);
  return { k, tau: taus.get(k) ?? 5, inputs: { painting, composite, mask, dilatedMask }, published };
}

export interface Quality {
  colour: number;
  structure: number;
}

/** Colour and structure ratios of `ours` (any size; compared at its size) against the published pass 2. */
export function qualityOf(ours: Image, ex: KitExample): Quality {
  const at = (img: Image): Image => resize(img, ours.width, ours.height);
  const published = at(ex.published);
  const naive = at(ex.inputs.composite);
  const tight = at(ex.inputs.mask);
  const box = boundsAbove(tight, 0.5);
  return {
    colour: meanDeltaE76(ours, published, tight) / meanDeltaE76(naive, published, tight),
    structure: (1 - ssimL(ours, published, box)) / (1 - ssimL(naive, published, box)),
  };
}

export function mean(a: number[]): number {
  return a.reduce((x, y) => x + y, 0) / a.length;
}
