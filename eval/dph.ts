// Harmonization quality against the original's published pass-2 results (issues 3, 7 and 11).
// Per example: colour = mean ΔE76 inside the tight mask (ours vs published) / (naive vs
// published); structure = (1 − SSIM_L ours) / (1 − SSIM_L naive) over the mask's bounding box.
// Lower is better for both; 0 = the paper's pixels. Pass 2's matching amplifies small differences,
// so each example runs `--repeats` times (repeat r > 0 with ±1 grey level of noise, seed r, on the
// composite) and every figure comes with its spread. Writes a JSON file (compare two with
// `npm run eval -- compare A.json B.json`), one strip per example, an HTML page and a contact sheet.
import { PainterlyError } from '../shared/errors.js';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { sideBySide } from './side-by-side.js';
import { harmonize } from '../companion/pipeline/harmonize/harmonize.js';
import { readImage, readMask } from '../companion/image/io.js';
import { resize } from '../companion/image/resize.js';
import { boundsAbove } from '../companion/image/planar.js';
import { meanDeltaE76, ssimL } from './metrics.js';
import type { Image } from '../companion/image/image.js';
import type { BackboneName } from '../shared/catalogue.js';
import type { HarmonizeOptions, PipelineOptions } from '../companion/pipeline/types.js';
import { parseWikiartTau } from './wikiart-tau.js';
import { kitPaintings, looModel } from './tau-loo.js';
import { perturbImage } from './perturb.js';
import { compareResults, formatSpread, parseResults, summariseExample, summariseOverall, type DphEvalResults, type RunFigures } from './dph-results.js';
import { writeContactSheet, writePage, type StripEntry } from './dph-page.js';
import { KIT, REPO_ROOT, kitWeights } from './shared-kit.js';

const DATA = join(KIT, 'dph-examples', 'data');
const RESULTS = join(KIT, 'dph-examples', 'results');
const ALL_EXAMPLES = Array.from({ length: 25 }, (_, k) => k).join(',');

interface Example {
  k: number;
  tau: number;
  painting: Image;
  composite: Image;
  mask: Image;
  dilatedMask: Image;
}

export async function main(argv: string[]): Promise<void> {
  const { values: v } = parseArgs({
    args: argv,
    options: {
      examples: { type: 'string', default: ALL_EXAMPLES }, backbone: { type: 'string', default: 'squeezenet' },
      size: { type: 'string', default: '350' }, 'pass1-iters': { type: 'string', default: '300' }, 'pass2-iters': { type: 'string', default: '300' },
      repeats: { type: 'string', default: '3' }, weights: { type: 'string' }, device: { type: 'string', default: 'cpu' },
      out: { type: 'string', default: join(REPO_ROOT, '.eval', 'dph') }, tau: { type: 'string', default: 'published' }, json: { type: 'string' }, resume: { type: 'boolean', default: false },
    },
  });
  const whole = (s: string, name: string, min: number): number => {
    const n = Number(s);
    if (!Number.isInteger(n) || n < min) throw new PainterlyError('BAD_ARGUMENT', `--${name} must be a whole number ≥ ${min}, got '${s}'.`);
    return n;
  };
  const examples = v.examples!.split(',').map((s) => whole(s.trim(), 'examples', 0));
  const backbone = v.backbone as BackboneName;
  const size = whole(v.size!, 'size', 32);
  const repeats = whole(v.repeats!, 'repeats', 1);
  const options = { backbone, size, pass1Iters: whole(v['pass1-iters']!, 'pass1-iters', 0), pass2Iters: whole(v['pass2-iters']!, 'pass2-iters', 0), device: v.device! };
  // The figures are taken at the working size: no refinement to the examples' resolution; with
  // every iteration, as the original (`npm run bench -- schedule` compares the schedules).
  const jobOptions = { ...options, detail: 'paper' as const, schedule: 'paper' as const };
  const weightsFile = v.weights ?? kitWeights(backbone);
  const out = v.out!;
  const tauSetting = v.tau!;
  const name = `dph-${backbone}-${size}${tauSetting === 'published' ? '' : `-tau-${tauSetting}`}`;
  const files = { json: v.json ?? join(out, `${name}.json`), html: join(out, `${name}.html`), sheet: join(out, `${name}-contact.png`), strips: join(out, 'strips') };
  const taus = await exampleTaus(tauSetting);
  await mkdir(files.strips, { recursive: true });

  const results: DphEvalResults = {
    kind: 'painterly-dph-eval', version: 1, started: new Date().toISOString(), seconds: 0, complete: false, examples: [], overall: null,
    config: { ...options, repeats, weightsFile: weightsFile ?? null, commit: gitCommit(), tau: tauSetting },
  };
  const strips: (StripEntry & { file: string })[] = [];
  if (v.resume) await resumeFrom(files.json, results, examples, strips, (k) => join(files.strips, `${k}_${backbone}_${size}.png`), out);
  const done = new Set(results.examples.map((e) => e.example));
  const t0 = performance.now() - results.seconds * 1000;
  const save = async (): Promise<void> => {
    results.seconds = (performance.now() - t0) / 1000;
    const order = (a: { example: number }, b: { example: number }): number => examples.indexOf(a.example) - examples.indexOf(b.example);
    results.examples.sort(order);
    strips.sort(order);
    results.overall = summariseOverall(results.examples);
    await writeFile(files.json, JSON.stringify(results, null, 1));
    await writePage(results, strips, files.html);
  };
  console.log(`dph eval: ${backbone}, ${size} px, ${options.pass1Iters} + ${options.pass2Iters} iterations, ${repeats} repeat(s), τ ${tauSetting}, examples ${examples.join(', ')}`);
  for (const k of examples.filter((x) => !done.has(x))) {
    const ex = await loadExample(k, taus);
    const runs: RunFigures[] = [];
    for (let r = 0; r < repeats; r++) {
      const { run, panels } = await runOnce(ex, r, { ...jobOptions, weightsFile });
      runs.push(run);
      console.log(`example ${k} repeat ${r}: colour ${run.colour.toFixed(3)} (ΔE ${run.deltaE.toFixed(2)} vs naive ${run.deltaENaive.toFixed(2)}), ` +
        `structure ${run.structure.toFixed(3)} (1−SSIM ${run.dissimilarity.toFixed(3)} vs ${run.dissimilarityNaive.toFixed(3)}); ${run.seconds.toFixed(1)} s` +
        (run.restarts?.some((n) => n > 0) ? `; divergence guard restarted pass 1 / 2 ${run.restarts.join(' / ')}×` : ''));
      if (panels) {
        const file = join(files.strips, `${k}_${backbone}_${size}.png`);
        await sideBySide(panels, file);
        strips.push({ example: k, strip: relative(out, file), file });
      }
    }
    results.examples.push(summariseExample(k, ex.tau, runs));
    await save();
  }
  results.complete = true;
  await save();
  await writeContactSheet(results, strips, files.sheet);
  printTable(results, files);
}

/**
 * τ per example: the original's published τ ('published'), the estimator's leave-one-out estimate
 * ('auto': each painting's τ from a model fitted on the other 24, so no label enters its own
 * run), or one number for all.
 */
async function exampleTaus(setting: string): Promise<Map<number, number>> {
  const published = parseWikiartTau(await readFile(join(DATA, 'wikiart_output.txt'), 'utf8'));
  if (setting === 'published') return published;
  if (setting === 'auto') {
    const est = looModel(await kitPaintings());
    console.log(`τ read from the paintings (leave-one-out): ${est.map((e) => `${e.example}: ${e.estimate}`).join(', ')}`);
    return new Map(est.map((e) => [e.example, e.estimate]));
  }
  const n = Number(setting);
  if (!(n >= 1 && n <= 20)) throw new PainterlyError('BAD_ARGUMENT', `--tau must be 'published', 'auto' or a number from 1 to 20, got '${setting}'.`);
  return new Map([...published.keys()].map((k) => [k, n]));
}

/** --resume: keep the examples an earlier run with the same settings finished; the rest run again. */
async function resumeFrom(json: string, results: DphEvalResults, examples: number[], strips: (StripEntry & { file: string })[], stripFile: (k: number) => string, out: string): Promise<void> {
  if (!existsSync(json)) return;
  const before = parseResults(await readFile(json, 'utf8'), json);
  const changes = compareResults(before, { ...before, config: { ...results.config, commit: before.config.commit } }).configChanges;
  if (changes.length) throw new PainterlyError('BAD_ARGUMENT', `Cannot resume ${json}: its settings differ (${changes.join('; ')}).`);
  if (before.config.commit !== results.config.commit) console.warn(`Resuming results of commit ${before.config.commit} with commit ${results.config.commit}.`);
  results.started = before.started;
  results.seconds = before.seconds;
  results.examples = before.examples.filter((e) => examples.includes(e.example) && e.runs.length === results.config.repeats);
  for (const e of results.examples) {
    if (existsSync(stripFile(e.example))) strips.push({ example: e.example, strip: relative(out, stripFile(e.example)), file: stripFile(e.example) });
  }
  console.log(`resuming: ${results.examples.length} example(s) already done (${results.examples.map((e) => e.example).join(', ')})`);
}

/** One harmonization of an example: repeat 0 as given and post-processed, repeat r > 0 perturbed with seed r. */
async function runOnce(ex: Example, r: number, options: Omit<PipelineOptions<HarmonizeOptions>, 'tau' | 'postProcess'>): Promise<{ run: RunFigures; panels?: Image[] }> {
  const t = performance.now();
  const cpu = process.cpuUsage();
  // Post-processing only in repeat 0: pass 2's figures do not depend on it, and it is only looked at.
  const composite = r === 0 ? ex.composite : perturbImage(ex.composite, r);
  let postStart: number | undefined;
  const onProgress = (p: { stage: string }): void => {
    if (postStart === undefined && p.stage.startsWith('post-processing')) postStart = performance.now();
  };
  const res = await harmonize({ painting: ex.painting, composite, mask: ex.mask, dilatedMask: ex.dilatedMask }, { ...options, tau: ex.tau, postProcess: r === 0 }, { onProgress });
  const end = performance.now();
  const used = process.cpuUsage(cpu);
  const { figures, panels } = await measure(ex, res.stages, r === 0);
  const run: RunFigures = {
    repeat: r, ...figures, seconds: (end - t) / 1000, cpuSeconds: (used.user + used.system) / 1e6, restarts: res.restarts,
    ...(postStart !== undefined && { postSeconds: (end - postStart) / 1000 }),
  };
  return { run, panels };
}

async function loadExample(k: number, taus: Map<number, number>): Promise<Example> {
  const file = (f: string): string => {
    const p = join(DATA, f);
    if (!existsSync(p)) throw new PainterlyError('FILE_NOT_FOUND', `Example ${k} is not in the kit: ${p} is missing.`);
    return p;
  };
  return {
    k,
    tau: taus.get(k) ?? 5,
    painting: await readImage(file(`${k}_target.jpg`)),
    composite: await readImage(file(`${k}_naive.jpg`)),
    mask: await readMask(file(`${k}_c_mask.jpg`)),
    dilatedMask: await readMask(file(`${k}_c_mask_dilated.jpg`)),
  };
}

/** Figures of pass 2 against the published pass 2, and (when asked) the strip's panels at working size. */
async function measure(ex: Example, stages: { pass1?: Image; pass2?: Image; final?: Image }, withPanels: boolean) {
  const ours = stages.pass2!;
  const at = (img: Image): Image => resize(img, ours.width, ours.height);
  const published = at(await readImage(join(RESULTS, `${ex.k}_final_res.png`)));
  const naive = at(ex.composite);
  const tight = at(ex.mask);
  const deltaE = meanDeltaE76(ours, published, tight);
  const deltaENaive = meanDeltaE76(naive, published, tight);
  const box = boundsAbove(tight, 0.5);
  const dissimilarity = 1 - ssimL(ours, published, box);
  const dissimilarityNaive = 1 - ssimL(naive, published, box);
  const figures = { colour: deltaE / deltaENaive, structure: dissimilarity / dissimilarityNaive, deltaE, deltaENaive, dissimilarity, dissimilarityNaive };
  const panels = withPanels
    ? [naive, stages.pass1!, ours, stages.final ?? ours, published, at(await readImage(join(RESULTS, `${ex.k}_final_res2.png`)))]
    : undefined;
  return { figures, panels };
}

function printTable(r: DphEvalResults, files: { json: string; html: string; sheet: string }): void {
  console.log('\nexample     τ   colour          structure       s/run (CPU s/run)');
  for (const e of r.examples) {
    const avg = (f: (x: RunFigures) => number | undefined): string => (e.runs.reduce((a, x) => a + (f(x) ?? NaN), 0) / e.runs.length).toFixed(1);
    console.log(`${String(e.example).padStart(7)} ${e.tau.toFixed(2).padStart(5)}   ${formatSpread(e.colour).padEnd(15)} ${formatSpread(e.structure).padEnd(15)} ${avg((x) => x.seconds)} (${avg((x) => x.cpuSeconds)})`);
  }
  const o = r.overall!;
  const avg = (x: number | null): string => (x === null ? '—' : x.toFixed(3));
  console.log(`mean over ${r.examples.length} examples × ${r.config.repeats} repeat(s), ± = sd over repeats of the all-example mean ` +
    `(per-example sd averaged: colour ${avg(o.colour.meanExampleSd)}, structure ${avg(o.structure.meanExampleSd)}); ${(r.seconds / 60).toFixed(1)} min in all`);
  console.log(`results: ${files.json}\npage (naive | pass 1 | pass 2 | final | published pass 2 | published final): ${files.html}\ncontact sheet: ${files.sheet}`);
  console.log(`dph-quality: ${formatSpread(o.colour)}`);
  console.log(`dph-structure: ${formatSpread(o.structure)}`);
}

/** The commit evaluated, marked when the pipeline or eval has uncommitted changes; null outside git. */
function gitCommit(): string | null {
  try {
    const git = (...args: string[]): string => execFileSync('git', args, { cwd: REPO_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    return git('rev-parse', '--short', 'HEAD') + (git('status', '--porcelain', '--', 'companion', 'eval', 'shared') ? '+changes' : '');
  } catch {
    return null;
  }
}
