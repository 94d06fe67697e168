// Leave-one-out estimates of τ over the kit's labelled paintings: each painting's τ comes from a
// model fitted on the other 24, so no label enters its own prediction. Shared by
// `npm run eval -- tau` and `npm run eval -- dph --tau auto`.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readImage } from '../companion/image/io.js';
import { fitTauModel, kindOfTau, modelInputs, predictTau, type LabelledPainting, type PaintingKind } from '../companion/tau/classifier.js';
import { roundTau } from '../companion/tau/estimate.js';
import { paintingFeatures } from '../companion/tau/features.js';
import { KIT } from './shared-kit.js';
import { parseWikiartTau } from './wikiart-tau.js';

export const DPH_DATA = join(KIT, 'dph-examples', 'data');

export interface KitPainting extends LabelledPainting {
  example: number;
}

/** The kit's paintings (`k_target.jpg`) with their published τ and their features. */
export async function kitPaintings(): Promise<KitPainting[]> {
  const taus = parseWikiartTau(await readFile(join(DPH_DATA, 'wikiart_output.txt'), 'utf8'));
  const out: KitPainting[] = [];
  for (const [example, tau] of [...taus].sort((a, b) => a[0] - b[0])) {
    out.push({ example, tau, features: paintingFeatures(await readImage(join(DPH_DATA, `${example}_target.jpg`))) });
  }
  return out;
}

export interface LooEstimate {
  example: number;
  tau: number;
  estimate: number;
  kind: PaintingKind;
}

/** The model's leave-one-out estimate for every painting (rounded as the CLI prints it). */
export function looModel(all: readonly KitPainting[]): LooEstimate[] {
  return all.map((p) => {
    const p1 = predictTau(fitTauModel(all.filter((q) => q !== p)), p.features);
    return { example: p.example, tau: p.tau, estimate: roundTau(p1.tau), kind: p1.kind };
  });
}

/** Baseline: the label of the nearest other painting in the model's two inputs, each standardised on the others. */
export function looNearestNeighbour(all: readonly KitPainting[]): LooEstimate[] {
  return all.map((p) => {
    const others = all.filter((q) => q !== p);
    const xs = others.map((q) => modelInputs(q.features));
    const scale = (key: 'smooth' | 'coherence'): { m: number; s: number } => {
      const v = xs.map((x) => x[key]);
      const m = v.reduce((a, b) => a + b, 0) / v.length;
      return { m, s: Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / v.length) || 1 };
    };
    const sa = scale('smooth');
    const sc = scale('coherence');
    const x = modelInputs(p.features);
    const dist = (y: { smooth: number; coherence: number }): number => ((x.smooth - y.smooth) / sa.s) ** 2 + ((x.coherence - y.coherence) / sc.s) ** 2;
    let best = 0;
    xs.forEach((y, i) => { if (dist(y) < dist(xs[best])) best = i; });
    const tau = others[best].tau;
    return { example: p.example, tau: p.tau, estimate: roundTau(tau), kind: kindOfTau(tau) };
  });
}

/** Baseline: always the middle level. */
export function looAlways(all: readonly KitPainting[], tau = 5): LooEstimate[] {
  return all.map((p) => ({ example: p.example, tau: p.tau, estimate: tau, kind: kindOfTau(tau) }));
}

export interface LooScore {
  /** Mean |ln τ̂ − ln τ| and its sample sd over paintings. */
  meanAbsLogError: number;
  sdAbsLogError: number;
  /** Share of paintings whose nearest of 1 / 5 / 10 is the label's. */
  classAgreement: number;
  agreeing: number;
  n: number;
}

export function scoreLoo(est: readonly LooEstimate[]): LooScore {
  const errs = est.map((e) => Math.abs(Math.log(e.estimate) - Math.log(e.tau)));
  const m = errs.reduce((a, b) => a + b, 0) / errs.length;
  const sd = Math.sqrt(errs.reduce((a, b) => a + (b - m) ** 2, 0) / Math.max(1, errs.length - 1));
  const agreeing = est.filter((e) => kindOfTau(e.estimate) === kindOfTau(e.tau)).length;
  return { meanAbsLogError: m, sdAbsLogError: sd, classAgreement: agreeing / est.length, agreeing, n: est.length };
}
