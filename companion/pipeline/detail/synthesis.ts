// Patch synthesis of one level (the native counterpart of §5's PatchMatch step): the painting's
// own fine detail, at this level's resolution, painted into the object.
//
//   1. Match: PatchMatch (7×7) from the start image U (the level below, moved up) to the painting
//      *band-limited to the level below* — both then hold the same frequencies, so the match
//      follows colour and shape instead of preferring the painting's smoothest patches (which a
//      blurry U against the sharp painting does).
//   2. Copy: each object pixel takes the painting pixel its patch's match puts there (the patch
//      centre's offset carried over), from the painting at full detail. Averaging all 49
//      overlapping votes, as §5 does at the paper's scale, washes this detail out (measured with
//      bench/hires-methods.ts, README *Detail*: detail ratio 0.46 averaged against 0.69 copied).
//   3. Keep only the band the level below cannot hold: V − up(down(V)).
//   4. Add it to U and project back so the result, shrunk to the level below, is that level's
//      result again (iterative back-projection, Irani & Peleg 1991): the colours and shapes the
//      paper-scale harmonization chose are kept; only finer detail is added.
import { throwIfCancelled } from '../../../shared/errors.js';
import type { Image } from '../../image/image.js';
import { computeNnf, computeNnfAndVote, type Nnf } from '../../image/patchmatch.js';
import type { LevelCrop } from './geometry.js';
import { transfer } from './geometry.js';

export interface SynthesisInputs {
  /** The level below's result on its crop. */
  below: Image;
  belowCrop: LevelCrop;
  /** This level's crop; `start` is `below` moved onto it. */
  crop: LevelCrop;
  start: Image;
  /** The painting near the object at this level (paintingSource). */
  source: PaintingSource;
  /** Crop-sized: > 0 where detail is synthesised (the compositing mask's support), the value being how much of the band the pixel gets (≤ 1). */
  region: Image;
}

/** The painting on a window of a level's canvas, the same band-limited to the level below, and its mean fine-detail magnitude. */
export interface PaintingSource {
  painting: Image;
  band: Image;
  detailMagnitude: number;
}

/**
 * `painting` covers `window` of the level's canvas; `windowBelow` is the same document rectangle
 * on the level below. The detail magnitude is measured over `near` (a rectangle of the level's
 * canvas inside the window: the object's own, the painting it covers and borders), else the
 * whole window: the object should be as fine as the painting around it, not as the window's
 * busiest part (a smooth sky beside a textured sea).
 */
export function paintingSource(painting: Image, window: LevelCrop, windowBelow: LevelCrop, near?: LevelCrop['region']): PaintingSource {
  const band = transfer(transfer(painting, window, windowBelow), windowBelow, window);
  const { x0, y0, width: w } = window.region;
  const r = near ?? window.region;
  const xs = Math.max(r.x0, x0), xe = Math.min(r.x0 + r.width, x0 + w);
  const ys = Math.max(r.y0, y0), ye = Math.min(r.y0 + r.height, y0 + window.region.height);
  const c = painting.channels;
  let sum = 0;
  let n = 0;
  for (let y = ys; y < ye; y++) {
    for (let i = ((y - y0) * w + xs - x0) * c, end = ((y - y0) * w + xe - x0) * c; i < end; i++) sum += Math.abs(painting.data[i] - band.data[i]);
    n += Math.max(0, xe - xs) * c;
  }
  return { painting, band, detailMagnitude: n > 0 ? sum / n : 0 };
}

export interface SynthesisOptions {
  /** Scale of the added band: a number, or 'match' (default) to give it the painting's mean band magnitude near the object (PaintingSource). */
  gain?: number | 'match';
  /** Back-projection rounds. */
  projections?: number;
  /** What the painting is matched as: band-limited to the level below (default) or at full detail (bench/hires-methods.ts). */
  match?: 'band' | 'sharp';
  /** How matched patches make the image: each pixel copied from its nearest patch (default) or §5's mean of all votes. */
  vote?: 'copy' | 'mean';
  patchSize?: number;
  iterations?: number;
  seed?: number;
  workers?: number;
  signal?: AbortSignal;
}

const BACK_PROJECTIONS = 2;

export interface SynthesisResult {
  /** The level's result on its crop (RGB). */
  image: Image;
  /** The gain the copied band was given. */
  gain: number;
}

/** One level of patch synthesis. */
export async function synthesizeLevel(inp: SynthesisInputs, opts: SynthesisOptions = {}): Promise<SynthesisResult> {
  const { start, region, source } = inp;
  // 1. Match against the painting with only the level below's frequencies.
  throwIfCancelled(opts.signal);
  const matchAgainst = opts.match === 'sharp' ? source.painting : source.band;
  const pm = { patchSize: opts.patchSize ?? 7, iterations: opts.iterations ?? 5, seed: opts.seed ?? 0, workers: opts.workers, signal: opts.signal };
  // 2–3. Copied detail, and its band above the level below.
  const copied = opts.vote === 'mean'
    ? (await computeNnfAndVote(start, matchAgainst, region, source.painting, start, pm)).voted
    : copyThroughNnf(await computeNnf(start, matchAgainst, region, pm), source.painting, start);
  const band = highBand(copied, inp.crop, inp.belowCrop);
  // 4. Added to U inside the region, then projected back onto the level below.
  const gain = typeof opts.gain === 'number' ? opts.gain : matchingGain(band, region, source.detailMagnitude);
  const out = start.data.slice();
  for (let i = 0; i < region.width * region.height; i++) {
    const w = gain * region.data[i];
    if (w > 0) for (let c = 0; c < 3; c++) out[3 * i + c] += w * band.data[3 * i + c];
  }
  let result: Image = { ...start, data: out };
  for (let k = 0; k < (opts.projections ?? BACK_PROJECTIONS); k++) result = backProject(result, inp.below, inp.crop, inp.belowCrop);
  return { image: result, gain };
}

/**
 * Every pixel of A that an active patch covers takes B's pixel at the same offset from that
 * patch's match; where several patches cover it, the one centred nearest wins (its own centre
 * first). Pixels no patch covers keep `fallback`.
 */
export function copyThroughNnf(nnf: Nnf, b: Image, fallback: Image): Image {
  const { width: w, height: h, patchSize } = nnf;
  const half = (patchSize - 1) / 2;
  const c = b.channels;
  const out = fallback.data.slice();
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      // Region pixels near A's border have their centre moved inward (patchmatch.ts): look for
      // the nearest active centre within the patch's half-width.
      const ci = nearestActive(nnf, x, y, half);
      if (ci < 0) continue;
      const cx = ci % w;
      const cy = (ci - cx) / w;
      const s = ((nnf.y[ci] + y - cy) * b.width + nnf.x[ci] + x - cx) * c;
      for (let k = 0; k < c; k++) out[(y * w + x) * c + k] = b.data[s + k];
    }
  }
  return { width: w, height: h, channels: c, data: out };
}

function nearestActive(nnf: Nnf, x: number, y: number, half: number): number {
  const { width: w, height: h, active } = nnf;
  if (active[y * w + x]) return y * w + x;
  let best = -1;
  let bestD = Infinity;
  for (let dy = -half; dy <= half; dy++) {
    const yy = y + dy;
    if (yy < 0 || yy >= h) continue;
    for (let dx = -half; dx <= half; dx++) {
      const xx = x + dx;
      if (xx < 0 || xx >= w || !active[yy * w + xx]) continue;
      const d = dx * dx + dy * dy;
      if (d < bestD) {
        bestD = d;
        best = yy * w + xx;
      }
    }
  }
  return best;
}

/** Largest gain 'match' gives: beyond it the copy is too sparse in detail to be worth amplifying. */
const MAX_GAIN = 2;
/** Smallest: a copy busier than the painting around the object (patches from a textured part of the window) is toned down, not dropped. */
const MIN_GAIN = 0.25;

/** The gain that gives the copied band where it is fully used (weight 1) the painting's mean band magnitude, within [MIN_GAIN, MAX_GAIN]. */
function matchingGain(band: Image, weight: Image, paintingMagnitude: number): number {
  let sum = 0;
  let n = 0;
  for (let i = 0; i < weight.width * weight.height; i++) {
    if (weight.data[i] >= 0.999) {
      for (let c = 0; c < 3; c++) sum += Math.abs(band.data[3 * i + c]);
      n += 3;
    }
  }
  const copied = sum / Math.max(1, n);
  return copied > 0 ? Math.min(MAX_GAIN, Math.max(MIN_GAIN, paintingMagnitude / copied)) : 1;
}

/** The part of `img` (on `crop`) that the level below cannot hold: img − up(down(img)). */
export function highBand(img: Image, crop: LevelCrop, belowCrop: LevelCrop): Image {
  const low = transfer(transfer(img, crop, belowCrop), belowCrop, crop);
  return { ...img, data: img.data.map((v, i) => v - low.data[i]) };
}

/** One back-projection round: img + up(below − down(img)), so down(img) moves to `below`. */
export function backProject(img: Image, below: Image, crop: LevelCrop, belowCrop: LevelCrop): Image {
  const down = transfer(img, crop, belowCrop);
  for (let i = 0; i < down.data.length; i++) down.data[i] = below.data[i] - down.data[i];
  const up = transfer(down, belowCrop, crop);
  return { ...img, data: img.data.map((v, i) => v + up.data[i]) };
}
