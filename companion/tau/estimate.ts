// The style strength τ a job with `tau: 'auto'` runs with: the painting's two features
// (features.ts) through the model fitted on the kit's 25 labelled paintings (model.ts, written by
// `npm run eval -- tau --write`). Synchronous, a fraction of a second (`npm run bench -- tau`): it runs inside a job.
import { JOB_OPTIONS } from '../../shared/options.js';
import type { Image } from '../image/image.js';
import { predictTau, type PaintingKind, type TauModel } from './classifier.js';
import { paintingFeatures } from './features.js';
import { TAU_MODEL } from './model.js';

export type { PaintingKind } from './classifier.js';

export interface TauEstimate {
  /** Rounded to 0.1, within 1–20 (the option's range). */
  tau: number;
  kind: PaintingKind;
  /** What the painting was taken for, for people: "loose impressionist brushwork". */
  words: string;
  /** What it measured, by name (for `painterly tau --verbose`). */
  features: Record<string, number>;
}

const WORDS: Record<PaintingKind, string> = {
  realistic: 'smooth, blended realistic painting',
  impressionist: 'loose impressionist brushwork',
  expressive: 'bold expressive strokes and outlines',
};

export function tauWords(kind: PaintingKind, confidence: number): string {
  return confidence < 0.65 ? `${WORDS[kind]}, at a guess` : WORDS[kind];
}

/** To 0.1, within the option's range. */
export function roundTau(tau: number): number {
  return Math.min(JOB_OPTIONS.tau.max, Math.max(JOB_OPTIONS.tau.min, Math.round(tau * 10) / 10));
}

export function estimateTau(painting: Image, model: TauModel = TAU_MODEL): TauEstimate {
  const f = paintingFeatures(painting);
  const p = predictTau(model, f);
  return {
    tau: roundTau(p.tau),
    kind: p.kind,
    words: tauWords(p.kind, p.probabilities[p.kind]),
    features: {
      'smooth share': f.smoothShare,
      'stroke coherence': f.strokeCoherence,
      'P(realistic)': p.probabilities.realistic,
      'P(impressionist)': p.probabilities.impressionist,
      'P(expressive)': p.probabilities.expressive,
    },
  };
}
