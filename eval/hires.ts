// Native detail on large canvases (issue 12): per image of the hires set (hires-set.ts), one
// harmonize job with `detail: native`, which runs the paper-scale job first and then its levels,
// so the paper-scale result and both times come from the same run. Reports per image:
//   detail ratio (native, and the paper-scale result enlarged as `--detail paper` gives it, and the
//   naive paste), colour kept (ΔE76), seam ratio (hires-metrics.ts; also of the naive paste and
//   of the paper-scale result on its own canvas: the outline the harmonization itself gave the
//   object), and the job's time native ÷ paper-scale part, also carried to a Full job
//   (hires-metrics.ts, fullJobRatio). Contact sheets at 100 %: naive | paper | native, cropped
//   around the object.
//   npm run eval -- hires [--backbone vgg19-shallow] [--size 700] [--pass1-iters 300] [--pass2-iters 300]
//                         [--cases NAME,…] [--out DIR] [--json FILE] [--verbose]
// Done when (issue 12): detail 0.8–1.25, colour kept ≤ 4 ΔE, seam ≤ 1.2 on every image.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { harmonize } from '../companion/pipeline/harmonize/harmonize.js';
import { toInputResolution } from '../companion/pipeline/harmonize/enlarge.js';
import { wholeDocument } from '../companion/pipeline/harmonize/document-view.js';
import { loadNetwork } from '../companion/compute/network.js';
import { readImage, readMask, writeImage } from '../companion/image/io.js';
import { firstChannel, type Image } from '../companion/image/image.js';
import { resize } from '../companion/image/resize.js';
import { planNativeDetail } from '../companion/pipeline/harmonize/detail/job.js';
import { cropImage } from '../companion/pipeline/harmonize/detail/geometry.js';
import type { BackboneName } from '../shared/catalogue.js';
import type { Progress } from '../companion/pipeline/types.js';
import { signedDistance } from '../companion/image/distance.js';
import { FULL_EXPECTED, colourKept, detailRatio, fullJobRatio, seamProfile, seamRatio } from './hires-metrics.js';
import { HIRES_SET, buildCase } from './hires-set.js';
import { sideBySide } from './side-by-side.js';
import { REPO_ROOT, kitWeights } from './shared-kit.js';

export interface HiresRow {
  name: string;
  size: string;
  levels: string;
  detail: { native: number; paper: number; naive: number };
  colourKept: number;
  /** paperOwn: the paper-scale result on its own canvas (the outline the harmonization gave the object, before any enlarging). */
  seam: { native: number; paper: number; naive: number; paperOwn: number };
  seconds: { paperPart: number; native: number; ratio: number; fullRatio: number };
}

/** Issue 12's bounds. */
export const DONE_WHEN = { detail: [0.8, 1.25], colourKept: 4, seam: 1.2, timeRatio: 2 } as const;

export async function main(argv: string[]): Promise<void> {
  const { values: v } = parseArgs({
    args: argv,
    options: {
      backbone: { type: 'string', default: 'vgg19-shallow' }, size: { type: 'string', default: '700' },
      'pass1-iters': { type: 'string', default: '300' }, 'pass2-iters': { type: 'string', default: '300' }, tau: { type: 'string', default: '5' },
      cases: { type: 'string' }, weights: { type: 'string' }, device: { type: 'string', default: 'cpu' },
      out: { type: 'string', default: join(REPO_ROOT, '.eval', 'hires') }, json: { type: 'string' }, verbose: { type: 'boolean', default: false },
    },
  });
  const backbone = v.backbone as BackboneName;
  const cases = v.cases ? HIRES_SET.filter((c) => v.cases!.split(',').includes(c.name)) : HIRES_SET;
  const out = v.out!;
  await mkdir(out, { recursive: true });
  const net = await loadNetwork(backbone, { weightsFile: v.weights ?? kitWeights(backbone), device: v.device });
  const options = { backbone, size: Number(v.size), tau: Number(v.tau), pass1Iters: Number(v['pass1-iters']), pass2Iters: Number(v['pass2-iters']), postProcess: true, detail: 'native' as const, device: v.device! };
  console.log(`hires eval: ${backbone}, ${options.size} px, ${options.pass1Iters} + ${options.pass2Iters} iterations, τ ${options.tau}; images in ${out}`);
  const rows: HiresRow[] = [];
  for (const c of cases) {
    const files = await buildCase(c, join(out, 'set'));
    const painting = await readImage(files.painting);
    const composite = await readImage(files.composite);
    const mask = await readMask(files.mask);
    const job = planNativeDetail(painting, options.size, wholeDocument(mask));
    let detailStarted = NaN;
    const t0 = performance.now();
    let stage = '';
    // Seconds spent in each pass (from its start to the next stage's) and its iterations, for each pass's seconds per iteration.
    const passSeconds: [number, number] = [0, 0];
    const passIterations: [number, number] = [0, 0];
    let passStarted = NaN;
    const passOf = (s: string): 0 | 1 | undefined => (s === 'pass-1' ? 0 : s === 'pass-2' ? 1 : undefined);
    const onProgress = (p: Progress): void => {
      if (p.stage === 'detail' && Number.isNaN(detailStarted)) detailStarted = performance.now();
      const k = passOf(p.stage);
      if (k !== undefined && p.iteration > 0) passIterations[k] = p.iteration;
      if (p.stage !== stage && !Number.isNaN(passStarted)) {
        passSeconds[passOf(stage)!] += (performance.now() - passStarted) / 1000;
        passStarted = NaN;
      }
      if (p.stage !== stage && k !== undefined) passStarted = performance.now();
      if (p.stage.replace(/:.*/, '') !== stage.replace(/:.*/, '') && v.verbose) console.log(`  ${c.name}: ${p.stage.replace(/:.*/, '')} at ${((performance.now() - t0) / 1000).toFixed(0)} s`);
      stage = p.stage;
    };
    const r = await harmonize({ painting, composite, mask }, options, { onProgress }, { network: net });
    const total = (performance.now() - t0) / 1000;
    const paperPart = (detailStarted - t0) / 1000;
    const paperScale = r.stages.final!;
    const tight = resize(firstChannel(mask), paperScale.width, paperScale.height);
    const paperDoc = toInputResolution(paperScale, painting, tight, painting.width, painting.height);
    const dist = signedDistance(mask);
    const row: HiresRow = {
      name: c.name,
      size: `${painting.width}×${painting.height}`,
      levels: job ? [job.plan.paper, ...job.plan.levels].map((l) => Math.max(l.width, l.height)).join('→') : '-',
      detail: { native: detailRatio(r.image, dist), paper: detailRatio(paperDoc, dist), naive: detailRatio(composite, dist) },
      colourKept: colourKept(r.image, paperScale, mask),
      seam: { native: seamRatio(r.image, dist), paper: seamRatio(paperDoc, dist), naive: seamRatio(composite, dist), paperOwn: seamRatio(paperScale, signedDistance(tight)) },
      seconds: { paperPart, native: total, ratio: total / paperPart, fullRatio: fullJobRatio(paperPart, total - paperPart, [0, 1].map((k) => (passIterations[k] > 0 ? passSeconds[k] / passIterations[k] : 0)) as [number, number], passIterations) },
    };
    rows.push(row);
    await writeImage(join(out, `${c.name}-${backbone}-native.png`), r.image);
    await writeImage(join(out, `${c.name}-${backbone}-paper-scale.png`), paperScale);
    if (job) {
      await sideBySide([composite, paperDoc, r.image].map((img: Image) => cropImage(img, job.rect)), join(out, `${c.name}-${backbone}-sheet.png`));
    }
    console.log(formatRow(row));
    const profile = seamProfile(r.image, dist);
    const peak = profile.reduce((a, b) => (b.ratio > a.ratio ? b : a));
    const outside = profile.filter((p) => p.d <= -3).map((p) => p.ratio);
    console.log(`  ${c.name}: the outline's gradient peaks ${peak.d > 0 ? `${peak.d} px inside` : peak.d < 0 ? `${-peak.d} px outside` : 'on'} the mask's boundary (${peak.ratio.toFixed(2)} × the ring); 3–12 px outside it ${Math.min(...outside).toFixed(2)}–${Math.max(...outside).toFixed(2)} × the ring`);
  }
  console.log(`contact sheets (naive | paper | native, 100 %): ${out}/*-sheet.png`);
  const ok = rows.every((r) => r.detail.native >= DONE_WHEN.detail[0] && r.detail.native <= DONE_WHEN.detail[1] && r.colourKept <= DONE_WHEN.colourKept && r.seam.native <= DONE_WHEN.seam);
  console.log(`hires-detail: ${rows.map((r) => r.detail.native.toFixed(2)).join(' ')}; all within issue 12's bounds: ${ok ? 'yes' : 'no'}`);
  if (v.json) await writeFile(v.json, JSON.stringify({ backbone, options, rows }, null, 2));
}

function formatRow(r: HiresRow): string {
  return `${r.name} (${r.size}, levels ${r.levels}): detail native ${r.detail.native.toFixed(2)}, paper ${r.detail.paper.toFixed(2)}, naive ${r.detail.naive.toFixed(2)}; ` +
    `colour kept ${r.colourKept.toFixed(2)} ΔE; seam native ${r.seam.native.toFixed(2)}, paper ${r.seam.paper.toFixed(2)} (on its own canvas ${r.seam.paperOwn.toFixed(2)}), naive ${r.seam.naive.toFixed(2)}; ` +
    `time ${r.seconds.native.toFixed(0)} s, paper-scale part ${r.seconds.paperPart.toFixed(0)} s, native ÷ paper ${r.seconds.ratio.toFixed(2)} (at Full, auto's ${FULL_EXPECTED.join(' + ')} iterations expected, ≈ ${r.seconds.fullRatio.toFixed(2)})`;
}
