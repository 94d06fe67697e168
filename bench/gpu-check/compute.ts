// The check's compute stage: VGG-19 (synthetic weights) step and features graphs on the
// device against the CPU — time per run, conv throughput, where each node ran — and whether
// the step graph's loss and gradient (and the features) agree with the CPU's.
import { getBackbone } from '../../companion/compute/backbones/index.js';
import { ancestors, inferShapes } from '../../companion/compute/backbones/types.js';
import { syntheticWeights } from '../synthetic-weights.js';
import { setRuntimeDiagnostics, runtimeDiagnostics } from '../../companion/compute/diagnostics.js';
import { convFlops } from '../conv-flops.js';
import { openFeatures } from '../../companion/compute/graphs/features.js';
import { openStep } from '../../companion/compute/graphs/step.js';
import { networkFromWeights, type Network } from '../../companion/compute/network.js';
import type { Device } from '../../companion/compute/device-names.js';
import { benchImage, benchStepSpec } from '../compute.js';
import { errorReport, newProfiles, placementOf, type PlacementReport } from './placement.js';
import type { ErrorReport } from './protocol.js';
import type { StageContext } from './stage.js';

type GraphName = 'step' | 'features';
const FEATURE_TAPS = ['relu1_1', 'relu2_1', 'relu3_1', 'relu4_1', 'relu5_1'];

/** The agreement thresholds (fp32 on both sides; the GPU's convolutions sum in another order). */
export const AGREEMENT = Object.freeze({ lossRel: 1e-3, gradRelL2: 1e-2, featuresRelL2: 1e-3 });

export interface Timing {
  /** Opening the session (graph build and runtime setup). */
  openSeconds: number;
  /** The first run (kernel compilation on a GPU). */
  firstRunSeconds: number;
  /** Median of `runs` runs after the first. */
  seconds: number;
  runs: number;
  gflopPerSecond: number;
}

export interface ComputeRow {
  graph: GraphName;
  size: number;
  gflop: number;
  device?: Timing;
  /** Measured, or extrapolated from a smaller size by the pixel ratio (conv FLOPs scale with it). */
  cpu?: (Timing & { extrapolatedFrom?: undefined }) | { seconds: number; gflopPerSecond: number; extrapolatedFrom: number };
  /** CPU seconds / device seconds. */
  speedup?: number;
  /** The measurement failed on the device (or on the CPU): the error and the node it names. */
  error?: ErrorReport & { on: string };
}

export interface Agreement {
  size: number;
  loss: { device: number; cpu: number; relDiff: number };
  grad: { relL2: number; maxAbsDiff: number; maxAbsCpu: number; cosine: number };
  /** Largest relative L2 difference over the feature taps, and the tap. */
  features?: { relL2: number; tap: string };
  thresholds: typeof AGREEMENT;
  agrees: boolean;
}

export interface ComputeData {
  backbone: 'vgg19';
  weights: 'synthetic';
  device: string;
  rows: ComputeRow[];
  agreement?: Agreement;
  /** Where each node ran on the device, per graph, at the first size (from ORT's profiles). */
  placement: Partial<Record<GraphName, PlacementReport>>;
  /** WebGPU only: the step graph at the first size with each layout the provider can convolve in. */
  layouts?: Array<{ layout: 'NCHW' | 'NHWC'; seconds?: number; firstRunSeconds?: number; error?: ErrorReport }>;
  notes: string[];
}

interface Measured {
  timing: Timing;
  output: { loss: number; grad: Float32Array } | Map<string, Float32Array>;
}

function aborted(signal: AbortSignal): boolean {
  return signal.aborted;
}

async function measure(graph: GraphName, net: Network, size: number, runs: number, gflop: number, signal: AbortSignal): Promise<Measured> {
  const image = benchImage(size, size);
  const planes = { data: image, channels: 3, width: size, height: size };
  const t0 = performance.now();
  const runner = graph === 'step'
    ? await openStep(net, benchStepSpec(net.spec, size, size))
    : await openFeatures(net, planes, FEATURE_TAPS);
  const run = async (): Promise<Measured['output']> => {
    if ('evaluate' in runner) return runner.evaluate(image);
    const maps = await runner.run(planes);
    return new Map([...maps].map(([k, v]) => [k, v.data]));
  };
  try {
    const t1 = performance.now();
    let output = await run();
    const t2 = performance.now();
    const times: number[] = [];
    for (let i = 0; i < runs && !aborted(signal); i++) {
      const s = performance.now();
      output = await run();
      times.push((performance.now() - s) / 1000);
    }
    times.sort((a, b) => a - b);
    const seconds = times.length > 0 ? times[Math.floor(times.length / 2)] : (t2 - t1) / 1000;
    return {
      timing: { openSeconds: (t1 - t0) / 1000, firstRunSeconds: (t2 - t1) / 1000, seconds, runs: times.length, gflopPerSecond: gflop / seconds },
      output,
    };
  } finally {
    await runner.release();
  }
}

function flopsOf(graph: GraphName, net: Network, size: number): number {
  const shapes = inferShapes(net.spec, size, size);
  // The step: forward to relu4_1 and the input-gradient convs (the same count); features: to relu5_1.
  return graph === 'step' ? 2 * convFlops(ancestors(net.spec, ['relu4_1']), shapes) : convFlops(ancestors(net.spec, ['relu5_1']), shapes);
}

export function compareStep(size: number, dev: { loss: number; grad: Float32Array }, cpu: { loss: number; grad: Float32Array }): Omit<Agreement, 'features' | 'agrees' | 'thresholds'> {
  let diff2 = 0;
  let ref2 = 0;
  let dot = 0;
  let dev2 = 0;
  let maxAbsDiff = 0;
  let maxAbsCpu = 0;
  for (let i = 0; i < cpu.grad.length; i++) {
    const a = dev.grad[i];
    const b = cpu.grad[i];
    diff2 += (a - b) ** 2;
    ref2 += b * b;
    dev2 += a * a;
    dot += a * b;
    maxAbsDiff = Math.max(maxAbsDiff, Math.abs(a - b));
    maxAbsCpu = Math.max(maxAbsCpu, Math.abs(b));
  }
  const denom = Math.sqrt(ref2 * dev2);
  return {
    size,
    loss: { device: dev.loss, cpu: cpu.loss, relDiff: Math.abs(dev.loss - cpu.loss) / Math.max(Math.abs(cpu.loss), Number.MIN_VALUE) },
    grad: { relL2: Math.sqrt(diff2) / Math.max(Math.sqrt(ref2), Number.MIN_VALUE), maxAbsDiff, maxAbsCpu, cosine: denom > 0 ? dot / denom : 1 },
  };
}

export function compareFeatures(dev: Map<string, Float32Array>, cpu: Map<string, Float32Array>): { relL2: number; tap: string } {
  let worst = { relL2: 0, tap: '' };
  for (const [tap, b] of cpu) {
    const a = dev.get(tap)!;
    let d2 = 0;
    let r2 = 0;
    for (let i = 0; i < b.length; i++) {
      d2 += (a[i] - b[i]) ** 2;
      r2 += b[i] * b[i];
    }
    const rel = Math.sqrt(d2) / Math.max(Math.sqrt(r2), Number.MIN_VALUE);
    if (rel >= worst.relL2) worst = { relL2: rel, tap };
  }
  return worst;
}

/** Runs the stage; `ctx.update` receives the data as it grows. */
export async function computeStage(ctx: StageContext): Promise<void> {
  const { profile, device } = ctx.config;
  const spec = getBackbone('vgg19');
  const weights = syntheticWeights(spec);
  const dev = networkFromWeights(spec, weights, device as Device);
  const cpu = networkFromWeights(spec, weights, 'cpu');
  const data: ComputeData = { backbone: 'vgg19', weights: 'synthetic', device, rows: [], placement: {}, notes: [] };
  const cpuSizes = profile.cpuBenchSizes;
  const cpuMeasured = new Map<GraphName, { size: number; timing: Timing }>();
  const outputs = new Map<GraphName, { dev: Measured['output']; cpu: Measured['output'] }>();
  // A failure (an operator the device refuses, memory) is kept on its row and the rest goes on;
  // the stage then fails with the first one.
  let firstFailure: unknown;
  const attempt = async (row: ComputeRow, on: string, f: () => Promise<Measured>): Promise<Measured | undefined> => {
    try {
      return await f();
    } catch (e) {
      if (aborted(ctx.signal)) throw e;
      firstFailure ??= e;
      row.error = { ...errorReport(e), on };
      return undefined;
    }
  };
  for (const size of profile.benchSizes) {
    for (const graph of ['step', 'features'] as const) {
      if (aborted(ctx.signal)) return;
      const gflop = flopsOf(graph, dev, size) / 1e9;
      const row: ComputeRow = { graph, size, gflop };
      data.rows.push(row);
      const d = await attempt(row, device, () => measure(graph, dev, size, profile.benchRuns, gflop, ctx.signal));
      if (d) row.device = d.timing;
      ctx.update(data);
      if (aborted(ctx.signal)) return;
      if (cpuSizes.includes(size)) {
        const c = await attempt(row, 'cpu', () => measure(graph, cpu, size, profile.cpuBenchRuns, gflop, ctx.signal));
        if (c) {
          row.cpu = c.timing;
          cpuMeasured.set(graph, { size, timing: c.timing });
          if (d && size === profile.benchSizes[0]) outputs.set(graph, { dev: d.output, cpu: c.output });
        }
      } else {
        const from = cpuMeasured.get(graph);
        if (from) {
          const scale = (size * size) / (from.size * from.size);
          row.cpu = { seconds: from.timing.seconds * scale, gflopPerSecond: from.timing.gflopPerSecond, extrapolatedFrom: from.size };
        }
      }
      if (row.cpu && row.device) row.speedup = row.cpu.seconds / row.device.seconds;
      ctx.update(data);
    }
    if (size === profile.benchSizes[0]) {
      data.agreement = agreementOf(size, outputs);
      ctx.update(data);
      if (aborted(ctx.signal)) return;
      if (device === 'webgpu') await compareLayouts(ctx, dev, size, data);
      await profilePlacement(ctx, dev, size, data).catch((e) => {
        if (aborted(ctx.signal)) throw e;
        data.notes.push(`Placement not read: ${errorReport(e).message.split('\n')[0]}`);
      });
      ctx.update(data);
    }
  }
  const extrapolated = data.rows.filter((r) => r.cpu?.extrapolatedFrom !== undefined);
  if (extrapolated.length > 0) {
    data.notes.push(`CPU figures at ${[...new Set(extrapolated.map((r) => r.size))].join(', ')} px are extrapolated from ${cpuSizes.join(', ')} px by the pixel ratio (not measured, to keep the check within its budget).`);
  }
  ctx.update(data);
  if (firstFailure !== undefined) throw firstFailure;
}

function agreementOf(size: number, outputs: Map<GraphName, { dev: Measured['output']; cpu: Measured['output'] }>): Agreement | undefined {
  const step = outputs.get('step');
  if (!step) return undefined;
  const base = compareStep(size, step.dev as { loss: number; grad: Float32Array }, step.cpu as { loss: number; grad: Float32Array });
  const feats = outputs.get('features');
  const features = feats ? compareFeatures(feats.dev as Map<string, Float32Array>, feats.cpu as Map<string, Float32Array>) : undefined;
  const agrees = base.loss.relDiff <= AGREEMENT.lossRel && base.grad.relL2 <= AGREEMENT.gradRelL2 && (!features || features.relL2 <= AGREEMENT.featuresRelL2);
  return { ...base, ...(features ? { features } : {}), thresholds: AGREEMENT, agrees };
}

/** The step graph once more per WebGPU layout: which one the provider runs faster (or at all). */
async function compareLayouts(ctx: StageContext, net: Network, size: number, data: ComputeData): Promise<void> {
  const before = runtimeDiagnostics();
  data.layouts = [];
  try {
    for (const layout of ['NCHW', 'NHWC'] as const) {
      if (aborted(ctx.signal)) return;
      setRuntimeDiagnostics({ ...before, webgpuLayout: layout });
      try {
        const m = await measure('step', net, size, ctx.config.profile.benchRuns, 1, ctx.signal);
        data.layouts.push({ layout, seconds: m.timing.seconds, firstRunSeconds: m.timing.firstRunSeconds });
      } catch (e) {
        if (aborted(ctx.signal)) throw e;
        data.layouts.push({ layout, error: errorReport(e) });
      }
      ctx.update(data);
    }
  } finally {
    setRuntimeDiagnostics(before);
  }
}

/** One more session per graph with ORT's profiler on: where each node ran (kept out of the timed runs). */
async function profilePlacement(ctx: StageContext, net: Network, size: number, data: ComputeData): Promise<void> {
  const dir = `${ctx.config.scratch}/profiles`;
  const seen = new Set<string>();
  await newProfiles(dir, seen); // what is there already is not this stage's
  const before = runtimeDiagnostics();
  setRuntimeDiagnostics({ ...before, profileDir: dir });
  try {
    for (const graph of ['step', 'features'] as const) {
      if (aborted(ctx.signal)) return;
      await measure(graph, net, size, 1, 1, ctx.signal);
      data.placement[graph] = await placementOf(await newProfiles(dir, seen), net.device, 2);
    }
  } finally {
    setRuntimeDiagnostics(before);
  }
}
