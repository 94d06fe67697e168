// Patch synthesis of one level (the native counterpart of §5's PatchMatch step): the painting's
// own fine detail, at this level's resolution, painted into the object.
//
//   1. Match: PatchMatch (7×7) from the start image U (the level below, moved up) to the painting
//      *band-limited to the level below* — both then hold the same frequencies, so the match
//      follows colour and shape instead of preferring the painting's smoothest patches (which a
//      blurry U against the sharp painting does).
//   2. Copy: each object pixel takes the painting pixel its patch's match puts there (the patch
//      centre's offset carried over), from the painting at full detail. Averaging all 49
//      overlapping votes, as §5 does at the paper's scale, washes this detail out
//      (bench/hires-methods.ts; figures in docs/detail.md).
//   3. Keep only the band the level below cannot hold: V − up(down(V)).
//   4. Add it to U, scaled so the object ends up as detailed as the painting around it (the
//      projection below already sharpens the level below's own content: that counts), and
//      project back so the result, shrunk to the level below, is that level's result again
//      (iterative back-projection, Irani & Peleg 1991): the colours and shapes the paper-scale
//      harmonization chose are kept; only finer detail is added. Both follow the region's
//      weight, so across the object's outline the result keeps the level below's softness: a
//      projection sharpening the outline made a dark object on a smooth sky stand out (seam
//      1.28 → 1.13 on shipwreck2x-balloon; docs/detail.md).
import { throwIfCancelled } from '../../../../shared/errors.js';
import { signedDistance } from '../../../image/distance.js';
import { detailField, meanAbsWhere } from '../../../image/fine-detail.js';
import type { Image } from '../../../image/image.js';
import type { Nnf } from '../../../image/nnf.js';
import { computeNnf, computeNnfAndVote } from '../../../image/patchmatch.js';
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

/** The painting on a window of a level's canvas, the same band-limited to the level below, and how much fine detail it holds near the object. */
export interface PaintingSource {
  painting: Image;
  band: Image;
  /** Mean |Laplacian| of the smoothed grey painting (fine-detail.ts) where measured. */
  detail: number;
}

/**
 * `painting` covers `window` of the level's canvas; `windowBelow` is the same document rectangle
 * on the level below. The fine detail is measured where `near` (window-sized, one channel) is
 * > 0.5 — the painting the object borders (paintingRing) — else over the whole window: the
 * object should be as fine as the painting around it, not as the window's busiest part (a smooth
 * sky beside a textured sea).
 */
export function paintingSource(painting: Image, window: LevelCrop, windowBelow: LevelCrop, near?: Image): PaintingSource {
  const band = transfer(transfer(painting, window, windowBelow), windowBelow, window);
  const field = detailField(painting);
  const w = painting.width, h = painting.height;
  // The field's border pixels are 0 (no neighbours): leave them out.
  const interior = (i: number): boolean => { const x = i % w, y = (i - x) / w; return x > 0 && y > 0 && x < w - 1 && y < h - 1; };
  const detail = meanAbsWhere(field, near ? (i) => near.data[i * near.channels] > 0.5 && interior(i) : interior);
  return { painting, band, detail: Number.isFinite(detail) ? detail : 0 };
}

/**
 * The painting the object borders: pixels outside the tight mask (window-sized, first channel)
 * within `width` pixels of its outline. Undefined when that ring is smaller than `minPixels` (an
 * object filling the window): the caller then measures the whole window.
 */
export function paintingRing(tight: Image, width: number, minPixels = 256): Image | undefined {
  const d = signedDistance(tight);
  const data = new Float32Array(d.length);
  let n = 0;
  for (let i = 0; i < d.length; i++) {
    if (d[i] < 0 && d[i] >= -width) {
      data[i] = 1;
      n++;
    }
  }
  return n >= minPixels ? { width: tight.width, height: tight.height, channels: 1, data } : undefined;
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
  // 4. Added to U inside the region, then projected back onto the level below. Projection is
  // affine, so the result is project(U) + g·B with B = project(U + band) − project(U): the gain
  // is chosen on the finished level, where the projection has already sharpened the level
  // below's own content (that detail counts towards the painting's).
  const projections = opts.projections ?? BACK_PROJECTIONS;
  const project = (img: Image): Image => {
    let r = img;
    for (let k = 0; k < projections; k++) r = backProject(r, inp.below, inp.crop, inp.belowCrop, region);
    return r;
  };
  const base = project(start);
  const withBand = start.data.slice();
  for (let i = 0; i < region.width * region.height; i++) {
    const w = region.data[i];
    if (w > 0) for (let c = 0; c < 3; c++) withBand[3 * i + c] += w * band.data[3 * i + c];
  }
  const added = project({ ...start, data: withBand });
  for (let i = 0; i < added.data.length; i++) added.data[i] -= base.data[i];
  const gain = typeof opts.gain === 'number' ? opts.gain : matchingGain(base, added, region, source.detail);
  const result: Image = { ...base, data: base.data.map((v, i) => v + gain * added.data[i]) };
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
/** Smallest: the copy is toned down, never dropped — it is what makes the object's surface brushwork rather than a sharpened photo. */
const MIN_GAIN = 0.25;

/**
 * The gain g that gives base + g·added, where the region's weight is 1 (the object's inside),
 * the painting's fine detail (`paintingDetail`, the same measure), within [MIN_GAIN, MAX_GAIN].
 * The measure of base + g·added is mean |L_base + g·L_added| (the field is linear), convex in
 * g, so bisection finds it.
 */
export function matchingGain(base: Image, added: Image, weight: Image, paintingDetail: number): number {
  const lb = detailField(base);
  const la = detailField(added);
  const w = weight.width, h = weight.height;
  const inside: number[] = [];
  for (let y = 1; y < h - 1; y++) for (let x = 1; x < w - 1; x++) if (weight.data[y * w + x] >= 0.999) inside.push(y * w + x);
  if (inside.length === 0) return 1;
  const detail = (g: number): number => {
    let s = 0;
    for (const i of inside) s += Math.abs(lb[i] + g * la[i]);
    return s / inside.length;
  };
  if (detail(MIN_GAIN) >= paintingDetail) return MIN_GAIN;
  if (detail(MAX_GAIN) <= paintingDetail) return MAX_GAIN;
  let lo = MIN_GAIN, hi = MAX_GAIN;
  for (let k = 0; k < 20; k++) {
    const mid = (lo + hi) / 2;
    if (detail(mid) < paintingDetail) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** The part of `img` (on `crop`) that the level below cannot hold: img − up(down(img)). */
export function highBand(img: Image, crop: LevelCrop, belowCrop: LevelCrop): Image {
  const low = transfer(transfer(img, crop, belowCrop), belowCrop, crop);
  return { ...img, data: img.data.map((v, i) => v - low.data[i]) };
}

/** One back-projection round: img + up(below − down(img)), so down(img) moves to `below`. */
export function backProject(img: Image, below: Image, crop: LevelCrop, belowCrop: LevelCrop, weight?: Image): Image {
  const down = transfer(img, crop, belowCrop);
  for (let i = 0; i < down.data.length; i++) down.data[i] = below.data[i] - down.data[i];
  const up = transfer(down, belowCrop, crop);
  const c = img.channels;
  return { ...img, data: img.data.map((v, i) => v + (weight ? weight.data[Math.floor(i / c)] : 1) * up.data[i]) };
}
