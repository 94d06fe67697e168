// The harmonization evaluation's results as JSON (one file per run of `npm run eval -- dph`), and
// the comparison of two such files (`npm run eval -- compare A.json B.json`).
import { readFile } from 'node:fs/promises';
import { PainterlyError } from '../shared/errors.js';
import { REAL_DIFFERENCE_FACTOR, difference, overallSpread, spread, type Difference, type OverallSpread, type Spread } from './stats.js';

/** One harmonization of one example. */
export interface RunFigures {
  /** 0 = the example as given; r > 0 = its composite perturbed with seed r. */
  repeat: number;
  /** Mean ΔE76 in the tight mask, ours / naive paste (both against the published pass 2). */
  colour: number;
  /** (1 − SSIM of L) over the mask's box, ours / naive paste. */
  structure: number;
  deltaE: number;
  deltaENaive: number;
  dissimilarity: number;
  dissimilarityNaive: number;
  /** Seconds for harmonize (model loading included). */
  seconds: number;
  /** CPU seconds of the whole process over the run (all threads; the machine's load does not inflate it). */
  cpuSeconds?: number;
  /** Of which post-processing (repeat 0 only). */
  postSeconds?: number;
  /** Steps of pass 1 / pass 2 the optimiser's divergence guard undid (absent in results from before it). */
  restarts?: [number, number];
}

export interface ExampleResult {
  example: number;
  tau: number;
  runs: RunFigures[];
  colour: Spread;
  structure: Spread;
}

export interface EvalConfig {
  backbone: string;
  size: number;
  pass1Iters: number;
  pass2Iters: number;
  repeats: number;
  device: string;
  weightsFile: string | null;
  commit: string | null;
  /** Where each example's τ came from: 'published', 'auto' (leave-one-out estimate) or a number; absent = published. */
  tau?: string;
}

export interface DphEvalResults {
  kind: 'painterly-dph-eval';
  version: 1;
  config: EvalConfig;
  started: string;
  seconds: number;
  /** False while the run is still going (the file is rewritten after every example). */
  complete: boolean;
  examples: ExampleResult[];
  overall: { colour: OverallSpread; structure: OverallSpread } | null;
}

export function summariseExample(example: number, tau: number, runs: RunFigures[]): ExampleResult {
  return { example, tau, runs, colour: spread(runs.map((r) => r.colour)), structure: spread(runs.map((r) => r.structure)) };
}

/** Overall figures over `examples`, using the repeats every one of them has (null when none). */
export function summariseOverall(examples: readonly ExampleResult[]): DphEvalResults['overall'] {
  if (examples.length === 0) return null;
  const repeats = Math.min(...examples.map((e) => e.runs.length));
  if (repeats === 0) return null;
  const pick = (f: 'colour' | 'structure'): number[][] =>
    examples.map((e) => [...e.runs].sort((a, b) => a.repeat - b.repeat).slice(0, repeats).map((r) => r[f]));
  return { colour: overallSpread(pick('colour')), structure: overallSpread(pick('structure')) };
}

/** Reads a results file, with a clear error for anything else. */
export function parseResults(text: string, name: string): DphEvalResults {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new PainterlyError('BAD_ARGUMENT', `${name} is not JSON: ${(e as Error).message}`);
  }
  const r = data as Partial<DphEvalResults>;
  if (r?.kind !== 'painterly-dph-eval' || r.version !== 1 || !r.config || !Array.isArray(r.examples)) {
    throw new PainterlyError('BAD_ARGUMENT', `${name} is not a results file of \`npm run eval -- dph\` (version 1).`);
  }
  for (const e of r.examples) {
    const ok = Number.isInteger(e?.example) && Array.isArray(e.runs) && e.runs.every((x) => Number.isFinite(x?.colour) && Number.isFinite(x?.structure) && Number.isInteger(x?.repeat));
    if (!ok) throw new PainterlyError('BAD_ARGUMENT', `${name}: example ${JSON.stringify(e?.example)} has malformed runs.`);
    // sd is written as null for a single repeat; recompute both from the runs so the file's own summary cannot disagree.
    Object.assign(e, summariseExample(e.example, e.tau, e.runs));
  }
  return r as DphEvalResults;
}

export interface FigureComparison extends Difference {
  a: { mean: number; sd: number | null };
  b: { mean: number; sd: number | null };
}

export interface Comparison {
  /** Settings that differ between the two runs, as "name: a → b". */
  configChanges: string[];
  examples: { example: number; colour: FigureComparison; structure: FigureComparison }[];
  /** Over the examples both files have. */
  overall: { colour: FigureComparison; structure: FigureComparison } | null;
  onlyA: number[];
  onlyB: number[];
}

export function compareResults(a: DphEvalResults, b: DphEvalResults): Comparison {
  const keys: (keyof EvalConfig)[] = ['backbone', 'size', 'pass1Iters', 'pass2Iters', 'repeats', 'device', 'weightsFile', 'commit', 'tau'];
  const setting = (r: DphEvalResults, k: keyof EvalConfig): unknown => (k === 'tau' ? (r.config.tau ?? 'published') : r.config[k]);
  const configChanges = keys.filter((k) => setting(a, k) !== setting(b, k)).map((k) => `${k}: ${setting(a, k)} → ${setting(b, k)}`);
  const byIndex = (r: DphEvalResults): Map<number, ExampleResult> => new Map(r.examples.map((e) => [e.example, e]));
  const ma = byIndex(a);
  const mb = byIndex(b);
  const common = [...ma.keys()].filter((k) => mb.has(k)).sort((x, y) => x - y);
  const cmp = (x: { mean: number; sd: number | null }, y: { mean: number; sd: number | null }): FigureComparison => ({
    a: { mean: x.mean, sd: x.sd },
    b: { mean: y.mean, sd: y.sd },
    ...difference(x, y),
  });
  const examples = common.map((k) => ({
    example: k,
    colour: cmp(ma.get(k)!.colour, mb.get(k)!.colour),
    structure: cmp(ma.get(k)!.structure, mb.get(k)!.structure),
  }));
  const oa = summariseOverall(common.map((k) => ma.get(k)!));
  const ob = summariseOverall(common.map((k) => mb.get(k)!));
  const overall = oa && ob ? { colour: cmp(oa.colour, ob.colour), structure: cmp(oa.structure, ob.structure) } : null;
  return {
    configChanges,
    examples,
    overall,
    onlyA: [...ma.keys()].filter((k) => !mb.has(k)),
    onlyB: [...mb.keys()].filter((k) => !ma.has(k)),
  };
}

export function formatSpread(s: { mean: number; sd: number | null }, digits = 3): string {
  return `${s.mean.toFixed(digits)} ± ${s.sd === null ? '—' : s.sd.toFixed(digits)}`;
}

function formatFigure(f: FigureComparison): string {
  const sign = f.diff >= 0 ? '+' : '−';
  const mark = f.exceeds === null ? '?' : f.exceeds ? '*' : ' ';
  const bound = f.combined === null ? '   —  ' : (REAL_DIFFERENCE_FACTOR * f.combined).toFixed(3);
  return `${formatSpread(f.a)} → ${formatSpread(f.b)}  ${sign}${Math.abs(f.diff).toFixed(3)} (limit ${bound}) ${mark}`;
}

export function formatComparison(c: Comparison, nameA: string, nameB: string): string[] {
  const lines = [`A = ${nameA}`, `B = ${nameB}`];
  lines.push(c.configChanges.length ? `settings that differ: ${c.configChanges.join('; ')}` : 'settings: the same');
  if (c.onlyA.length) lines.push(`only in A (left out): ${c.onlyA.join(', ')}`);
  if (c.onlyB.length) lines.push(`only in B (left out): ${c.onlyB.join(', ')}`);
  lines.push('', 'example | colour A → B, B − A | structure A → B, B − A');
  for (const e of c.examples) lines.push(`${String(e.example).padStart(7)} | ${formatFigure(e.colour)} | ${formatFigure(e.structure)}`);
  if (c.overall) {
    lines.push(`${'mean'.padStart(7)} | ${formatFigure(c.overall.colour)} | ${formatFigure(c.overall.structure)}`);
  }
  lines.push('', `* = |B − A| exceeds the limit ${REAL_DIFFERENCE_FACTOR} × √(sd_A² + sd_B²): real at the measured spread; ? = no spread (one repeat). Lower is better.`);
  return lines;
}

/**
 * Results of one configuration run in parts (e.g. one process per core, each with its own
 * `--examples` and `--json`) as one file. The settings, commit included, must match; an example in
 * several parts is taken from the first. Commits may differ where the pipeline does not.
 */
export function mergeResults(
  parts: readonly DphEvalResults[],
  names: readonly string[],
  /** Whether two commits have the same pipeline (they may differ in the eval or elsewhere). */
  samePipeline: (a: string, b: string) => boolean = (a, b) => a === b,
): DphEvalResults {
  if (parts.length === 0) throw new PainterlyError('BAD_ARGUMENT', 'Nothing to merge.');
  const [first] = parts;
  parts.forEach((p, i) => {
    const { commit: ca } = first.config;
    const { commit: cb } = p.config;
    const ignoreCommit = ca !== null && cb !== null && samePipeline(ca, cb);
    // Parts may have different repeat counts: each example keeps its runs, and the overall
    // figures use the repeats every example has (summariseOverall).
    const changes = compareResults(first, p).configChanges.filter(
      (c) => !(ignoreCommit && c.startsWith('commit:')) && !c.startsWith('repeats:'),
    );
    if (changes.length) throw new PainterlyError('BAD_ARGUMENT', `${names[i]} was run with other settings than ${names[0]} (${changes.join('; ')}).`);
  });
  const repeats = Math.min(...parts.map((p) => p.config.repeats));
  const examples = new Map<number, ExampleResult>();
  for (const p of parts) for (const e of p.examples) if (!examples.has(e.example)) examples.set(e.example, e);
  const merged = [...examples.values()].sort((a, b) => a.example - b.example);
  return {
    ...first,
    config: { ...first.config, repeats },
    started: parts.map((p) => p.started).sort()[0],
    // The parts ran side by side: the longest is the wall time.
    seconds: Math.max(...parts.map((p) => p.seconds)),
    complete: parts.every((p) => p.complete),
    examples: merged,
    overall: summariseOverall(merged),
  };
}

/** Reads and checks a results file; a missing or unreadable one is a FILE_NOT_FOUND with its name. */
export async function readResults(file: string): Promise<DphEvalResults> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new PainterlyError('FILE_NOT_FOUND', `Cannot read the results file ${file}.`);
  }
  return parseResults(text, file);
}
