// Photo style quality against the original's published results (issue 6).
// Per example: mean ΔE76 over the whole image between our result and the published
// final_results/best<i>_t_1000.png, the same for the unchanged input photo, and their ratio
// (lower is better; 0 = the paper's pixels, 1 = no closer than doing nothing). Also our stage 1
// against the published stage 1 (tmp_results/out<i>_t_1000.png). Side-by-side PNGs:
// input | ours | published.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { sideBySide } from './side-by-side.js';
import { photoStyle } from '../companion/pipeline/photo-style/photo-style.js';
import { readImage } from '../companion/image/io.js';
import { resize } from '../companion/image/resize.js';
import { createImage, type Image } from '../companion/image/image.js';
import { meanDeltaE76 } from './metrics.js';
import type { BackboneName } from '../shared/catalogue.js';
import type { SmoothingMode } from '../companion/pipeline/photo-style/smoothing.js';
import { KIT, REPO_ROOT, kitWeights } from './shared-kit.js';

export async function main(argv: string[]): Promise<void> {
  const { values: v } = parseArgs({
    args: argv,
    options: {
      examples: { type: 'string', default: '1,4,9,13' }, backbone: { type: 'string', default: 'vgg19-shallow' },
      size: { type: 'string', default: '256' }, 'stage1-iters': { type: 'string', default: '100' }, 'stage2-iters': { type: 'string', default: '100' },
      smooth: { type: 'string', default: 'affine' }, weights: { type: 'string' },
      out: { type: 'string', default: join(REPO_ROOT, '.eval', 'photo') }, device: { type: 'string', default: 'cpu' },
    },
  });
  const examples = v.examples!.split(',').map(Number);
  const backbone = v.backbone as BackboneName;
  const size = Number(v.size);
  const smoothing = v.smooth as SmoothingMode;
  const weightsFile = v.weights ?? kitWeights(backbone);
  const data = join(KIT, 'dpst-examples');
  await mkdir(v.out!, { recursive: true });
  console.log(`photo eval: backbone ${backbone}, ${size} px, ${v['stage1-iters']} + ${v['stage2-iters']} iterations, smoothing ${smoothing}, examples ${examples.join(', ')}`);
  const ratios: number[] = [];
  for (const k of examples) {
    const t0 = performance.now();
    const content = await readImage(join(data, 'input', `in${k}.png`));
    const r = await photoStyle({
      content,
      style: await readImage(join(data, 'style', `tar${k}.png`)),
      contentLabels: await readImage(join(data, 'segmentation', `in${k}.png`)),
      styleLabels: await readImage(join(data, 'segmentation', `tar${k}.png`)),
    }, { backbone, weightsFile, size, stage1Iters: Number(v['stage1-iters']), stage2Iters: Number(v['stage2-iters']), smoothing, device: v.device! });
    const ours = r.stages.final;
    const at = (img: Image): Image => resize(img, ours.width, ours.height);
    const everywhere = createImage(ours.width, ours.height, 1, 1);
    const published = at(await readImage(join(data, 'final_results', `best${k}_t_1000.png`)));
    const publishedStage1 = at(await readImage(join(data, 'tmp_results', `out${k}_t_1000.png`)));
    const input = at(content);
    const dOurs = meanDeltaE76(ours, published, everywhere);
    const dInput = meanDeltaE76(input, published, everywhere);
    const dStage1 = meanDeltaE76(r.stages.stage1, publishedStage1, everywhere);
    ratios.push(dOurs / dInput);
    await sideBySide([input, ours, published], join(v.out!, `${k}_${backbone}_${size}_${smoothing}.png`));
    const guard = r.restarts.some((n) => n > 0) ? `; divergence guard restarted stage 1 / 2 ${r.restarts.join(' / ')}×` : '';
    const notes = (r.notes.length ? ` (${r.notes.join(' ')})` : '') + guard;
    console.log(`example ${k}: ΔE ours ${dOurs.toFixed(2)}, input ${dInput.toFixed(2)}, ratio ${(dOurs / dInput).toFixed(3)}; ` +
      `stage 1 vs published stage 1 ΔE ${dStage1.toFixed(2)}; ${((performance.now() - t0) / 1000).toFixed(1)} s${notes}`);
  }
  const mean = ratios.reduce((a, b) => a + b, 0) / ratios.length;
  console.log(`side-by-side images (input | ours | published): ${v.out}`);
  console.log(`photo-quality: ${mean.toFixed(3)}`);
}
