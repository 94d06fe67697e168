// How native detail was chosen (issue 12): on the same paper-scale result, every method tried for
// the levels, with the measures of eval/hires.ts and the levels' time.
//   enlarge        today's `--detail paper`: the working-size result enlarged through a soft mask
//   mean-sharp     §5 as at the paper's scale, per level: PatchMatch against the sharp painting,
//                  every pixel the mean of its 49 votes; the band above the level below added
//   mean-band      the same, matching against the painting band-limited to the level below
//   copy-band      matched on the band-limited painting, each pixel copied from its nearest patch
//   copy-band-bp   + back-projection onto the level below (Irani & Peleg)
//   gain           + the band's gain set so the object's detail matches the painting's around it
//   native         + the band and the projection fading across the object's outline (what
//                  `--detail native` does)
//   cnn            the first level refined by pass 2 on the CNN (its own matching, used set and
//                  targets at that level, --cnn-iters iterations from the level below), the
//                  levels above by `native`'s synthesis
//   npm run bench -- hires-methods [--cases starry-eagle,starry2x-eiffel] [--paper DIR] [--backbone vgg19-shallow]
//                                  [--iters 300] [--cnn-iters 50] [--methods a,b,…] [--out DIR]
// --paper reads `<case>-<backbone>-paper-scale.png` written by `npm run eval -- hires`; without it
// (or without the file) the paper-scale job runs here first.
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { harmonize } from '../companion/pipeline/harmonize/harmonize.js';
import { toInputResolution } from '../companion/pipeline/harmonize/enlarge.js';
import { wholeDocument } from '../companion/pipeline/harmonize/document-view.js';
import { loadNetwork, type Network } from '../companion/compute/network.js';
import { readImage, readMask, writeImage } from '../companion/image/io.js';
import { firstChannel, type Image } from '../companion/image/image.js';
import { resize, workingSize } from '../companion/image/resize.js';
import { intoDocument, planNativeDetail } from '../companion/pipeline/harmonize/detail/job.js';
import { refineToNative, type LevelContext, type NativeSettings } from '../companion/pipeline/harmonize/detail/native.js';
import { cropAt, cropFromCanvas, cropImage, transfer } from '../companion/pipeline/harmonize/detail/geometry.js';
import { backProject } from '../companion/pipeline/harmonize/detail/synthesis.js';
import { refineLevelCnn } from './hires-cnn-level.js';
import { dilateTightMask } from '../companion/pipeline/harmonize/masks.js';
import { paintingNoise } from '../companion/pipeline/harmonize/style-weights.js';
import type { BackboneName } from '../shared/catalogue.js';
import { signedDistance } from '../companion/image/distance.js';
import { colourKept, detailRatio, seamRatio } from '../eval/hires-metrics.js';
import { HIRES_SET, buildCase } from '../eval/hires-set.js';
import { sideBySide } from '../eval/side-by-side.js';
import { REPO_ROOT, kitWeights } from '../eval/shared-kit.js';
import { fmt } from './util.js';

const SYNTHESIS: Record<string, NativeSettings> = {
  'mean-sharp': { edgeTaper: 0, synthesis: { vote: 'mean', match: 'sharp', projections: 0, gain: 1 } },
  'mean-band': { edgeTaper: 0, synthesis: { vote: 'mean', match: 'band', projections: 0, gain: 1 } },
  'copy-band': { edgeTaper: 0, synthesis: { vote: 'copy', match: 'band', projections: 0, gain: 1 } },
  'copy-band-bp': { edgeTaper: 0, synthesis: { vote: 'copy', match: 'band', gain: 1 } },
  gain: { edgeTaper: 0 },
  native: {},
};

interface Inputs {
  painting: Image;
  composite: Image;
  mask: Image;
}

export async function main(argv: string[]): Promise<void> {
  const { values: v } = parseArgs({
    args: argv,
    options: {
      cases: { type: 'string', default: 'starry-eagle,starry2x-eiffel' }, paper: { type: 'string' }, backbone: { type: 'string', default: 'vgg19-shallow' },
      iters: { type: 'string', default: '300' }, 'cnn-iters': { type: 'string', default: '50' },
      methods: { type: 'string', default: 'enlarge,mean-sharp,mean-band,copy-band,copy-band-bp,gain,native,cnn' },
      out: { type: 'string', default: join(REPO_ROOT, '.bench', 'hires-methods') },
    },
  });
  const out = v.out!;
  await mkdir(out, { recursive: true });
  const backbone = v.backbone as BackboneName;
  const net = await loadNetwork(backbone, { weightsFile: kitWeights(backbone), device: 'cpu' });
  const methods = v.methods!.split(',');
  console.log(`hires methods: paper-scale results from ${backbone}; CNN levels ${v['cnn-iters']} iterations; PatchMatch on 2 threads`);
  for (const name of v.cases!.split(',')) {
    const c = HIRES_SET.find((k) => k.name === name);
    if (!c) throw new Error(`Unknown case '${name}'.`);
    const files = await buildCase(c, join(out, 'set'));
    const inputs: Inputs = { painting: await readImage(files.painting), composite: await readImage(files.composite), mask: await readMask(files.mask) };
    const paper = await paperScale(inputs, net, backbone, Number(v.iters), v.paper && join(v.paper, `${name}-${backbone}-paper-scale.png`));
    const job = planNativeDetail(inputs.painting, Math.max(paper.width, paper.height), wholeDocument(inputs.mask))!;
    const dist = signedDistance(inputs.mask);
    const sheet: Image[] = [];
    for (const method of methods) {
      const t0 = performance.now();
      const image = method === 'enlarge'
        ? toInputResolution(paper, inputs.painting, resize(firstChannel(inputs.mask), paper.width, paper.height), inputs.painting.width, inputs.painting.height)
        : intoDocument(inputs.painting, await refineToNative({ painting: wholeDocument(inputs.painting), mask: wholeDocument(inputs.mask), paper, plan: job.plan, rect: job.rect }, {}, settingsFor(method, net, inputs, job.plan.paper, Number(v['cnn-iters']))));
      const seconds = (performance.now() - t0) / 1000;
      console.log(`${name} ${method.padEnd(13)} detail ${fmt(detailRatio(image, dist), 2)}  colour kept ${fmt(colourKept(image, paper, inputs.mask), 2)} ΔE  seam ${fmt(seamRatio(image, dist), 2)}  levels ${fmt(seconds, 1)} s`);
      const r = job.rect;
      const crop = cropImage(image, r);
      sheet.push(crop);
      await writeImage(join(out, `${name}-${method}.png`), crop);
    }
    await sideBySide(sheet, join(out, `${name}-methods.png`));
  }
  console.log(`crops per method and side-by-side sheets (${methods.join(' | ')}): ${out}`);
}

async function paperScale(inputs: Inputs, net: Network, backbone: BackboneName, iters: number, file?: string): Promise<Image> {
  if (file && existsSync(file)) return readImage(file);
  const r = await harmonize(inputs, { backbone, size: 700, pass1Iters: iters, pass2Iters: iters, detail: 'paper', device: 'cpu' }, {}, { network: net });
  return r.stages.final!;
}

function settingsFor(method: string, net: Network, inputs: Inputs, paperSize: { width: number; height: number }, cnnIters: number): NativeSettings {
  if (method in SYNTHESIS) return { workers: 2, ...SYNTHESIS[method] };
  if (method !== 'cnn') throw new Error(`Unknown method '${method}'.`);
  const mask = firstChannel(inputs.mask);
  const paperDilated = dilateTightMask(resize(mask, paperSize.width, paperSize.height));
  const ns = workingSize(inputs.painting.width, inputs.painting.height, 700);
  const noise = paintingNoise(resize(inputs.painting, ns.width, ns.height));
  return {
    workers: 2,
    levelOverride: async (ctx: LevelContext) => {
      if (ctx.index !== 0) return undefined;
      const paperCrop = cropAt(ctx.rect, ctx.doc, paperSize);
      const grow = Math.max(ctx.rect.width, ctx.rect.height) / 4;
      const windowRect = { x0: Math.max(0, ctx.rect.x0 - grow), y0: Math.max(0, ctx.rect.y0 - grow), width: 0, height: 0 };
      windowRect.width = Math.min(ctx.doc.width, ctx.rect.x0 + ctx.rect.width + grow) - windowRect.x0;
      windowRect.height = Math.min(ctx.doc.height, ctx.rect.y0 + ctx.rect.height + grow) - windowRect.y0;
      let x = await refineLevelCnn(net, {
        start: backProject(ctx.start, ctx.below, ctx.crop, ctx.belowCrop),
        naive: cropFromCanvas(wholeDocument(inputs.composite), ctx.crop),
        tight: cropFromCanvas(wholeDocument(mask), ctx.crop),
        dilated: transfer(cropImage(paperDilated, paperCrop.region), paperCrop, ctx.crop),
        painting: cropFromCanvas(wholeDocument(inputs.painting), cropAt(windowRect, ctx.doc, ctx.crop.canvas)),
      }, { iterations: cnnIters, tau: 5, noise, signal: ctx.signal });
      for (let k = 0; k < 2; k++) x = backProject(x, ctx.below, ctx.crop, ctx.belowCrop);
      return x;
    },
  };
}
