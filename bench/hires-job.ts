// One harmonize job in a process of its own, for bench/hires.ts: its peak memory is then the
// job's (plus Node's and tsx's own). Two ways in:
//   cli  ARGV…   — `painterly harmonize ARGV…`, the CLI's own reading, job and writing;
//   api  JSON    — harmonize() on files with options { painting, composite, mask, out?, options },
//                  timing the paper-scale part (up to the detail levels) and the levels.
// Prints one line: `RESULT {"seconds":…,"paperPartSeconds":…,"maxRssMiB":…,"levels":[…]}`.
import type { HarmonizeOptions, Progress } from '../companion/pipeline/types.js';

const [mode, ...rest] = process.argv.slice(2);
const t0 = performance.now();
let paperPart = NaN;
// Per pass: the times of its first and last iteration, and their numbers (for seconds per iteration).
const passes = new Map<string, { first: number; last: number; n0: number; n1: number }>();
const levels: number[] = [];
if (mode === 'cli') {
  const { command } = await import('../companion/cli/harmonize.js');
  const code = await command.run(rest);
  if (code !== 0) process.exit(code);
} else if (mode === 'api') {
  const job = JSON.parse(rest[0]) as { painting: string; composite: string; mask: string; out?: string; options: Partial<HarmonizeOptions> };
  const { readImage, readMask, writeImage } = await import('../companion/image/io.js');
  const { harmonize } = await import('../companion/pipeline/harmonize/harmonize.js');
  const [painting, composite, mask] = await Promise.all([readImage(job.painting), readImage(job.composite), readMask(job.mask)]);
  const onProgress = (p: Progress): void => {
    const now = (performance.now() - t0) / 1000;
    if (p.stage === 'detail' && Number.isNaN(paperPart)) paperPart = now;
    if (p.stage === 'detail' && p.total > 0) levels[p.iteration] = now;
    if ((p.stage === 'pass-1' || p.stage === 'pass-2') && p.iteration > 0) {
      const e = passes.get(p.stage);
      if (!e) passes.set(p.stage, { first: now, last: now, n0: p.iteration, n1: p.iteration });
      else Object.assign(e, { last: now, n1: p.iteration });
    }
  };
  const r = await harmonize({ painting, composite, mask }, job.options, { onProgress });
  if (job.out) await writeImage(job.out, r.image);
} else {
  console.error('Usage: hires-job.ts cli ARGV… | api JSON');
  process.exit(2);
}
const seconds = (performance.now() - t0) / 1000;
const perIteration = ['pass-1', 'pass-2'].map((s) => {
  const e = passes.get(s);
  return e && e.n1 > e.n0 ? (e.last - e.first) / (e.n1 - e.n0) : NaN;
});
const levelSeconds = levels.slice(1).map((t, k) => t - levels[k]);
console.log(`RESULT ${JSON.stringify({ seconds, paperPartSeconds: Number.isNaN(paperPart) ? seconds : paperPart, perIteration, levelSeconds, maxRssMiB: process.resourceUsage().maxRSS / 1024 })}`);
