// `npm run eval -- tau [--write]`: how well the τ estimator (companion/tau/) recovers the
// original's published τ of the kit's 25 paintings, leave-one-out (each painting's estimate comes
// from a model fitted on the other 24), next to two baselines: always 5, and the label of the
// nearest other painting. `--write` fits the model on all 25 and rewrites companion/tau/model.ts.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fitTauModel, kindOfTau, type TauModel } from '../companion/tau/classifier.js';
import { REPO_ROOT } from './shared-kit.js';
import { kitPaintings, looAlways, looModel, looNearestNeighbour, scoreLoo, type LooEstimate, type LooScore } from './tau-loo.js';

export async function main(argv: string[]): Promise<void> {
  const { values: v } = parseArgs({ args: argv, options: { write: { type: 'boolean', default: false } } });
  const t0 = performance.now();
  const all = await kitPaintings();
  const featureMs = (performance.now() - t0) / all.length;
  const model = looModel(all);
  const always = looAlways(all);
  const nearest = looNearestNeighbour(all);

  console.log(`τ estimator, leave-one-out over the kit's ${all.length} paintings (features ${featureMs.toFixed(0)} ms per painting incl. decoding)\n`);
  console.log('example  published  estimate  kind           |ln error|  nearest-neighbour');
  for (const [i, p] of all.entries()) {
    const e = model[i];
    const err = Math.abs(Math.log(e.estimate / e.tau));
    const wrong = kindOfTau(e.estimate) !== kindOfTau(e.tau) ? '  ✗' : '';
    console.log(`${String(p.example).padStart(7)}  ${p.tau.toFixed(2).padStart(9)}  ${e.estimate.toFixed(1).padStart(8)}  ${e.kind.padEnd(13)}  ${err.toFixed(2).padStart(10)}${wrong.padEnd(3)}  ${nearest[i].estimate.toFixed(1).padStart(6)}`);
  }
  const line = (name: string, s: LooScore): void =>
    console.log(`${name.padEnd(20)} mean |ln τ̂ − ln τ| ${s.meanAbsLogError.toFixed(3)} (sd ${s.sdAbsLogError.toFixed(2)}), nearest of 1/5/10 agrees ${s.agreeing}/${s.n} (${pct(s.classAgreement)}; 95 % interval ${wilson(s.agreeing, s.n)})`);
  console.log('');
  const ours = scoreLoo(model);
  line('estimator', ours);
  line('always 5', scoreLoo(always));
  line('nearest neighbour', scoreLoo(nearest));
  printConfusion(model);

  if (v.write) {
    const file = join(REPO_ROOT, 'companion', 'tau', 'model.ts');
    await writeFile(file, modelSource(fitTauModel(all)));
    console.log(`\nwrote ${file} (fitted on all ${all.length})`);
  }
  console.log(`tau-loo-mean-abs-log-error: ${ours.meanAbsLogError.toFixed(3)}`);
  console.log(`tau-loo-class-agreement: ${ours.classAgreement.toFixed(2)}`);
}

function pct(x: number): string {
  return `${Math.round(x * 100)} %`;
}

/** Wilson score interval: what an agreement count over n paintings says about the rate. */
export function wilson(k: number, n: number, z = 1.96): string {
  const p = k / n;
  const d = 1 + (z * z) / n;
  const c = (p + (z * z) / (2 * n)) / d;
  const h = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / d;
  return `${pct(Math.max(0, c - h))}–${pct(Math.min(1, c + h))}`;
}

function printConfusion(est: readonly LooEstimate[]): void {
  const kinds = ['realistic', 'impressionist', 'expressive'] as const;
  console.log('\nthe label\'s kind → estimated kind');
  for (const a of kinds) {
    const row = kinds.map((b) => est.filter((e) => kindOfTau(e.tau) === a && kindOfTau(e.estimate) === b).length);
    console.log(`  ${a.padEnd(13)} ${kinds.map((b, i) => `${b} ${row[i]}`).join(', ')}`);
  }
}

function modelSource(m: TauModel): string {
  const q = (x: { no: number; yes: number; variance: number }): string => `{ no: ${x.no}, yes: ${x.yes}, variance: ${x.variance} }`;
  return `// Written by \`npm run eval -- tau --write\` (fitted on the kit's 25 labelled paintings); do not edit by hand.
import type { TauModel } from './classifier.js';

export const TAU_MODEL: TauModel = {
  painterly: ${q(m.painterly)},
  expressive: ${q(m.expressive)},
  tau: { realistic: ${m.tau.realistic}, impressionist: ${m.tau.impressionist}, expressive: ${m.tau.expressive} },
};
`;
}
