// Photo style benchmark (issue 6): the whole pipeline at 350 and 700 px on a real example — time
// per stage, per iteration of both stages, the estimate for the paper's 1000 + 1000 iterations,
// peak memory — and the matting Laplacian on its own (precompute, one product M·v, the stage-2
// term of 3 products), which is the CPU work stage 2 adds to every iteration.
//   npm run bench -- photo [--backbones vgg19,vgg19-shallow] [--sizes 350,700] [--iters 4]
//                          [--example 9] [--smooth affine|closed-form|none]
// VGG-19 runs with synthetic weights (same shapes and cost as the real ones, which are not in
// the kit); a backbone whose weights the kit has runs with those.
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { photoStyle } from '../companion/pipeline/photo-style/photo-style.js';
import { loadNetwork, networkFromWeights, type Network } from '../companion/compute/network.js';
import { getBackbone } from '../companion/compute/backbones/index.js';
import { syntheticWeights } from './synthetic-weights.js';
import { readImage } from '../companion/image/io.js';
import { resize, workingSize } from '../companion/image/resize.js';
import type { Image } from '../companion/image/image.js';
import { mattingLaplacianOperator } from '../companion/pipeline/photo-style/matting-laplacian.js';
import { photorealismTerm } from '../companion/pipeline/photo-style/stages.js';
import { toNetworkSpace } from '../companion/pipeline/common/network-space.js';
import type { SmoothingMode } from '../companion/pipeline/photo-style/smoothing.js';
import type { PhotoStyleInputs, Progress } from '../companion/pipeline/types.js';
import { KIT, kitWeights } from '../eval/shared-kit.js';
import { fmt, peakRssMiB, timeIt } from './util.js';

interface RunFigures {
  total: number;
  stages: Map<string, number>;
  perIteration: [number, number];
}

async function timedRun(inputs: PhotoStyleInputs, net: Network, size: number, iters: number, smoothing: SmoothingMode): Promise<RunFigures> {
  const stages = new Map<string, number>();
  let current = '';
  let since = performance.now();
  const first = [0, 0];
  const last = [0, 0];
  const onProgress = (p: Progress): void => {
    const now = performance.now();
    if (p.stage.startsWith('note: ')) return;
    if (p.stage !== current) {
      if (current) stages.set(current, (stages.get(current) ?? 0) + (now - since) / 1000);
      current = p.stage;
      since = now;
    }
    const s = p.stage === 'stage-1' ? 0 : p.stage === 'stage-2' ? 1 : -1;
    if (s >= 0 && p.iteration === 1) first[s] = now;
    if (s >= 0 && p.iteration > 0) last[s] = now;
  };
  const t0 = performance.now();
  await photoStyle(inputs, { backbone: net.spec.name as never, size, stage1Iters: iters, stage2Iters: iters, smoothing, device: net.device }, { onProgress }, { network: net });
  const total = (performance.now() - t0) / 1000;
  const perIteration = [0, 1].map((i) => (last[i] - first[i]) / 1000 / Math.max(1, iters - 1)) as [number, number];
  return { total, stages, perIteration };
}

/** Precompute, one M·v, and the stage-2 term (3 products plus the gradient) at the working size. */
async function laplacianFigures(content: Image, size: number): Promise<string> {
  const ws = workingSize(content.width, content.height, size);
  const img = resize(content, ws.width, ws.height);
  const build = await timeIt(async () => mattingLaplacianOperator(img), { warmup: 1, runs: 3 });
  const op = mattingLaplacianOperator(img);
  const v = new Float64Array(op.size).map((_, i) => Math.sin(i * 0.37));
  const out = new Float64Array(op.size);
  const product = await timeIt(async () => op.apply(v, out), { warmup: 2, runs: 9 });
  const pre = getBackbone('vgg19').preprocess;
  const term = photorealismTerm(op, pre, 1e4);
  const x = toNetworkSpace(img, pre).data;
  const grad = new Float32Array(x.length);
  const stage2Term = await timeIt(async () => term(x, grad), { warmup: 1, runs: 5 });
  return `matting Laplacian ${ws.width}×${ws.height}: precompute ${fmt(build * 1000, 1)} ms, one M·v ${fmt(product * 1000, 1)} ms, stage-2 term (3 products + gradient) ${fmt(stage2Term * 1000, 1)} ms per iteration`;
}

export async function main(argv: string[]): Promise<void> {
  const { values: v } = parseArgs({
    args: argv,
    options: {
      backbones: { type: 'string', default: 'vgg19' }, sizes: { type: 'string', default: '350,700' },
      iters: { type: 'string', default: '4' }, example: { type: 'string', default: '9' }, smooth: { type: 'string', default: 'affine' },
    },
  });
  const data = join(KIT, 'dpst-examples');
  const k = v.example!;
  const inputs: PhotoStyleInputs = {
    content: await readImage(join(data, 'input', `in${k}.png`)), style: await readImage(join(data, 'style', `tar${k}.png`)),
    contentLabels: await readImage(join(data, 'segmentation', `in${k}.png`)), styleLabels: await readImage(join(data, 'segmentation', `tar${k}.png`)),
  };
  const iters = Number(v.iters);
  const smoothing = v.smooth as SmoothingMode;
  const sizes = v.sizes!.split(',').map(Number);
  console.log(`photo benchmark: example ${k} (${inputs.content.width}×${inputs.content.height}, with labels), ${iters} + ${iters} iterations per run, smoothing ${smoothing}`);
  for (const size of sizes) console.log(await laplacianFigures(inputs.content, size));
  for (const backbone of v.backbones!.split(',')) {
    const spec = getBackbone(backbone);
    const weightsFile = kitWeights(backbone);
    const net = weightsFile ? await loadNetwork(backbone, { weightsFile, device: 'cpu' }) : networkFromWeights(spec, syntheticWeights(spec), 'cpu');
    const kind = weightsFile ? 'real weights' : 'synthetic weights';
    for (const size of sizes) {
      const r = await timedRun(inputs, net, size, iters, smoothing);
      const ws = workingSize(inputs.content.width, inputs.content.height, size);
      const est = r.total + (1000 - iters) * (r.perIteration[0] + r.perIteration[1]);
      console.log(`${backbone} (${kind}) ${ws.width}×${ws.height}: total ${fmt(r.total, 1)} s; per iteration stage 1 ${fmt(r.perIteration[0])} s, ` +
        `stage 2 ${fmt(r.perIteration[1])} s; estimated with 1000 + 1000 iterations ${fmt(est, 0)} s; peak RSS ${fmt(peakRssMiB(), 0)} MiB`);
      console.log(`  stages: ${[...r.stages].map(([s, t]) => `${s} ${fmt(t, 2)} s`).join(', ')}`);
    }
  }
  console.log(`peak RSS: ${fmt(peakRssMiB(), 0)} MiB`);
}
