// `npm run eval -- <dph|photo> [options]`: quality against the original implementations' published results;
// `npm run eval -- hires [options]`: native detail on large canvases;
// `npm run eval -- tau [--write]`: the τ estimator leave-one-out against the published τ;
// `npm run eval -- published-seams`: the same measures on the kit's published results;
// `npm run eval -- compare A.json B.json`: two dph results files side by side;
// `npm run eval -- merge OUT.json A.json B.json …`: one results file from a run split over processes.
import { isPainterlyError } from '../shared/errors.js';

const [which = 'dph', ...rest] = process.argv.slice(2);
const suites: Record<string, () => Promise<{ main(argv: string[]): Promise<void> }>> = {
  dph: () => import('./dph.js'),
  photo: () => import('./photo.js'),
  hires: () => import('./hires.js'),
  'published-seams': () => import('./published-seams.js'),
  tau: () => import('./tau.js'),
  compare: () => import('./compare.js'),
  merge: () => import('./merge.js'),
};
const load = suites[which];
if (!load) {
  console.error(`Unknown evaluation '${which}'. Choose one of: ${Object.keys(suites).join(', ')}.`);
  process.exit(2);
}
try {
  await (await load()).main(rest);
} catch (e) {
  // Bad options and input files read better without a stack; anything else keeps it.
  console.error(isPainterlyError(e) ? `${e.code}: ${e.message}` : e);
  process.exit(1);
}
