// `npm run bench -- preview [--examples 16,1,5] [--backbone vgg19-shallow] [--size N]
//   [--pass1-iters N] [--pass2-iters N] [--detail paper|native] [--no-post] [--reuse-full]`:
// does a Preview show what Full will give, and at what fraction of Full's time? Per kit example,
// a Full job and a Preview job (the preset, or the preview options given) on the same inputs with
// the defaults otherwise (τ auto), in this process one after the other: the time ratio, and the
// mean ΔE76 inside the object's mask between the preview and the Full result over the naive
// paste's ΔE76 to the Full result (1 = no closer than the paste, 0 = the Full result).
// `--reuse-full` takes Full's result and time from an earlier run's files (.bench/preview/), for
// trying preview settings: its time ratio then mixes two runs, and the output says so.
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { harmonize } from '../companion/pipeline/harmonize/harmonize.js';
import { readImage, readMask, writeImage } from '../companion/image/io.js';
import { resize } from '../companion/image/resize.js';
import type { Image } from '../companion/image/image.js';
import type { HarmonizeOptions, Progress } from '../companion/pipeline/types.js';
import { resolveOptions } from '../shared/options.js';
import type { HarmonizeJobOptions } from '../shared/protocol.js';
import { meanDeltaE76 } from '../eval/metrics.js';
import { KIT, REPO_ROOT, kitWeights } from '../eval/shared-kit.js';

const DATA = join(KIT, 'dph-examples', 'data');
const CACHE = join(REPO_ROOT, '.bench', 'preview');

interface Timed {
  image: Image;
  seconds: number;
  /** Seconds from the job's start to the start of each stage. */
  stages: Record<string, number>;
}

async function timedJob(inputs: Parameters<typeof harmonize>[0], options: HarmonizeJobOptions, weightsFile?: string): Promise<Timed> {
  const resolved = resolveOptions(options) as unknown as HarmonizeOptions;
  const stages: Record<string, number> = {};
  const t0 = performance.now();
  const onProgress = (p: Progress): void => {
    stages[p.stage] ??= (performance.now() - t0) / 1000;
  };
  const r = await harmonize(inputs, { ...resolved, device: 'cpu', weightsFile }, { onProgress });
  return { image: r.image, seconds: (performance.now() - t0) / 1000, stages };
}

export async function main(argv: string[]): Promise<void> {
  const { values: v } = parseArgs({
    args: argv,
    options: {
      examples: { type: 'string', default: '16,1,5' }, backbone: { type: 'string', default: 'vgg19-shallow' },
      size: { type: 'string' }, 'pass1-iters': { type: 'string' }, 'pass2-iters': { type: 'string' }, detail: { type: 'string' },
      'no-post': { type: 'boolean', default: false }, 'reuse-full': { type: 'boolean', default: false },
    },
  });
  const backbone = v.backbone as HarmonizeJobOptions['backbone'];
  const weightsFile = kitWeights(backbone!);
  const num = (s: string | undefined): number | undefined => (s === undefined ? undefined : Number(s));
  const preview: HarmonizeJobOptions = {
    mode: 'harmonize', quality: 'preview', backbone,
    ...(v.size && { size: num(v.size) }), ...(v['pass1-iters'] && { pass1Iters: num(v['pass1-iters']) }),
    ...(v['pass2-iters'] && { pass2Iters: num(v['pass2-iters']) }), ...(v.detail && { detail: v.detail as 'paper' | 'native' }),
    ...(v['no-post'] && { postProcess: false }),
  };
  const full: HarmonizeJobOptions = { mode: 'harmonize', quality: 'full', backbone };
  await mkdir(CACHE, { recursive: true });
  console.log(`preview bench: ${backbone}; preview ${JSON.stringify(resolveOptions(preview))}`);
  const rows: { time: number; deltaE: number }[] = [];
  for (const k of v.examples!.split(',').map(Number)) {
    const inputs = {
      painting: await readImage(join(DATA, `${k}_target.jpg`)), composite: await readImage(join(DATA, `${k}_naive.jpg`)),
      mask: await readMask(join(DATA, `${k}_c_mask.jpg`)), dilatedMask: await readMask(join(DATA, `${k}_c_mask_dilated.jpg`)),
    };
    const cached = { image: join(CACHE, `full-${backbone}-${k}.png`), json: join(CACHE, `full-${backbone}-${k}.json`) };
    let f: Timed;
    if (v['reuse-full'] && existsSync(cached.image) && existsSync(cached.json)) {
      const saved = JSON.parse(await readFile(cached.json, 'utf8')) as Omit<Timed, 'image'>;
      f = { ...saved, image: await readImage(cached.image) };
    } else {
      f = await timedJob(inputs, full, weightsFile);
      await writeImage(cached.image, f.image);
      await writeFile(cached.json, JSON.stringify({ seconds: f.seconds, stages: f.stages }));
    }
    const p = await timedJob(inputs, preview, weightsFile);
    const { width: W, height: H } = f.image;
    const at = (img: Image): Image => (img.width === W && img.height === H ? img : resize(img, W, H));
    const mask = at(inputs.mask);
    const naive = meanDeltaE76(at(inputs.composite), f.image, mask);
    const ours = meanDeltaE76(at(p.image), f.image, mask);
    const row = { time: p.seconds / f.seconds, deltaE: ours / naive };
    rows.push(row);
    const stages = (t: Timed): string => Object.entries(t.stages).map(([s, x]) => `${s} ${x.toFixed(1)}`).join(', ');
    console.log(`example ${k}: Full ${f.seconds.toFixed(1)} s${v['reuse-full'] ? ' (an earlier run)' : ''} [${stages(f)}]; ` +
      `Preview ${p.seconds.toFixed(1)} s [${stages(p)}]; time ratio ${row.time.toFixed(3)}; ` +
      `ΔE76 preview→Full ${ours.toFixed(2)} vs naive→Full ${naive.toFixed(2)}: ratio ${row.deltaE.toFixed(3)}`);
  }
  const mean = (f: (r: (typeof rows)[number]) => number): number => rows.reduce((a, r) => a + f(r), 0) / rows.length;
  const max = (f: (r: (typeof rows)[number]) => number): number => Math.max(...rows.map(f));
  console.log(`preview-time-ratio: ${mean((r) => r.time).toFixed(3)} (max ${max((r) => r.time).toFixed(3)})${v['reuse-full'] ? ' — Full timed in an earlier run' : ''}`);
  console.log(`preview-delta-e-ratio: ${mean((r) => r.deltaE).toFixed(3)} (max ${max((r) => r.deltaE).toFixed(3)})`);
}
