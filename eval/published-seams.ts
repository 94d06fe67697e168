// `npm run eval -- published-seams`: the large-canvas measures (hires-metrics.ts) on the kit's
// 25 examples at their own ~700 px, for the naive paste and the original's published final
// result, with the tight mask — what the paper's own method gives at the outline, to read the
// hires eval's seam ratios against; then the seam measure on shapes the hires paintings' own
// painters drew (painting-shapes.ts), what an object that belongs in the painting scores.
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { signedDistance } from '../companion/image/distance.js';
import { readImage, readMask } from '../companion/image/io.js';
import { resize } from '../companion/image/resize.js';
import { PainterlyError } from '../shared/errors.js';
import { detailRatio, seamRatio } from './hires-metrics.js';
import { paintingShapeSeams } from './painting-shapes.js';
import { KIT, REPO_ROOT } from './shared-kit.js';

const fmt = (n: number): string => n.toFixed(2);

export async function main(): Promise<void> {
  const dir = join(KIT, 'dph-examples');
  if (!existsSync(dir)) throw new PainterlyError('FILE_NOT_FOUND', `The team kit's examples are not at ${dir}.`);
  console.log('example | seam naive → published | detail naive → published');
  const seams: number[] = [];
  for (let k = 0; k < 25; k++) {
    const mask = await readMask(join(dir, 'data', `${k}_c_mask.jpg`));
    const naive = await readImage(join(dir, 'data', `${k}_naive.jpg`));
    let published = await readImage(join(dir, 'results', `${k}_final_res.png`));
    if (published.width !== naive.width || published.height !== naive.height) published = resize(published, naive.width, naive.height);
    const d = signedDistance(mask);
    const seam = seamRatio(published, d);
    seams.push(seam);
    console.log(`${String(k).padStart(7)} | ${fmt(seamRatio(naive, d))} → ${fmt(seam)} | ${fmt(detailRatio(naive, d))} → ${fmt(detailRatio(published, d))}`);
  }
  const sorted = [...seams].sort((a, b) => a - b);
  console.log(`published seam: mean ${fmt(seams.reduce((a, b) => a + b, 0) / seams.length)}, median ${fmt(sorted[12])}, above 1.2 on ${seams.filter((s) => s > 1.2).length} of 25`);
  const out = join(REPO_ROOT, '.eval', 'painting-shapes');
  await mkdir(out, { recursive: true });
  console.log('\nthe hires paintings\' own shapes, the painting itself as the result (painting-shapes.ts; selections in ' + out + '):');
  for (const r of await paintingShapeSeams(out)) console.log(`  ${r.name}: seam ${fmt(r.seam)} (the shape is ${(100 * r.area).toFixed(1)} % of the crop)`);
}
