// How many iterations each pass runs, and at what size (issue 13). `paper` runs exactly the given
// counts at the working size, as the original does. `auto` treats the counts as caps and, from
// what `npm run bench -- convergence` measured (docs/schedule.md):
// - stops a pass when the composite changes by less than a visible amount over a window of
//   iterations (common/stopping.ts), never before a minimum;
// - runs pass 1 at half the working size: pass 1 only feeds pass 2's matching at the reference
//   layer (stride 8 in VGG-19's terms), which a quarter of the pixels serves as well;
//   its result is upsampled and composited into the full-size painting for pass 2.
import type { Image } from '../../image/image.js';
import { cropPlanar, type Planar } from '../../image/planar.js';
import { resize } from '../../image/resize.js';
import { encodeJpegRoundTrip } from '../../image/io.js';
import { throwIfCancelled } from '../../../shared/errors.js';
import type { Schedule } from '../../../shared/protocol.js';
import { toNetworkSpace } from '../common/network-space.js';
import { ChangeMonitor, type StopRule } from '../common/stopping.js';
import { runPass, type PassResult } from './pass.js';
import type { PreparedPass } from './context.js';
import { preparePass1 } from './pass1.js';
import { preparePass2 } from './pass2.js';
import { setUpDph, type DphSetup, type WorkingImages } from './setup.js';
import { visibleLevels } from './visible-change.js';
import { laplacianTerm } from './laplacian-term.js';

export type { Schedule };

/** What a pass does under a schedule. */
export interface PassPlan {
  /** Iterations: exact (`paper`) or the cap (`auto`). */
  iterations: number;
  /** The pass's size relative to the working size. */
  scale: 1 | 0.5;
  stop?: StopRule;
  /** Iterations expected on a typical picture (the ETA's count); equals `iterations` without a rule. */
  expected: number;
}

/**
 * `auto`'s settings, measured with bench/convergence.ts and bench/schedule.ts (docs/schedule.md,
 * which also says how the threshold was chosen). The threshold is 3 levels per 50 iterations: a
 * grey moved by 3 levels in every channel changes by 1.1–1.3 ΔE76, under the ~2.3 a person
 * notices.
 */
export const AUTO = Object.freeze({
  pass1: { stop: { window: 50, threshold: 3, minIterations: 100 }, cap: 400, expected: 200 },
  pass2: { stop: { window: 50, threshold: 3, minIterations: 200 }, expected: 250 },
  /** Pass 1 runs at half size only when the working size's longer side is at least this. */
  halfSizeFrom: 500,
});

/** The two passes' plans for a schedule, given iteration counts and the working size's longer side. */
export function planPasses(schedule: Schedule, pass1Iters: number, pass2Iters: number, longSide: number): [PassPlan, PassPlan] {
  if (schedule === 'paper') {
    return [{ iterations: pass1Iters, scale: 1, expected: pass1Iters }, { iterations: pass2Iters, scale: 1, expected: pass2Iters }];
  }
  const cap1 = Math.min(pass1Iters, AUTO.pass1.cap);
  return [
    { iterations: cap1, scale: longSide >= AUTO.halfSizeFrom ? 0.5 : 1, stop: AUTO.pass1.stop, expected: Math.min(cap1, AUTO.pass1.expected) },
    { iterations: pass2Iters, scale: 1, stop: AUTO.pass2.stop, expected: Math.min(pass2Iters, AUTO.pass2.expected) },
  ];
}

export interface PassesOptions {
  plans: [PassPlan, PassPlan];
  tau: number;
  /** The painting's noise estimate (§3.6), measured at the original's scale. */
  noise: number;
  /** After every iteration; `preview` composites the current crop at the pass's size. */
  onIteration?: (pass: 1 | 2, iteration: number, total: number, preview: () => Image) => void;
  /** A pass ended before its count, after `iteration`. */
  onEarlyStop?: (pass: 1 | 2, iteration: number, preview: () => Image) => void;
}

export interface PassesResult {
  /** Pass 1 as pass 2 reads it (working size, after the original's JPEG round trip). */
  pass1: Image;
  /** Pass 2's optimised crop, composited. */
  pass2: Image;
  iterations: [number, number];
  /** Steps the divergence guard undid in each pass. */
  restarts: [number, number];
}

/** Passes 1 and 2 under their plans, on the working-size setup `full` (and a half-size one if planned). */
export async function runPasses(full: DphSetup, images: WorkingImages, o: PassesOptions): Promise<PassesResult> {
  const { ctx, naiveX, composite } = full;
  const net = ctx.net;
  const [plan1, plan2] = o.plans;
  // Progress previews composite at the pass's own size.
  const withPreview = (s: DphSetup): DphSetup => ({ ...s, ctx: { ...s.ctx, onIteration: (p, it, t, x) => o.onIteration?.(p, it, t, () => s.composite(x)) } });

  const at1 = withPreview(plan1.scale === 1 ? full : await setUpDph(net, halfSize(images), {
    region: ctx.region.width === ctx.width && ctx.region.height === ctx.height ? 'full' : 'roi',
    signal: ctx.signal, onStage: ctx.onStage, onPrepared: ctx.onPrepared,
  }));
  const p1 = await runPlanned(at1, 1, await preparePass1(at1.ctx, at1.naiveX), plan1, o);
  const pass1 = await pass1Image(full, at1, p1.x);
  throwIfCancelled(ctx.signal);

  const pass1X = toNetworkSpace(pass1, net.spec.preprocess);
  const at2 = withPreview(full);
  const p2 = await runPlanned(at2, 2, await preparePass2(at2.ctx, naiveX, pass1X, o.tau, o.noise), plan2, o);
  return { pass1, pass2: composite(p2.x), iterations: [p1.iterations, p2.iterations], restarts: [p1.restarts, p2.restarts] };
}

/**
 * Pass 1's result as pass 2 reads it, at the working size: composited (§2.4) and, as the original
 * saves it, through a quality-75 JPEG. A crop of a half-size setup `at` is upsampled first and
 * composited into the working-size painting, so only the object is upsampled.
 */
export async function pass1Image(full: DphSetup, at: DphSetup, crop: Planar): Promise<Image> {
  const { ctx } = full;
  const x = at.ctx.width === ctx.width && at.ctx.height === ctx.height ? crop : cropPlanar(toNetworkSpace(resize(at.composite(crop), ctx.width, ctx.height), ctx.net.spec.preprocess), ctx.region);
  return encodeJpegRoundTrip(full.composite(x), 75);
}

async function runPlanned(setup: DphSetup, pass: 1 | 2, prepared: PreparedPass, plan: PassPlan, o: PassesOptions): Promise<PassResult> {
  const stopWhen = plan.stop ? stoppingRule(setup, prepared.x, plan.stop) : undefined;
  const r = await runPass(setup.ctx, pass, prepared, plan.iterations, { stopWhen, extraTerm: pass === 2 ? structureTerm(setup, prepared) : undefined });
  if (r.iterations < plan.iterations) o.onEarlyStop?.(pass, r.iterations, () => setup.composite(r.x));
  return r;
}

/**
 * The backbone's structure term for pass 2, towards the start point (the naive crop), if it has
 * one; its pooling is given at the original's 700-px scale and follows the working size.
 */
export function structureTerm(setup: DphSetup, prepared: PreparedPass): ((x: Float32Array, grad: Float32Array) => number) | undefined {
  const { ctx } = setup;
  const s = ctx.net.spec.structure;
  if (!s) return undefined;
  const { x, m0 } = prepared;
  const pool = structurePool(s.pool, Math.max(ctx.width, ctx.height));
  return laplacianTerm({ width: x.width, height: x.height, target: x.data.slice(), mask: m0.data, pool, weight: s.weight, normalize: true });
}

/** A structure pooling given at the original's 700-px working size, at a working size's longer side (≥ 1 px). */
export function structurePool(poolAt700: number, longSide: number): number {
  return Math.max(1, Math.round((poolAt700 * longSide) / 700));
}

/** The stopping rule on what a person sees: the crop's 8-bit values inside the tight mask. */
export function stoppingRule(setup: DphSetup, start: Planar, rule: StopRule): (it: number, x: Planar) => boolean {
  const { ctx } = setup;
  const tight = cropPlanar(ctx.tight, ctx.region);
  const list: number[] = [];
  for (let i = 0; i < tight.data.length; i++) if (tight.data[i] > 0.5) list.push(i);
  const inside = Int32Array.from(list);
  const p = ctx.net.spec.preprocess;
  const monitor = new ChangeMonitor(rule);
  monitor.start(visibleLevels(start, inside, p));
  return (it, x) => monitor.observe(it, () => visibleLevels(x, inside, p));
}

/** The working images at half size (rounded), for a half-size pass 1. */
export function halfSize(images: WorkingImages): WorkingImages {
  const { width, height } = images.naive;
  const w = Math.max(1, Math.round(width / 2));
  const h = Math.max(1, Math.round(height / 2));
  return {
    painting: resize(images.painting, w, h), naive: resize(images.naive, w, h),
    tight: resize(images.tight, w, h), dilated: resize(images.dilated, w, h),
  };
}
