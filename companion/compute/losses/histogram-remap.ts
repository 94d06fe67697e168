// The rank-based histogram remap of pass 2 (spec §3.5; Risser et al. 2017 as coded in the
// original's `histogram` and `hist_remap2` kernels). For each channel, the current features inside
// the mask are sorted and the value of rank k is replaced by the reference histogram's quantile
// for k. The histogram loss then pulls F towards R: u = F − R.
//
// Because the reference counts are fixed once the reference set is known, the value R given to
// rank k depends on k alone. So the work splits in two:
//   - once per run: histogramReference() and rankToValueTable() (C × nI table);
//   - every evaluation: sort each channel, read the table by rank, scatter back by position —
//     which the compute graph can do with TopK + ScatterElements.
// The per-element CPU remap and a slow literal transcription, which tests check the table against,
// live in test/support/histogram-remap-cpu.ts.
//
// Arithmetic follows the original's float32 where it decides a bin or a rank; ties between equal
// values are ranked by position (a stable sort), where the original's GPU sort is unspecified.
import { PainterlyError } from '../../../shared/errors.js';

const HISTOGRAM_BINS = 256;

export interface ChannelHistogram {
  /** Minimum and maximum of the reference values; not widened (the remap uses them as they are). */
  min: number;
  max: number;
  /** Bin counts multiplied by nI/nJ (float32, as the original). */
  counts: Float32Array;
  /** Running sum of `counts`. */
  cum: Float32Array;
}

export interface HistogramReference {
  bins: number;
  /** Reference positions (the used set at this layer). */
  nJ: number;
  /** Positions to remap: the mask at this layer above 0.1. */
  nI: number;
  channels: ChannelHistogram[];
}

const f32 = Math.fround;

/**
 * Per-channel reference histograms from the reference features J (channel-major, C × nJ).
 * Bin of v: min(⌊(v − min)/(max − min)·bins⌋, bins − 1), with [min, max] widened to
 * [min − 1, max + 1] for counting when min = max. Counts are then scaled by nI/nJ.
 */
export function histogramReference(
  ref: Float32Array,
  C: number,
  nJ: number,
  nI: number,
  bins = HISTOGRAM_BINS,
): HistogramReference {
  if (ref.length !== C * nJ) {
    throw new PainterlyError('INTERNAL', `Expected ${C}×${nJ} reference values, got ${ref.length}.`);
  }
  if (nJ === 0) throw new PainterlyError('INTERNAL', 'The histogram reference set is empty.');
  const scale = f32(nI / nJ);
  const channels: ChannelHistogram[] = [];
  for (let c = 0; c < C; c++) {
    const vals = ref.subarray(c * nJ, (c + 1) * nJ);
    let min = Infinity;
    let max = -Infinity;
    for (let i = 0; i < nJ; i++) {
      if (vals[i] < min) min = vals[i];
      if (vals[i] > max) max = vals[i];
    }
    let lo = min;
    let hi = max;
    if (lo === hi) {
      lo = f32(lo - 1);
      hi = f32(hi + 1);
    }
    const range = f32(hi - lo);
    const raw = new Float64Array(bins);
    for (let i = 0; i < nJ; i++) {
      const v = vals[i];
      if (!(lo <= v && v <= hi)) continue;
      const pos = f32(f32(f32(v - lo) / range) * bins);
      raw[Math.trunc(Math.min(pos, bins - 1))]++;
    }
    const counts = new Float32Array(bins);
    const cum = new Float32Array(bins);
    let running = 0;
    for (let b = 0; b < bins; b++) {
      counts[b] = raw[b] * scale;
      running += counts[b];
      cum[b] = running;
    }
    channels.push({ min, max, counts, cum });
  }
  return { bins, nJ, nI, channels };
}

/** Bin b holds ranks k with lower(b) ≤ k < upper(b); the outer edges are −0.5 and cum[last] + 0.5. */
function lowerEdge(h: ChannelHistogram, b: number): number {
  return b === 0 ? -0.5 : h.cum[b - 1];
}
function upperEdge(h: ChannelHistogram, b: number, bins: number): number {
  return b === bins - 1 ? f32(h.cum[b] + 0.5) : h.cum[b];
}

/** The remapped value for rank k in bin b: min + (b + ρ)·(max − min)/bins, ρ the position within the bin. */
function valueFor(h: ChannelHistogram, bins: number, k: number, b: number): number {
  const count = h.counts[b];
  const start = f32(h.cum[b] - count);
  const ratio = f32(Math.min(Math.max(f32(k - start) / (count + 1e-8), 0), 1));
  const step = f32(f32(h.max - h.min) / bins);
  return f32(h.min + f32(f32(b + ratio) * step));
}

/**
 * Entry c·nI + k: the remapped value for the element of rank k (0-based, ascending) of channel c.
 * One forward sweep per channel, since the bin of rank k never decreases with k.
 */
export function rankToValueTable(ref: HistogramReference, nI: number): Float32Array {
  if (nI !== ref.nI) {
    throw new PainterlyError('INTERNAL', `The reference was scaled for ${ref.nI} positions, not ${nI}.`);
  }
  const { bins } = ref;
  const table = new Float32Array(ref.channels.length * nI);
  ref.channels.forEach((h, c) => {
    let b = 0;
    for (let k = 0; k < nI; k++) {
      while (b < bins - 1 && !(k < upperEdge(h, b, bins))) b++;
      table[c * nI + k] = valueFor(h, bins, k, b);
    }
  });
  return table;
}
