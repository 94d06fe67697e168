// Compute-core benchmark (issue 2): VGG-19 step and features graphs at 256 and 512 px against
// the runtime's raw convolution throughput on this machine. The last line is
// `compute-efficiency: <512 px figure>`.
import { getBackbone } from '../companion/compute/backbones/index.js';
import { ancestors, inferShapes, type BackboneSpec } from '../companion/compute/backbones/types.js';
import { syntheticWeights } from './synthetic-weights.js';
import { openFeatures } from '../companion/compute/graphs/features.js';
import { openStep, type StepSpec, type TapSpec } from '../companion/compute/graphs/step.js';
import { convFlops } from './conv-flops.js';
import { networkFromWeights } from '../companion/compute/network.js';
import { fmt, peakRssMiB, timeIt } from './util.js';

export async function main(argv: string[]): Promise<void> {
  const sizes = argv.length > 0 ? argv.map(Number) : [256, 512];
  const spec = getBackbone('vgg19');
  const net = networkFromWeights(spec, syntheticWeights(spec), 'cpu');
  let efficiency = NaN;
  console.log(`compute benchmark: VGG-19 (synthetic weights), ${process.platform} ${process.arch}, threads=${(await import('node:os')).availableParallelism()}`);
  for (const size of sizes) {
    const H = size, W = size;
    const shapes = inferShapes(spec, W, H);
    const image = benchImage(W, H);
    const planes = { data: image, channels: 3, width: W, height: H };

    // Raw throughput: the conv stack alone (conv + ReLU + pools up to relu5_1), forward only.
    const stack = ancestors(spec, ['relu5_1']);
    const stackFlops = convFlops(stack, shapes);
    const raw = await openFeatures(net, planes, ['relu5_1']);
    const tRaw = await timeIt(() => raw.run(planes));
    await raw.release();
    const throughput = stackFlops / tRaw;

    // Features graph: every tap the passes read.
    const taps = ['relu1_1', 'relu2_1', 'relu3_1', 'relu4_1', 'relu5_1'];
    const feats = await openFeatures(net, planes, taps);
    const tFeat = await timeIt(() => feats.run(planes));
    await feats.release();

    const step = await openStep(net, benchStepSpec(spec, W, H));
    const tStep = await timeIt(() => step.evaluate(image));
    await step.release();
    // Conv FLOPs of one step: forward to relu4_1 plus the input-gradient convs (same count).
    const stepFlops = 2 * convFlops(ancestors(spec, ['relu4_1']), shapes);
    efficiency = stepFlops / tStep / throughput;

    console.log(`${size} px: raw conv throughput ${fmt(throughput / 1e9, 1)} GFLOP/s (conv stack to relu5_1, ${fmt(stackFlops / 1e9, 1)} GFLOP in ${fmt(tRaw)} s)`);
    console.log(`${size} px: features graph (relu1_1…relu5_1) ${fmt(tFeat)} s`);
    console.log(`${size} px: step graph (Gram ×4 + content + histogram ×2 + TV, forward + backward) ${fmt(tStep)} s, ${fmt(stepFlops / 1e9, 1)} GFLOP conv → ${fmt(stepFlops / tStep / 1e9, 1)} GFLOP/s`);
    console.log(`${size} px: efficiency ${fmt(efficiency)} (step conv FLOPs / step time / raw throughput); peak RSS ${fmt(peakRssMiB(), 0)} MiB`);
  }
  console.log(`compute-efficiency: ${fmt(efficiency)}`);
}

/**
 * The step graph as in pass 2 of VGG-19: Gram at relu1_1…relu4_1, content at relu4_1,
 * histogram at relu1_1 and relu4_1 over the masked region (a centred disc, ~40 % of the
 * image), TV. Also what `npm run gpu-check` runs on each device.
 */
export function benchStepSpec(spec: BackboneSpec, W: number, H: number): StepSpec {
  const shapes = inferShapes(spec, W, H);
  const taps: TapSpec[] = ['relu1_1', 'relu2_1', 'relu3_1', 'relu4_1'].map((layer) => {
    const [c, h, w] = shapes.get(layer)!;
    const mask = disc(w, h);
    const heads: TapSpec['heads'] = [];
    if (layer === 'relu4_1') heads.push({ kind: 'content', weight: 1, target: new Float32Array(c * h * w).fill(0.5), maskedValue: true });
    heads.push({ kind: 'gram', weight: 5, target: new Float32Array(c * c).fill(0.01) });
    if (layer === 'relu1_1' || layer === 'relu4_1') {
      const positions = Int32Array.from(Array.from(mask).flatMap((m, i) => (m > 0.1 ? [i] : [])));
      const table = Float32Array.from({ length: c * positions.length }, (_, i) => (i % positions.length) / positions.length);
      heads.push({ kind: 'histogram', weight: 5, positions, table });
    }
    return { layer, mask, heads };
  });
  return { width: W, height: H, taps, normalize: true, tvWeight: 5, imageMask: disc(W, H) };
}

/** A test image in the network's space (caffe-scaled values), the same for every device. */
export function benchImage(W: number, H: number): Float32Array {
  return Float32Array.from({ length: 3 * H * W }, (_, i) => Math.sin(i * 0.001) * 60);
}

function disc(w: number, h: number): Float32Array {
  const m = new Float32Array(h * w);
  const r = 0.36 * Math.min(h, w);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) if ((y - h / 2) ** 2 + (x - w / 2) ** 2 < r * r) m[y * w + x] = 1;
  return m;
}
