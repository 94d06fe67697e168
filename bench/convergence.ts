// How fast the picture settles (issue 13): for each backbone and kit example, the paper's schedule
// at the working size with the composite's change logged per iteration, in 8-bit levels inside the
// tight mask — over windows of 10, 50 and 100 iterations, and the distance to where the pass ends —
// plus pass 2's quality against the published result every 50 iterations, and what pass 1's
// iteration count does to pass 2's style targets (the only thing pass 1 feeds).
//   npm run bench -- convergence [--backbones squeezenet,vgg19-shallow] [--examples 1,16] [--size 700]
//     [--pass1-iters 1000] [--pass2-iters 1000] [--pass1-checks 50,100,200,300,500] [--pass2-from 200]
//     [--pass1-half 200] [--variant-iters 600] [--json FILE]
// --pass2-from also runs pass 2 from pass 1 stopped at those counts (quality every 50 iterations);
// --pass1-half from pass 1 run at half size for that many iterations, upsampled (what auto does);
// those pass-2 runs stop at --variant-iters.
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { loadNetwork, networkFromWeights, type Network } from '../companion/compute/network.js';
import { getBackbone } from '../companion/compute/backbones/index.js';
import { syntheticWeights } from './synthetic-weights.js';
import { cropPlanar, type Planar } from '../companion/image/planar.js';
import { resize, workingSize } from '../companion/image/resize.js';
import { toNetworkSpace } from '../companion/pipeline/common/network-space.js';
import { setUpDph, workingImages, type DphSetup } from '../companion/pipeline/harmonize/setup.js';
import { halfSize, pass1Image } from '../companion/pipeline/harmonize/schedule.js';
import { runPass } from '../companion/pipeline/harmonize/pass.js';
import { preparePass1 } from '../companion/pipeline/harmonize/pass1.js';
import { preparePass2 } from '../companion/pipeline/harmonize/pass2.js';
import { paintingNoise } from '../companion/pipeline/harmonize/style-weights.js';
import { visibleLevels } from '../companion/pipeline/harmonize/visible-change.js';
import { kitWeights } from '../eval/shared-kit.js';
import { loadExample, qualityOf, type KitExample, type Quality } from './kit-examples.js';
import { fmt } from './util.js';

const SNAPSHOT_EVERY = 10;

interface PassTrace {
  /** Seconds per iteration. */
  secondsPerIteration: number;
  /** Per multiple of SNAPSHOT_EVERY: mean |Δ| over the last 10, 50, 100 iterations; mean and 95th percentile of |x_t − x_end|. */
  rows: { it: number; d10?: number; d50?: number; d100?: number; toEnd: number; toEnd95: number; quality?: Quality }[];
}

/** Records the visible composite (8-bit, inside the tight mask) every SNAPSHOT_EVERY iterations, and the quality every 50. */
class Recorder {
  readonly snaps = new Map<number, Uint8Array>();
  readonly quality = new Map<number, Quality>();
  private t0 = 0;
  seconds = 0;
  constructor(private readonly setup: DphSetup, private readonly inside: Int32Array, private readonly ex: KitExample, private readonly measureQuality: boolean) {}
  start(x: Planar): void {
    this.snaps.set(0, visibleLevels(x, this.inside, this.setup.ctx.net.spec.preprocess));
    this.t0 = performance.now();
  }
  onIteration(it: number, x: Planar, force = false): void {
    if (it % SNAPSHOT_EVERY !== 0 && !force) return;
    this.seconds = (performance.now() - this.t0) / 1000;
    const pause = performance.now();
    this.snaps.set(it, visibleLevels(x, this.inside, this.setup.ctx.net.spec.preprocess));
    if (this.measureQuality && (it % 50 === 0 || force)) this.quality.set(it, qualityOf(this.setup.composite(x), this.ex));
    this.t0 += performance.now() - pause; // measuring is not the pass's time
  }
  trace(): PassTrace {
    const its = [...this.snaps.keys()].sort((a, b) => a - b);
    const last = this.snaps.get(its[its.length - 1])!;
    const rows = its.filter((it) => it > 0).map((it) => {
      const s = this.snaps.get(it)!;
      const back = (w: number): number | undefined => (this.snaps.has(it - w) ? meanAbs(s, this.snaps.get(it - w)!) : undefined);
      const toEnd = absDiffs(s, last);
      return { it, d10: back(10), d50: back(50), d100: back(100), toEnd: mean(toEnd), toEnd95: percentile(toEnd, 0.95), quality: this.quality.get(it) };
    });
    return { secondsPerIteration: this.seconds / Math.max(1, its[its.length - 1]), rows };
  }
}

function absDiffs(a: Uint8Array, b: Uint8Array): Float64Array {
  const out = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = Math.abs(a[i] - b[i]);
  return out;
}
function meanAbs(a: Uint8Array, b: Uint8Array): number {
  return mean(absDiffs(a, b));
}
function mean(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  return a.length ? s / a.length : NaN;
}
function percentile(a: Float64Array, q: number): number {
  const s = Float64Array.from(a).sort();
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
}

function printTrace(name: string, t: PassTrace): void {
  console.log(`  ${name}: ${fmt(t.secondsPerIteration)} s/it; it | mean |Δ| over 10 / 50 / 100 its | to the end: mean, p95 (8-bit levels in the tight mask)${t.rows.some((r) => r.quality) ? ' | colour / structure' : ''}`);
  for (const r of t.rows) {
    if (r.it % 50 !== 0 && r.it > 100 && r !== t.rows[t.rows.length - 1]) continue;
    const q = r.quality ? ` | ${fmt(r.quality.colour)} / ${fmt(r.quality.structure)}` : '';
    const d = (v?: number): string => (v === undefined ? '   -  ' : fmt(v, 3).padStart(6));
    console.log(`    ${String(r.it).padStart(5)} | ${d(r.d10)} ${d(r.d50)} ${d(r.d100)} | ${fmt(r.toEnd, 2).padStart(6)} ${String(r.toEnd95).padStart(3)}${q}`);
  }
}

/** Relative Frobenius difference of each Gram target of pass 2 against the reference's. */
function gramTargets(prepared: Awaited<ReturnType<typeof preparePass2>>): Map<string, Float32Array> {
  const out = new Map<string, Float32Array>();
  for (const tap of prepared.step.taps) for (const h of tap.heads) if (h.kind === 'gram') out.set(tap.layer, h.target);
  return out;
}
function relDiff(a: Float32Array, b: Float32Array): number {
  let num = 0, den = 0;
  for (let i = 0; i < a.length; i++) {
    num += (a[i] - b[i]) ** 2;
    den += b[i] ** 2;
  }
  return Math.sqrt(num / den);
}

async function runExample(net: Network, ex: KitExample, size: number, iters: [number, number], pass1Checks: number[], pass2From: number[], pass1Half: number[], variantIters: number): Promise<unknown> {
  const images = workingImages(ex.inputs, size);
  const insideOf = (s: DphSetup): Int32Array => {
    const t = cropPlanar(s.ctx.tight, s.ctx.region);
    const list: number[] = [];
    for (let i = 0; i < t.data.length; i++) if (t.data[i] > 0.5) list.push(i);
    return Int32Array.from(list);
  };
  let rec: Recorder | undefined;
  const checks = new Map<number, Planar>();
  const setup = await setUpDph(net, images, {
    onIteration: (pass, it, _total, x) => {
      rec?.onIteration(it, x);
      if (pass === 1 && pass1Checks.includes(it)) checks.set(it, { ...x, data: x.data.slice() });
    },
  });
  const inside = insideOf(setup);
  const { ctx, naiveX } = setup;
  const spec = net.spec;
  const W0 = ex.inputs.composite.width, H0 = ex.inputs.composite.height;
  const ns = workingSize(W0, H0, 700);
  const noise = paintingNoise(resize(ex.inputs.painting, ns.width, ns.height));

  // Pass 1, the paper's count, snapshots at the checks.
  const p1Prepared = await preparePass1(ctx, naiveX);
  rec = new Recorder(setup, inside, ex, false);
  rec.start(p1Prepared.x);
  const p1 = await runPass(ctx, 1, p1Prepared, iters[0]);
  const p1Trace = rec.trace();
  checks.set(p1.iterations, p1.x);
  console.log(` example ${ex.k} (τ ${fmt(ex.tau, 2)}), region ${ctx.region.width}×${ctx.region.height}, ${inside.length} px inside the tight mask; pass 1 ran ${p1.iterations} iterations`);
  printTrace('pass 1', p1Trace);

  // What pass 1's count does to pass 2's targets.
  const pass1X = async (x: Planar) => toNetworkSpace(await pass1Image(setup, setup, x), spec.preprocess);
  const prepared = new Map<number, Awaited<ReturnType<typeof preparePass2>>>();
  for (const [k, x] of [...checks].sort((a, b) => a[0] - b[0])) prepared.set(k, await preparePass2(ctx, naiveX, await pass1X(x), ex.tau, noise));
  const ref = gramTargets(prepared.get(p1.iterations)!);
  const targetRows: unknown[] = [];
  console.log(`  pass 2 targets from pass 1 stopped at k iterations: relative difference of each Gram target vs k = ${p1.iterations}; used positions`);
  for (const [k, p] of prepared) {
    const g = gramTargets(p);
    const diffs = [...ref].map(([layer, t]) => [layer, relDiff(g.get(layer)!, t)] as const);
    targetRows.push({ k, diffs: Object.fromEntries(diffs), used: p.details.usedPositions });
    console.log(`    k ${String(k).padStart(5)}: ${diffs.map(([l, d]) => `${l} ${fmt(d)}`).join(', ')}; used ${p.details.usedPositions}`);
  }

  // Pass 1 at half size, upsampled (what auto does): its targets against the paper's.
  const half: Record<string, PassTrace> = {};
  for (const n of pass1Half) {
    const at = await setUpDph(net, halfSize(images), { onIteration: (_pass, it, _total, x) => rec?.onIteration(it, x) });
    const prep = await preparePass1(at.ctx, at.naiveX);
    rec = new Recorder(at, insideOf(at), ex, false);
    rec.start(prep.x);
    const r = await runPass(at.ctx, 1, prep, n);
    half[n] = rec.trace();
    printTrace(`pass 1 at half size (${at.ctx.width}×${at.ctx.height}), ${n} iterations`, half[n]);
    const p = await preparePass2(ctx, naiveX, toNetworkSpace(await pass1Image(setup, at, r.x), spec.preprocess), ex.tau, noise);
    const g = gramTargets(p);
    const diffs = [...ref].map(([layer, t]) => [layer, relDiff(g.get(layer)!, t)] as const);
    targetRows.push({ k: `half ${n}`, diffs: Object.fromEntries(diffs), used: p.details.usedPositions });
    console.log(`    half-size pass 1, ${n} its: ${diffs.map(([l, d]) => `${l} ${fmt(d)}`).join(', ')}; used ${p.details.usedPositions}`);
    prepared.set(-n, p);
  }

  // Pass 2 from the full pass 1 (the paper), and from the shorter or half-size ones asked for.
  const pass2: Record<string, PassTrace> = {};
  for (const from of [p1.iterations, ...pass2From.filter((k) => k !== p1.iterations && prepared.has(k)), ...pass1Half.map((n) => -n)]) {
    const p = prepared.get(from)!;
    rec = new Recorder(setup, inside, ex, true);
    rec.start(p.x);
    const p2 = await runPass(ctx, 2, p, from === p1.iterations ? iters[1] : Math.min(iters[1], variantIters));
    if (p2.iterations % 50 !== 0) rec.onIteration(p2.iterations, p2.x, true); // the end, if not on a multiple
    pass2[from] = rec.trace();
    printTrace(`pass 2 after pass 1 of ${from < 0 ? `${-from} at half size` : from}`, pass2[from]);
  }
  return { example: ex.k, tau: ex.tau, region: ctx.region, inside: inside.length, pass1: p1Trace, pass1Half: half, targets: targetRows, pass2 };
}

export async function main(argv: string[]): Promise<void> {
  const { values: v } = parseArgs({
    args: argv,
    options: {
      backbones: { type: 'string', default: 'squeezenet,vgg19-shallow' }, examples: { type: 'string', default: '1,16' },
      size: { type: 'string', default: '700' }, 'pass1-iters': { type: 'string', default: '1000' }, 'pass2-iters': { type: 'string', default: '1000' },
      'pass1-checks': { type: 'string', default: '50,100,200,300,500' }, 'pass2-from': { type: 'string', default: '' }, 'pass1-half': { type: 'string', default: '' }, 'variant-iters': { type: 'string', default: '600' },
      json: { type: 'string' },
    },
  });
  const list = (s: string): number[] => s.split(',').filter(Boolean).map(Number);
  const iters: [number, number] = [Number(v['pass1-iters']), Number(v['pass2-iters'])];
  const out: Record<string, unknown[]> = {};
  console.log(`convergence: ${v.size} px, ${iters[0]} + ${iters[1]} iterations (paper schedule), examples ${v.examples}`);
  for (const backbone of v.backbones!.split(',')) {
    const spec = getBackbone(backbone);
    const weightsFile = kitWeights(backbone);
    const net = weightsFile ? await loadNetwork(backbone, { weightsFile, device: 'cpu' }) : networkFromWeights(spec, syntheticWeights(spec), 'cpu');
    console.log(`${backbone} (${weightsFile ? 'kit weights' : 'synthetic weights'})`);
    out[backbone] = [];
    for (const k of list(v.examples!)) {
      out[backbone].push(await runExample(net, await loadExample(k), Number(v.size), iters, list(v['pass1-checks']!), list(v['pass2-from']!), list(v['pass1-half']!), Number(v['variant-iters'])));
      if (v.json) await writeFile(v.json, JSON.stringify(out, null, 1));
    }
  }
}
