// The check's harmonization stages, each a full run of the pipeline at the profile's size:
//   quality — vgg19-shallow with the kit's weights on the device (the image a user would get);
//   compare — the same on the device and on the CPU with fewer iterations, and how far apart
//             the two images are (ΔE76 inside the mask);
//   timing  — VGG-19 with synthetic weights on the device: time per pass and per iteration.
// A run stopped early (deadline, stage cap) reports what it measured and an estimate of the rest.
import { readFile } from 'node:fs/promises';
import { harmonize } from '../../companion/pipeline/harmonize/harmonize.js';
import { getBackbone } from '../../companion/compute/backbones/index.js';
import { syntheticWeights } from '../synthetic-weights.js';
import { loadNetwork, networkFromWeights, type Network } from '../../companion/compute/network.js';
import type { Device } from '../../companion/compute/device-names.js';
import { readImage, readMask } from '../../companion/image/io.js';
import { resize, workingSize } from '../../companion/image/resize.js';
import { firstChannel, type Image } from '../../companion/image/image.js';
import { meanDeltaE76 } from '../../eval/metrics.js';
import type { HarmonizeDocument, Progress } from '../../companion/pipeline/types.js';
import { parseWikiartTau } from '../../eval/wikiart-tau.js';
import type { StageContext } from './stage.js';

export interface PassFigures {
  stage: string;
  seconds: number;
  iterations: number;
  of: number;
  /** Per iteration after the first (which includes opening the pass's graphs). */
  secondsPerIteration?: number;
}

export interface RunFigures {
  device: string;
  backbone: string;
  weights: 'synthetic' | 'kit';
  example: number | 'synthetic scene';
  size: { width: number; height: number };
  iterations: [number, number];
  postProcess: boolean;
  /** Seconds per pipeline stage (loading model, preparing, pass 1, pass 2, post-processing). */
  stages: Record<string, number>;
  passes: PassFigures[];
  totalSeconds: number;
  completed: boolean;
  /** Stopped early: the whole run's seconds at the measured rates (post-processing not included). */
  estimatedTotalSeconds?: number;
}

interface Example {
  inputs: HarmonizeDocument;
  tau: number;
  published?: Image;
  name: number | 'synthetic scene';
}

/** Follows the pipeline's progress events: seconds per stage, iterations and their rate per pass. */
class RunTracker {
  private readonly t0 = performance.now();
  private current = '';
  private since = this.t0;
  private readonly stages = new Map<string, number>();
  private readonly passes = new Map<string, { start: number; first?: number; last?: number; iterations: number; of: number }>();

  onProgress(p: Progress): void {
    const now = performance.now();
    const stage = p.stage;
    if (stage !== this.current) {
      this.close(now);
      this.current = stage;
      this.since = now;
      if (stage.startsWith('pass')) this.passes.set(stage, { start: now, iterations: 0, of: 0 });
    }
    const pass = this.passes.get(stage);
    if (pass && p.iteration > 0) {
      pass.first ??= now;
      pass.last = now;
      pass.iterations = p.iteration;
      pass.of = p.total;
    }
  }

  private close(now: number): void {
    if (this.current && this.current !== 'done') this.stages.set(this.current, (this.stages.get(this.current) ?? 0) + (now - this.since) / 1000);
  }

  figures(base: Omit<RunFigures, 'stages' | 'passes' | 'totalSeconds' | 'completed'>, completed: boolean): RunFigures {
    const now = performance.now();
    const stages = new Map(this.stages);
    if (this.current && this.current !== 'done') stages.set(this.current, (stages.get(this.current) ?? 0) + (now - this.since) / 1000);
    const passes: PassFigures[] = [...this.passes].map(([stage, p]) => ({
      stage,
      seconds: stages.get(stage) ?? 0,
      iterations: p.iterations,
      of: p.of,
      ...(p.iterations >= 2 && p.first !== undefined && p.last !== undefined ? { secondsPerIteration: (p.last - p.first) / 1000 / (p.iterations - 1) } : {}),
    }));
    const totalSeconds = (now - this.t0) / 1000;
    const figures: RunFigures = { ...base, stages: Object.fromEntries(stages), passes, totalSeconds, completed };
    if (!completed) {
      const rates = passes.map((p) => p.secondsPerIteration).filter((r): r is number => r !== undefined);
      if (rates.length > 0) {
        const [n1, n2] = base.iterations;
        const left1 = n1 - (passes[0]?.iterations ?? 0);
        const left2 = n2 - (passes[1]?.iterations ?? 0);
        figures.estimatedTotalSeconds = totalSeconds + left1 * rates[0] + left2 * (rates[1] ?? rates[0]);
      }
    }
    return figures;
  }
}

async function timedRun(
  ctx: StageContext, example: Example, net: Network, size: number, iterations: [number, number], postProcess: boolean,
  onFigures: (f: RunFigures) => void,
): Promise<{ figures: RunFigures; pass2?: Image }> {
  const tracker = new RunTracker();
  const { width, height } = workingSizeOf(example.inputs.composite, size);
  const base = {
    device: net.device, backbone: net.spec.name, weights: net.weightsFile === '(in memory)' ? 'synthetic' as const : 'kit' as const,
    example: example.name, size: { width, height }, iterations, postProcess,
  };
  let lastSent = 0;
  const onProgress = (p: Progress): void => {
    tracker.onProgress(p);
    if (performance.now() - lastSent > 1000) {
      lastSent = performance.now();
      onFigures(tracker.figures(base, false));
    }
  };
  try {
    // The passes at the working size, as timed and compared (native detail's levels run on the CPU).
    const r = await harmonize(example.inputs, { backbone: net.spec.name as never, size, tau: example.tau, pass1Iters: iterations[0], pass2Iters: iterations[1], postProcess, detail: 'paper', schedule: 'paper', device: net.device }, { onProgress, signal: ctx.signal }, { network: net });
    const figures = tracker.figures(base, true);
    onFigures(figures);
    return { figures, pass2: r.stages.pass2 };
  } catch (e) {
    onFigures(tracker.figures(base, false));
    throw e;
  }
}

function workingSizeOf(img: Image, size: number): { width: number; height: number } {
  return Math.max(img.width, img.height) > size ? workingSize(img.width, img.height, size) : { width: img.width, height: img.height };
}

async function loadExample(ctx: StageContext): Promise<Example> {
  const { kit, example } = ctx.config;
  if (!kit.painting || !kit.composite || !kit.mask) return syntheticExample();
  const taus = kit.tauTable ? parseWikiartTau(await readFile(kit.tauTable, 'utf8')) : new Map<number, number>();
  return {
    inputs: {
      painting: await readImage(kit.painting), composite: await readImage(kit.composite), mask: await readMask(kit.mask),
      ...(kit.dilatedMask ? { dilatedMask: await readMask(kit.dilatedMask) } : {}),
    },
    tau: taus.get(example) ?? 5,
    ...(kit.published ? { published: await readImage(kit.published) } : {}),
    name: example,
  };
}

/** A 700×466 painting-like scene with a pasted disc: for timing when the kit's example is not there. */
function syntheticExample(): Example {
  const W = 700;
  const H = 466;
  const painting = { width: W, height: H, channels: 3, data: new Float32Array(W * H * 3) };
  const composite = { width: W, height: H, channels: 3, data: new Float32Array(W * H * 3) };
  const mask = { width: W, height: H, channels: 1, data: new Float32Array(W * H) };
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const i = y * W + x;
      const inside = (x - W * 0.55) ** 2 + (y - H * 0.5) ** 2 < (H * 0.22) ** 2;
      mask.data[i] = inside ? 1 : 0;
      for (let c = 0; c < 3; c++) {
        const v = 0.5 + 0.25 * Math.sin(x * 0.03 * (c + 1) + y * 0.02) + 0.15 * Math.sin(x * 0.21 + y * 0.17 * (c + 1));
        painting.data[i * 3 + c] = v;
        composite.data[i * 3 + c] = inside ? 0.2 + 0.6 * ((x >> 4) % 2) * (c === 1 ? 1 : 0.5) : v;
      }
    }
  }
  return { inputs: { painting, composite, mask }, tau: 5, name: 'synthetic scene' };
}

interface ExampleAt {
  example: Example;
  naive: Image;
  tight: Image;
  published?: Image;
}

/** The example, and its naive composite, tight mask and published result at the working size; adds the naive and published panels once. */
async function exampleAt(ctx: StageContext, size: number, shared: { example?: Promise<Example>; panels?: boolean }): Promise<ExampleAt> {
  const example = await (shared.example ??= loadExample(ctx));
  const { width, height } = workingSizeOf(example.inputs.composite, size);
  const at = (img: Image): Image => resize(img, width, height);
  const out: ExampleAt = { example, naive: at(example.inputs.composite), tight: at(firstChannel(example.inputs.mask)), ...(example.published ? { published: at(example.published) } : {}) };
  if (!shared.panels) {
    shared.panels = true;
    await ctx.panel('naive composite', out.naive, 0);
    if (out.published) await ctx.panel('published result (the original implementation)', out.published, 9);
  }
  return out;
}

export type SharedExample = { example?: Promise<Example>; panels?: boolean };

export async function qualityStage(ctx: StageContext, shared: SharedExample): Promise<void> {
  const { profile, device, kit } = ctx.config;
  const { example, tight, naive, published } = await exampleAt(ctx, profile.harmonizeSize, shared);
  const net = await loadNetwork('vgg19-shallow', { weightsFile: kit.weights, device });
  const data: { run?: RunFigures; deltaE?: Record<string, number> } = {};
  const { pass2 } = await timedRun(ctx, example, net, profile.harmonizeSize, profile.qualityIters, true, (f) => ctx.update(Object.assign(data, { run: f })));
  if (pass2) {
    await ctx.panel(`${device}: vgg19-shallow, ${profile.qualityIters.join(' + ')} iterations (pass 2)`, pass2, 1);
    if (published) data.deltaE = { deviceVsPublished: meanDeltaE76(pass2, published, tight), naiveVsPublished: meanDeltaE76(naive, published, tight) };
  }
  ctx.update(data);
}

export async function compareStage(ctx: StageContext, shared: SharedExample): Promise<void> {
  const { profile, device, kit } = ctx.config;
  const { example, tight } = await exampleAt(ctx, profile.harmonizeSize, shared);
  const iters = profile.compareIters;
  const data: { device?: RunFigures; cpu?: RunFigures; deltaE?: { deviceVsCpu: number }; cpuEstimate?: { iterations: [number, number]; seconds: number; note: string }; speedupPerIteration?: number[] } = {};
  const onDevice = await loadNetwork('vgg19-shallow', { weightsFile: kit.weights, device });
  const a = await timedRun(ctx, example, onDevice, profile.harmonizeSize, iters, false, (f) => ctx.update(Object.assign(data, { device: f })));
  if (a.pass2) await ctx.panel(`${device}: vgg19-shallow, ${iters.join(' + ')} iterations (pass 2)`, a.pass2, 2);
  const onCpu = await loadNetwork('vgg19-shallow', { weightsFile: kit.weights, device: 'cpu' });
  const b = await timedRun(ctx, example, onCpu, profile.harmonizeSize, iters, false, (f) => ctx.update(Object.assign(data, { cpu: f })));
  if (b.pass2) await ctx.panel(`cpu: vgg19-shallow, ${iters.join(' + ')} iterations (pass 2)`, b.pass2, 3);
  if (a.pass2 && b.pass2) data.deltaE = { deviceVsCpu: meanDeltaE76(a.pass2, b.pass2, tight) };
  const rate = (f: RunFigures, i: number): number | undefined => f.passes[i]?.secondsPerIteration;
  const cpuRates = [rate(b.figures, 0), rate(b.figures, 1)];
  if (cpuRates[0] !== undefined && cpuRates[1] !== undefined) {
    const [q1, q2] = profile.qualityIters;
    const fixed = b.figures.totalSeconds - iters[0] * cpuRates[0] - iters[1] * cpuRates[1];
    data.cpuEstimate = {
      iterations: [q1, q2],
      seconds: fixed + q1 * cpuRates[0] + q2 * cpuRates[1],
      note: `The CPU's time for the quality run's ${q1} + ${q2} iterations, from its ${iters.join(' + ')}-iteration run (not measured: it would not fit the check's budget).`,
    };
    data.speedupPerIteration = [0, 1].map((i) => (cpuRates[i]! / (rate(a.figures, i) ?? NaN)));
  }
  ctx.update(data);
}

export async function timingStage(ctx: StageContext, shared: SharedExample): Promise<void> {
  const { profile, device } = ctx.config;
  const example = await (shared.example ??= loadExample(ctx));
  const spec = getBackbone('vgg19');
  const net = networkFromWeights(spec, syntheticWeights(spec), device as Device);
  const data: { run?: RunFigures } = {};
  await timedRun(ctx, example, net, profile.harmonizeSize, profile.timingIters, true, (f) => ctx.update(Object.assign(data, { run: f })));
}
