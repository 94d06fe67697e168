// The τ model (docs/tau.md): two yes/no questions, each a one-feature Gaussian discriminant with
// a pooled variance and equal priors, then τ = the typical τ of the kind it lands on.
//   realistic or not?            ln(smoothShare + 0.01)   over all labelled paintings
//   expressive or impressionist? ln(strokeCoherence)       over the non-realistic ones
// Few parameters on purpose: 25 labels support a threshold per question, not a regression.
import { TAU_PRESETS } from '../../shared/options.js';
import { PAINTING_KINDS, type PaintingKind } from '../../shared/protocol.js';
import type { PaintingFeatures } from './features.js';

export { PAINTING_KINDS, type PaintingKind };

/** The paper's three levels (the panel's presets); a label belongs to the kind whose level is nearest. */
const KIND_LEVELS: Readonly<Record<PaintingKind, number>> = TAU_PRESETS;

/** One question: the feature's mean on the "no" and the "yes" side and the pooled variance. */
export interface Question {
  no: number;
  yes: number;
  variance: number;
}

export interface TauModel {
  /** "Not realistic?" on ln(smoothShare + 0.01). */
  painterly: Question;
  /** "Expressive?" (given not realistic) on ln(strokeCoherence). */
  expressive: Question;
  /** Geometric mean of the labels of each kind: the τ given to a painting of that kind. */
  tau: Record<PaintingKind, number>;
}

export interface LabelledPainting {
  features: PaintingFeatures;
  tau: number;
}

export function kindOfTau(tau: number): PaintingKind {
  let best: PaintingKind = 'realistic';
  for (const k of PAINTING_KINDS) if (Math.abs(tau - KIND_LEVELS[k]) < Math.abs(tau - KIND_LEVELS[best])) best = k;
  return best;
}

/** The two model inputs, on the log scale the questions use. */
export function modelInputs(f: PaintingFeatures): { smooth: number; coherence: number } {
  return { smooth: Math.log(f.smoothShare + 0.01), coherence: Math.log(Math.max(f.strokeCoherence, 1e-6)) };
}

function mean(xs: number[]): number {
  return xs.reduce((s, x) => s + x, 0) / xs.length;
}

function fitQuestion(no: number[], yes: number[], what: string): Question {
  if (no.length < 2 || yes.length < 2) throw new Error(`Cannot fit the τ model: fewer than two ${what} examples on one side.`);
  const mn = mean(no);
  const my = mean(yes);
  const ss = no.reduce((s, x) => s + (x - mn) ** 2, 0) + yes.reduce((s, x) => s + (x - my) ** 2, 0);
  return { no: mn, yes: my, variance: ss / (no.length + yes.length - 2) };
}

/** Fits the model on labelled paintings (each needs at least two of every kind). */
export function fitTauModel(examples: readonly LabelledPainting[]): TauModel {
  const rows = examples.map((e) => ({ ...modelInputs(e.features), kind: kindOfTau(e.tau), tau: e.tau }));
  const of = (k: PaintingKind): typeof rows => rows.filter((r) => r.kind === k);
  const geo = (k: PaintingKind): number => Math.exp(mean(of(k).map((r) => Math.log(r.tau))));
  const painterly = rows.filter((r) => r.kind !== 'realistic');
  return {
    painterly: fitQuestion(of('realistic').map((r) => r.smooth), painterly.map((r) => r.smooth), 'realistic / painterly'),
    expressive: fitQuestion(of('impressionist').map((r) => r.coherence), of('expressive').map((r) => r.coherence), 'impressionist / expressive'),
    tau: { realistic: geo('realistic'), impressionist: geo('impressionist'), expressive: geo('expressive') },
  };
}

/** P(yes) for a value under two Gaussians with the question's means and variance, equal priors. */
export function probabilityYes(q: Question, x: number): number {
  const logOdds = ((x - q.no) ** 2 - (x - q.yes) ** 2) / (2 * q.variance);
  return 1 / (1 + Math.exp(-logOdds));
}

export interface TauPrediction {
  kind: PaintingKind;
  /** τ of the most probable kind, unrounded. */
  tau: number;
  probabilities: Record<PaintingKind, number>;
}

export function predictTau(model: TauModel, features: PaintingFeatures): TauPrediction {
  const x = modelInputs(features);
  const painterly = probabilityYes(model.painterly, x.smooth);
  const expressive = probabilityYes(model.expressive, x.coherence);
  const probabilities: Record<PaintingKind, number> = {
    realistic: 1 - painterly,
    impressionist: painterly * (1 - expressive),
    expressive: painterly * expressive,
  };
  // The most probable kind, not the probability-weighted τ: a painting between two kinds
  // would otherwise get a τ that fits neither (leave-one-out: 0.37 vs 0.46 mean |ln error|).
  let kind: PaintingKind = 'realistic';
  for (const k of PAINTING_KINDS) if (probabilities[k] > probabilities[kind]) kind = k;
  return { kind, tau: model.tau[kind], probabilities };
}
