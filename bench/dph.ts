// Harmonization benchmark (issue 3): the whole pipeline per backbone at 350 and 700 px on a
// real example — time per stage, per iteration and in total, peak memory — plus what the
// region of interest saves and VGG-19's per-iteration time against the compute bound.
//   npm run bench -- dph [--backbones squeezenet,googlenet,vgg19-shallow,vgg19] [--sizes 350,700]
//                        [--iters 30] [--example 16] [--full-squeezenet]
// --iters sets both passes for the per-iteration figures; --full-squeezenet also runs SqueezeNet
// at 700 px with the default 1000 + 1000 iterations (target: under 2 minutes on 2 cores).
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { harmonize, type HarmonizeInternals } from '../companion/pipeline/harmonize/harmonize.js';
import { loadNetwork, networkFromWeights, type Network } from '../companion/compute/network.js';
import { getBackbone } from '../companion/compute/backbones/index.js';
import { ancestors, inferShapes } from '../companion/compute/backbones/types.js';
import { syntheticWeights } from './synthetic-weights.js';
import { openFeatures } from '../companion/compute/graphs/features.js';
import { convFlops } from './conv-flops.js';
import { readImage, readMask } from '../companion/image/io.js';
import { regionOfInterest } from '../companion/pipeline/harmonize/region.js';
import { dphMasks } from '../companion/pipeline/harmonize/masks.js';
import { firstChannel } from '../companion/image/image.js';
import { resize, workingSize } from '../companion/image/resize.js';
import type { HarmonizeDocument, Progress } from '../companion/pipeline/types.js';
import { KIT, kitWeights } from '../eval/shared-kit.js';
import { fmt, peakRssMiB, timeIt } from './util.js';

interface RunFigures {
  total: number;
  stages: Map<string, number>;
  perIteration: [number, number];
}

async function timedRun(inputs: HarmonizeDocument, net: Network, size: number, iters: [number, number], internals: HarmonizeInternals = {}): Promise<RunFigures> {
  const stages = new Map<string, number>();
  let current = '';
  let since = performance.now();
  const iterStart = [0, 0];
  const iterEnd = [0, 0];
  const onProgress = (p: Progress): void => {
    const now = performance.now();
    const stage = p.stage.startsWith('post-processing') ? 'post-processing' : p.stage;
    if (stage !== current) {
      if (current) stages.set(current, (stages.get(current) ?? 0) + (now - since) / 1000);
      current = stage;
      since = now;
    }
    const pass: number = p.stage === 'pass-1' ? 0 : p.stage === 'pass-2' ? 1 : -1;
    if (pass >= 0 && p.iteration === 1) iterStart[pass] = now;
    if (pass >= 0 && p.iteration > 0) iterEnd[pass] = now;
  };
  const t0 = performance.now();
  await harmonize(inputs, { backbone: net.spec.name as never, size, tau: 5, pass1Iters: iters[0], pass2Iters: iters[1], postProcess: true, device: net.device }, { onProgress }, { network: net, ...internals });
  const total = (performance.now() - t0) / 1000;
  return { total, stages, perIteration: [0, 1].map((i) => (iterEnd[i] - iterStart[i]) / 1000 / Math.max(1, iters[i] - 1)) as [number, number] };
}

export async function main(argv: string[]): Promise<void> {
  const { values: v } = parseArgs({
    args: argv,
    options: {
      backbones: { type: 'string', default: 'squeezenet,googlenet,vgg19-shallow,vgg19' }, sizes: { type: 'string', default: '350,700' },
      iters: { type: 'string', default: '30' }, example: { type: 'string', default: '16' }, 'full-squeezenet': { type: 'boolean', default: false },
    },
  });
  const data = join(KIT, 'dph-examples', 'data');
  const k = v.example!;
  const inputs: HarmonizeDocument = {
    painting: await readImage(join(data, `${k}_target.jpg`)), composite: await readImage(join(data, `${k}_naive.jpg`)),
    mask: await readMask(join(data, `${k}_c_mask.jpg`)), dilatedMask: await readMask(join(data, `${k}_c_mask_dilated.jpg`)),
  };
  const iters = Number(v.iters);
  console.log(`dph benchmark: example ${k} (${inputs.composite.width}×${inputs.composite.height}), ${iters} + ${iters} iterations per run, post-processing on`);
  for (const backbone of v.backbones!.split(',')) {
    const spec = getBackbone(backbone);
    const weightsFile = kitWeights(backbone);
    const net = weightsFile ? await loadNetwork(backbone, { weightsFile, device: 'cpu' }) : networkFromWeights(spec, syntheticWeights(spec), 'cpu');
    const kind = weightsFile ? 'real weights' : 'synthetic weights';
    for (const size of v.sizes!.split(',').map(Number)) {
      const r = await timedRun(inputs, net, size, [iters, iters]);
      const stageText = [...r.stages].map(([s, t]) => `${s} ${fmt(t, 2)} s`).join(', ');
      const ws = workingSize(inputs.composite.width, inputs.composite.height, size);
      const roi = regionOfInterest(spec, dphMasks(spec, firstChannel(resize(inputs.dilatedMask!, ws.width, ws.height)), firstChannel(resize(inputs.mask, ws.width, ws.height))));
      const est = r.total + (1000 - iters) * (r.perIteration[0] + r.perIteration[1]);
      console.log(`${backbone} (${kind}) ${size} px: total ${fmt(r.total, 1)} s; per iteration pass 1 ${fmt(r.perIteration[0])} s, pass 2 ${fmt(r.perIteration[1])} s; ` +
        `region ${roi.width}×${roi.height} of ${ws.width}×${ws.height}; estimated with 1000 + 1000 iterations ${fmt(est, 0)} s; peak RSS ${fmt(peakRssMiB(), 0)} MiB`);
      console.log(`  stages: ${stageText}`);
      if (backbone === 'vgg19') await vggBound(net, roi.width, roi.height, r.perIteration);
    }
    if (backbone === 'squeezenet') {
      // What the region of interest saves: the same run over the whole canvas.
      const size = Math.max(...v.sizes!.split(',').map(Number));
      const whole = await timedRun(inputs, net, size, [iters, iters], { region: 'full' });
      const crop = await timedRun(inputs, net, size, [iters, iters]);
      console.log(`squeezenet ${size} px, region of interest vs whole canvas: per iteration ${fmt(crop.perIteration[1])} s vs ${fmt(whole.perIteration[1])} s (pass 2), total ${fmt(crop.total, 1)} s vs ${fmt(whole.total, 1)} s`);
      if (v['full-squeezenet']) {
        const full = await timedRun(inputs, net, 700, [1000, 1000]);
        console.log(`squeezenet 700 px, 1000 + 1000 iterations: ${fmt(full.total, 1)} s (target < 120 s)`);
      }
    }
  }
  console.log(`peak RSS: ${fmt(peakRssMiB(), 0)} MiB`);
}

/** The compute bound for VGG-19: conv FLOPs of one step over the crop / raw conv throughput. */
async function vggBound(net: Network, w: number, h: number, perIteration: [number, number]): Promise<void> {
  const spec = net.spec;
  const img = { data: new Float32Array(3 * 256 * 256).fill(10), channels: 3, width: 256, height: 256 };
  const raw = await openFeatures(net, img, ['relu5_1']);
  const t = await timeIt(() => raw.run(img));
  await raw.release();
  const throughput = convFlops(ancestors(spec, ['relu5_1']), inferShapes(spec, 256, 256)) / t;
  const shapes = inferShapes(spec, w, h);
  const bound1 = (2 * convFlops(ancestors(spec, spec.pass1.style.concat(spec.pass1.content)), shapes)) / throughput;
  const bound2 = (2 * convFlops(ancestors(spec, spec.pass2.style.concat(spec.pass2.content)), shapes)) / throughput;
  console.log(`  vgg19 bound (raw ${fmt(throughput / 1e9, 1)} GFLOP/s): pass 1 ${fmt(bound1)} s/it → actual ×${fmt(perIteration[0] / bound1, 2)}; pass 2 ${fmt(bound2)} s/it → actual ×${fmt(perIteration[1] / bound2, 2)} (target ≤ 1.5)`);
}
