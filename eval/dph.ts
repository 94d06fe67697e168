// Harmonization quality against the original's published pass-2 results (issues 3 and 7).
// Per example: colour = mean ΔE76 inside the tight mask (ours vs published) / (naive vs
// published); structure = (1 − SSIM_L ours) / (1 − SSIM_L naive) over the mask's bounding box.
// Lower is better for both; 0 = the paper's pixels. Side-by-side PNGs: naive | ours | published.
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { sideBySide } from './side-by-side.js';
import { harmonize } from '../companion/pipeline/harmonize.js';
import { readImage, readMask } from '../companion/image/io.js';
import { resize } from '../companion/image/resize.js';
import { meanDeltaE76, ssimL, maskBoundingBox } from '../companion/image/metrics.js';
import { parseWikiartTau } from './wikiart-tau.js';
import type { Image } from '../companion/image/image.js';
import type { BackboneName } from '../companion/pipeline/types.js';
import { KIT, REPO_ROOT, kitWeights } from './shared-kit.js';

export async function main(argv: string[]): Promise<void> {
  const { values: v } = parseArgs({
    args: argv,
    options: {
      examples: { type: 'string', default: '1,5,16' }, backbone: { type: 'string', default: 'squeezenet' },
      size: { type: 'string', default: '350' }, 'pass1-iters': { type: 'string', default: '300' }, 'pass2-iters': { type: 'string', default: '300' },
      weights: { type: 'string' }, out: { type: 'string', default: join(REPO_ROOT, '.eval', 'dph') }, device: { type: 'string', default: 'cpu' },
    },
  });
  const examples = v.examples!.split(',').map(Number);
  const backbone = v.backbone as BackboneName;
  const size = Number(v.size);
  const weightsFile = v.weights ?? kitWeights(backbone);
  const data = join(KIT, 'dph-examples', 'data');
  const results = join(KIT, 'dph-examples', 'results');
  const taus = parseWikiartTau(await readFile(join(data, 'wikiart_output.txt'), 'utf8'));
  await mkdir(v.out!, { recursive: true });
  console.log(`dph eval: backbone ${backbone}, ${size} px, ${v['pass1-iters']} + ${v['pass2-iters']} iterations, examples ${examples.join(', ')}`);
  const colour: number[] = [];
  const structure: number[] = [];
  for (const k of examples) {
    const t0 = performance.now();
    const painting = await readImage(join(data, `${k}_target.jpg`));
    const composite = await readImage(join(data, `${k}_naive.jpg`));
    const mask = await readMask(join(data, `${k}_c_mask.jpg`));
    const dilatedMask = await readMask(join(data, `${k}_c_mask_dilated.jpg`));
    const tau = taus.get(k) ?? 5;
    const r = await harmonize({ painting, composite, mask, dilatedMask }, {
      backbone, weightsFile, size, tau, pass1Iters: Number(v['pass1-iters']), pass2Iters: Number(v['pass2-iters']), postProcess: false, device: v.device!,
    });
    const ours = r.stages.pass2!;
    const at = (img: Image): Image => resize(img, ours.width, ours.height);
    const published = at(await readImage(join(results, `${k}_final_res.png`)));
    const naive = at(composite);
    const tight = at(mask);
    const dOurs = meanDeltaE76(ours, published, tight);
    const dNaive = meanDeltaE76(naive, published, tight);
    const box = maskBoundingBox(tight, 0.5) ?? undefined;
    const sOurs = 1 - ssimL(ours, published, box);
    const sNaive = 1 - ssimL(naive, published, box);
    colour.push(dOurs / dNaive);
    structure.push(sOurs / sNaive);
    await sideBySide([naive, ours, published], join(v.out!, `${k}_${backbone}_${size}.png`));
    console.log(`example ${k} (τ ${tau.toFixed(2)}): ΔE ours ${dOurs.toFixed(2)}, naive ${dNaive.toFixed(2)}, colour ratio ${(dOurs / dNaive).toFixed(3)}; ` +
      `1−SSIM ours ${sOurs.toFixed(3)}, naive ${sNaive.toFixed(3)}, structure ratio ${(sOurs / sNaive).toFixed(3)}; ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }
  const mean = (a: number[]): number => a.reduce((x, y) => x + y, 0) / a.length;
  console.log(`side-by-side images (naive | ours | published): ${v.out}`);
  console.log(`dph-quality: ${mean(colour).toFixed(3)}`);
  console.log(`dph-structure: ${mean(structure).toFixed(3)}`);
}
