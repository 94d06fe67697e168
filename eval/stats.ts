// Statistics of the evaluation: each example runs several times with imperceptible changes to its
// input, because pass 2's matching amplifies small differences; a figure means something only
// next to its spread.

/** Mean and sample standard deviation (n − 1) of one figure over repeats; sd is null for one value. */
export interface Spread {
  mean: number;
  sd: number | null;
  n: number;
}

/** A figure over all examples, with two kinds of spread. */
export interface OverallSpread {
  /** Mean over examples of the per-example means (= mean over repeats of the all-example mean). */
  mean: number;
  /** Sample sd over repeats of the all-example mean: the spread two configurations are compared by. */
  sd: number | null;
  /** Per-example sds averaged: how much a single example moves. */
  meanExampleSd: number | null;
  /** The all-example mean of each repeat. */
  perRepeat: number[];
}

export function mean(xs: readonly number[]): number {
  if (xs.length === 0) throw new Error('mean of no values');
  let s = 0;
  for (const x of xs) s += x;
  return s / xs.length;
}

/** Sample standard deviation (divides by n − 1); null below two values. */
export function sampleSd(xs: readonly number[]): number | null {
  if (xs.length < 2) return null;
  const m = mean(xs);
  let s = 0;
  for (const x of xs) s += (x - m) * (x - m);
  return Math.sqrt(s / (xs.length - 1));
}

export function spread(xs: readonly number[]): Spread {
  return { mean: mean(xs), sd: sampleSd(xs), n: xs.length };
}

/**
 * values[e][r]: the figure of example e in repeat r. Every example must have the same number of
 * repeats, since each repeat's all-example mean needs every example.
 */
export function overallSpread(values: readonly (readonly number[])[]): OverallSpread {
  if (values.length === 0) throw new Error('no examples');
  const repeats = values[0].length;
  if (repeats === 0 || values.some((v) => v.length !== repeats)) {
    throw new Error(`every example needs the same number of repeats (got ${values.map((v) => v.length).join(', ')})`);
  }
  const perRepeat = Array.from({ length: repeats }, (_, r) => mean(values.map((v) => v[r])));
  const sds = values.map(sampleSd);
  return {
    mean: mean(perRepeat),
    sd: sampleSd(perRepeat),
    meanExampleSd: sds.every((s) => s !== null) ? mean(sds as number[]) : null,
    perRepeat,
  };
}

/** How far apart two figures are against their spreads. */
export interface Difference {
  /** b − a. */
  diff: number;
  /** √(sd_a² + sd_b²); null when either has no spread. */
  combined: number | null;
  /** |diff| > factor × combined; null when there is no spread to judge by. */
  exceeds: boolean | null;
}

/** Differences beyond this many combined spreads are called real. */
export const REAL_DIFFERENCE_FACTOR = 2;

export function difference(a: { mean: number; sd: number | null }, b: { mean: number; sd: number | null }, factor = REAL_DIFFERENCE_FACTOR): Difference {
  const diff = b.mean - a.mean;
  if (a.sd === null || b.sd === null) return { diff, combined: null, exceeds: null };
  const combined = Math.hypot(a.sd, b.sd);
  return { diff, combined, exceeds: Math.abs(diff) > factor * combined };
}
