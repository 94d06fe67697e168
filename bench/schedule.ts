// The schedules against each other (issue 13): for each backbone, on a fixed set of kit examples,
// the time and the quality (colour and structure against the published pass 2, as
// `npm run eval -- dph` measures them) of `paper` and of `auto`, in one run.
//   npm run bench -- schedule [--backbones vgg19,vgg19-shallow,squeezenet,googlenet] [--examples 1,16]
//     [--size 700] [--pass1-iters 1000] [--pass2-iters 1000] [--no-post] [--spread A.json,B.json] [--json FILE]
// vgg19 runs on synthetic weights where the kit has none: time only, on the first example, and
// under auto at the iteration counts auto stopped at with the kit's VGG-19 weights (vgg19-shallow,
// in the same run): with random weights the picture's convergence, and so the stopping point,
// mean nothing.
// Time is CPU seconds of this process (all threads) as well as wall seconds: on a shared machine
// the CPU time is what the run itself costs. --spread reads `npm run eval -- dph --repeats N --json`
// results (per backbone) for the spread of a mean over these examples.
// Last line: `schedule-speedup: <paper time ÷ auto time>` with the quality change beside it.
import { readFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { harmonize } from '../companion/pipeline/harmonize/harmonize.js';
import { loadNetwork, networkFromWeights, type Network } from '../companion/compute/network.js';
import { getBackbone } from '../companion/compute/backbones/index.js';
import { syntheticWeights } from './synthetic-weights.js';
import { planPasses, type PassPlan, type Schedule } from '../companion/pipeline/harmonize/schedule.js';
import type { Progress } from '../companion/pipeline/types.js';
import { kitWeights } from '../eval/shared-kit.js';
import { loadExample, mean, qualityOf, type KitExample, type Quality } from './kit-examples.js';
import { fmt } from './util.js';

interface Run {
  backbone: string;
  example: number;
  schedule: Schedule;
  wallSeconds: number;
  cpuSeconds: number;
  iterations: [number, number];
  quality?: Quality;
}

interface RunOptions {
  size: number;
  iters: [number, number];
  post: boolean;
  quality: boolean;
  /** Run auto at these counts, without its stopping rule. */
  fixedAuto?: [number, number];
}

async function timedRun(net: Network, ex: KitExample, schedule: Schedule, o: RunOptions): Promise<Run> {
  const iterations: [number, number] = [0, 0];
  const onProgress = (p: Progress): void => {
    if (p.stage === 'pass-1' && p.iteration > 0) iterations[0] = p.iteration;
    if (p.stage === 'pass-2' && p.iteration > 0) iterations[1] = p.iteration;
  };
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const r = await harmonize(ex.inputs, {
    backbone: net.spec.name as never, size: o.size, tau: ex.tau, pass1Iters: o.iters[0], pass2Iters: o.iters[1], schedule, postProcess: o.post, device: net.device,
  }, { onProgress }, {
    network: net,
    plans: o.fixedAuto && schedule === 'auto' ? (p) => [0, 1].map((i) => ({ ...p[i], iterations: o.fixedAuto![i], expected: o.fixedAuto![i], stop: undefined })) as [PassPlan, PassPlan] : undefined,
  });
  const wallSeconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  return { backbone: net.spec.name, example: ex.k, schedule, wallSeconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, iterations, quality: o.quality ? qualityOf(r.stages.pass2!, ex) : undefined };
}

/** Per-example sds of colour and structure from an eval results file, by example. */
async function readSpreads(files: string[]): Promise<Map<string, Map<number, Quality>>> {
  const out = new Map<string, Map<number, Quality>>();
  for (const f of files) {
    const r = JSON.parse(await readFile(f, 'utf8')) as { config?: { backbone?: string }; examples?: { example: number; colour: { sd: number | null }; structure: { sd: number | null } }[] };
    if (!r.config?.backbone || !Array.isArray(r.examples)) throw new Error(`${f} is not a results file of npm run eval -- dph --json`);
    const byExample = new Map<number, Quality>();
    for (const e of r.examples) if (e.colour.sd !== null && e.structure.sd !== null) byExample.set(e.example, { colour: e.colour.sd, structure: e.structure.sd });
    out.set(r.config.backbone, byExample);
  }
  return out;
}

/** Spread of a mean over `examples` of independent per-example noise: √(Σ sd²) / n; undefined when an example has none. */
function spreadOfMean(sds: Map<number, Quality> | undefined, examples: number[]): Quality | undefined {
  if (!sds || !examples.every((k) => sds.has(k))) return undefined;
  const n = examples.length;
  const of = (f: keyof Quality): number => Math.sqrt(examples.reduce((a, k) => a + sds.get(k)![f] ** 2, 0)) / n;
  return { colour: of('colour'), structure: of('structure') };
}

/** The backbone whose kit weights stand in for a synthetic one's stopping point. */
const SYNTHETIC_PROXY: Record<string, string> = { vgg19: 'vgg19-shallow' };

/** Mean iterations auto ran per pass, over `proxy`'s runs in this bench (else every real backbone's; else auto's expected counts). */
function autoCounts(runs: Run[], proxy: string | undefined): { counts: [number, number]; from: string } {
  const pick = (rs: Run[]) => rs.filter((r) => r.schedule === 'auto' && r.quality);
  let from = pick(runs.filter((r) => r.backbone === proxy));
  let what = `as ${proxy} stopped in this run`;
  if (from.length === 0) {
    from = pick(runs);
    what = 'as the backbones with kit weights stopped in this run';
  }
  if (from.length === 0) {
    const [p1, p2] = planPasses('auto', 1000, 1000, 700);
    return { counts: [p1.expected, p2.expected], from: "auto's expected counts (no backbone with kit weights ran)" };
  }
  return { counts: [0, 1].map((i) => Math.round(mean(from.map((r) => r.iterations[i])))) as [number, number], from: what };
}

const signed = (v: number): string => `${v >= 0 ? '+' : '−'}${fmt(Math.abs(v))}`;

export async function main(argv: string[]): Promise<void> {
  const { values: v } = parseArgs({
    args: argv,
    options: {
      backbones: { type: 'string', default: 'vgg19,vgg19-shallow,squeezenet,googlenet' }, examples: { type: 'string', default: '1,16' },
      size: { type: 'string', default: '700' }, 'pass1-iters': { type: 'string', default: '1000' }, 'pass2-iters': { type: 'string', default: '1000' },
      'no-post': { type: 'boolean', default: false }, spread: { type: 'string', default: '' }, json: { type: 'string' },
    },
  });
  const examples = v.examples!.split(',').map(Number);
  const o = { size: Number(v.size), iters: [Number(v['pass1-iters']), Number(v['pass2-iters'])] as [number, number], post: !v['no-post'] };
  const spreads = await readSpreads(v.spread!.split(',').filter(Boolean));
  console.log(`schedule benchmark: paper vs auto, ${o.size} px, ${o.iters[0]} + ${o.iters[1]} iterations (caps for auto), post-processing ${o.post ? 'on' : 'off'}, examples ${examples.join(', ')}`);
  const ratios: { backbone: string; ratio: number }[] = [];
  const changes: Quality[] = [];
  const all: Run[] = [];
  // Backbones with kit weights first: the synthetic ones run auto at their counts.
  const backbones = v.backbones!.split(',').sort((a, b) => Number(!kitWeights(a)) - Number(!kitWeights(b)));
  for (const backbone of backbones) {
    const spec = getBackbone(backbone);
    const weightsFile = kitWeights(backbone);
    const net = weightsFile ? await loadNetwork(backbone, { weightsFile, device: 'cpu' }) : networkFromWeights(spec, syntheticWeights(spec), 'cpu');
    const real = weightsFile !== undefined;
    const set = real ? examples : examples.slice(0, 1);
    const fixedAuto = real ? undefined : autoCounts(all, SYNTHETIC_PROXY[backbone]);
    console.log(`${backbone} (${real ? 'kit weights' : `synthetic weights: time only; auto at ${fixedAuto!.counts.join(' + ')} iterations, ${fixedAuto!.from}`})`);
    const runs: Run[] = [];
    for (const k of set) {
      const ex = await loadExample(k);
      for (const schedule of ['paper', 'auto'] as const) {
        const r = await timedRun(net, ex, schedule, { ...o, quality: real, fixedAuto: fixedAuto?.counts });
        runs.push(r);
        const q = r.quality ? `; colour ${fmt(r.quality.colour)}, structure ${fmt(r.quality.structure)}` : '';
        console.log(`  example ${k} ${schedule.padEnd(5)}: ${fmt(r.cpuSeconds, 0)} CPU s (${fmt(r.wallSeconds, 0)} s wall), ${r.iterations[0]} + ${r.iterations[1]} iterations${q}`);
        if (v.json) await writeFile(v.json, JSON.stringify([...all, ...runs], null, 1));
      }
    }
    all.push(...runs);
    const of = (s: Schedule) => runs.filter((r) => r.schedule === s);
    const cpu = (s: Schedule) => of(s).reduce((a, r) => a + r.cpuSeconds, 0);
    const ratio = cpu('paper') / cpu('auto');
    ratios.push({ backbone, ratio });
    let line = `  ${backbone}: paper ${fmt(cpu('paper') / set.length, 0)} CPU s per example, auto ${fmt(cpu('auto') / set.length, 0)}: ×${fmt(ratio, 2)}`;
    if (real) {
      const q = (s: Schedule, f: keyof Quality) => mean(of(s).map((r) => r.quality![f]));
      const change = { colour: q('auto', 'colour') - q('paper', 'colour'), structure: q('auto', 'structure') - q('paper', 'structure') };
      changes.push(change);
      const sp = spreadOfMean(spreads.get(backbone), set);
      line += `; colour ${fmt(q('paper', 'colour'))} → ${fmt(q('auto', 'colour'))} (${signed(change.colour)}), structure ${fmt(q('paper', 'structure'))} → ${fmt(q('auto', 'structure'))} (${signed(change.structure)})`;
      line += sp ? `; spread of the mean ±${fmt(sp.colour)} / ±${fmt(sp.structure)}` : '; spread unknown (pass --spread)';
    }
    console.log(line);
  }
  const geo = Math.exp(mean(ratios.map((r) => Math.log(r.ratio))));
  const quality = changes.length ? `; colour ${signed(mean(changes.map((c) => c.colour)))}, structure ${signed(mean(changes.map((c) => c.structure)))} (auto − paper, mean over backbones with kit weights)` : '';
  console.log(`schedule-speedup: ${fmt(geo, 2)} (CPU time, geometric mean; ${ratios.map((r) => `${r.backbone} ×${fmt(r.ratio, 2)}`).join(', ')})${quality}`);
}
