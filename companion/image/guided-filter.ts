// He, Sun & Tang's guided filter with a colour guide ("Guided Image Filtering", ECCV 2010 /
// TPAMI 2013). Each output is locally an affine function of the guide's RGB:
//   q = ā·I + b̄,   a = (Σ + eps·Id)⁻¹ cov(I, p),   b = mean(p) − a·mean(I)
// with means over (2r+1)² windows truncated at the image border (divided by the pixel count),
// and ā, b̄ the window means of a and b. Box sums are running sums, so the cost is O(N) in r.
import { PainterlyError } from '../../shared/errors.js';
import type { Image } from './image.js';

/**
 * Filters every channel of `input` independently, guided by the RGB `guide` (same size).
 * Returns a float image with `input`'s channel count.
 */
export function guidedFilterColor(guide: Image, input: Image, r: number, eps: number): Image {
  if (guide.channels !== 3) throw new PainterlyError('BAD_ARGUMENT', `The guide must be RGB, got ${guide.channels} channels.`);
  if (guide.width !== input.width || guide.height !== input.height) {
    throw new PainterlyError(
      'SIZE_MISMATCH',
      `Guide is ${guide.width}×${guide.height} but input is ${input.width}×${input.height}.`,
    );
  }
  if (!(Number.isInteger(r) && r >= 0)) throw new PainterlyError('BAD_ARGUMENT', `Expected a non-negative integer radius, got ${r}.`);
  if (!(eps > 0)) throw new PainterlyError('BAD_ARGUMENT', `Expected a positive eps, got ${eps}.`);

  const { width: w, height: h } = guide;
  const box = new BoxMean(w, h, r);
  const stats = guideStatistics(guide, box, eps);
  const c = input.channels;
  const out = new Float32Array(w * h * c);
  for (let ch = 0; ch < c; ch++) filterChannel(input, ch, stats, box, out);
  return { width: w, height: h, channels: c, data: out };
}

/** What every input channel shares: the guide's planes, their window means and (Σ + eps·Id)⁻¹. */
interface GuideStatistics {
  I: [Float64Array, Float64Array, Float64Array];
  mean: [Float64Array, Float64Array, Float64Array];
  /** The symmetric inverse's 6 unique entries per pixel: RR, RG, RB, GG, GB, BB. */
  inv: [Float64Array, Float64Array, Float64Array, Float64Array, Float64Array, Float64Array];
  /** Window mean of x·y (reuses one scratch buffer). */
  second(x: Float64Array, y: Float64Array): Float64Array;
}

function guideStatistics(guide: Image, box: BoxMean, eps: number): GuideStatistics {
  const n = guide.width * guide.height;
  const g = guide.data;
  const Ir = new Float64Array(n);
  const Ig = new Float64Array(n);
  const Ib = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    Ir[i] = g[3 * i];
    Ig[i] = g[3 * i + 1];
    Ib[i] = g[3 * i + 2];
  }
  const mR = box.mean(Ir);
  const mG = box.mean(Ig);
  const mB = box.mean(Ib);
  const prod = new Float64Array(n);
  const second = (x: Float64Array, y: Float64Array): Float64Array => {
    for (let i = 0; i < n; i++) prod[i] = x[i] * y[i];
    return box.mean(prod);
  };
  const vRR = second(Ir, Ir);
  const vRG = second(Ir, Ig);
  const vRB = second(Ir, Ib);
  const vGG = second(Ig, Ig);
  const vGB = second(Ig, Ib);
  const vBB = second(Ib, Ib);
  // Overwrite the second moments with the entries of (Σ + eps·Id)⁻¹ (symmetric: 6 unique).
  for (let i = 0; i < n; i++) {
    const rr = vRR[i] - mR[i] * mR[i] + eps;
    const rg = vRG[i] - mR[i] * mG[i];
    const rb = vRB[i] - mR[i] * mB[i];
    const gg = vGG[i] - mG[i] * mG[i] + eps;
    const gb = vGB[i] - mG[i] * mB[i];
    const bb = vBB[i] - mB[i] * mB[i] + eps;
    const cRR = gg * bb - gb * gb;
    const cRG = gb * rb - rg * bb;
    const cRB = rg * gb - gg * rb;
    const det = rr * cRR + rg * cRG + rb * cRB;
    vRR[i] = cRR / det;
    vRG[i] = cRG / det;
    vRB[i] = cRB / det;
    vGG[i] = (rr * bb - rb * rb) / det;
    vGB[i] = (rb * rg - rr * gb) / det;
    vBB[i] = (rr * gg - rg * rg) / det;
  }
  return { I: [Ir, Ig, Ib], mean: [mR, mG, mB], inv: [vRR, vRG, vRB, vGG, vGB, vBB], second };
}

/** One input channel: a = (Σ + eps·Id)⁻¹ cov(I, p), b = mean(p) − a·mean(I), q = ā·I + b̄, into `out`. */
function filterChannel(input: Image, ch: number, stats: GuideStatistics, box: BoxMean, out: Float32Array): void {
  const c = input.channels;
  const n = input.width * input.height;
  const [Ir, Ig, Ib] = stats.I;
  const [mR, mG, mB] = stats.mean;
  const [vRR, vRG, vRB, vGG, vGB, vBB] = stats.inv;
  const p = new Float64Array(n);
  for (let i = 0; i < n; i++) p[i] = input.data[i * c + ch];
  const mP = box.mean(p);
  const mRP = stats.second(Ir, p);
  const mGP = stats.second(Ig, p);
  const mBP = stats.second(Ib, p);
  const aR = new Float64Array(n);
  const aG = new Float64Array(n);
  const aB = new Float64Array(n);
  const b = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const covR = mRP[i] - mR[i] * mP[i];
    const covG = mGP[i] - mG[i] * mP[i];
    const covB = mBP[i] - mB[i] * mP[i];
    const ar = vRR[i] * covR + vRG[i] * covG + vRB[i] * covB;
    const ag = vRG[i] * covR + vGG[i] * covG + vGB[i] * covB;
    const ab = vRB[i] * covR + vGB[i] * covG + vBB[i] * covB;
    aR[i] = ar;
    aG[i] = ag;
    aB[i] = ab;
    b[i] = mP[i] - ar * mR[i] - ag * mG[i] - ab * mB[i];
  }
  const maR = box.mean(aR);
  const maG = box.mean(aG);
  const maB = box.mean(aB);
  const mb = box.mean(b);
  for (let i = 0; i < n; i++) {
    out[i * c + ch] = maR[i] * Ir[i] + maG[i] * Ig[i] + maB[i] * Ib[i] + mb[i];
  }
}

/** Mean over the (2r+1)² window clipped to the image, by running sums along x then y. */
class BoxMean {
  private readonly tmp: Float64Array;
  private readonly acc: Float64Array;
  private readonly invCountX: Float64Array;
  private readonly invCountY: Float64Array;

  constructor(
    private readonly w: number,
    private readonly h: number,
    private readonly r: number,
  ) {
    this.tmp = new Float64Array(w * h);
    this.acc = new Float64Array(w);
    this.invCountX = BoxMean.invCounts(w, r);
    this.invCountY = BoxMean.invCounts(h, r);
  }

  private static invCounts(len: number, r: number): Float64Array {
    const out = new Float64Array(len);
    for (let i = 0; i < len; i++) out[i] = 1 / (Math.min(i + r, len - 1) - Math.max(i - r, 0) + 1);
    return out;
  }

  /** Returns a new array with the window means of `src`. */
  mean(src: Float64Array): Float64Array {
    const { w, h, r, tmp } = this;
    for (let y = 0; y < h; y++) {
      const row = y * w;
      let s = 0;
      for (let x = 0; x <= Math.min(r, w - 1); x++) s += src[row + x];
      for (let x = 0; x < w; x++) {
        tmp[row + x] = s * this.invCountX[x];
        if (x + r + 1 < w) s += src[row + x + r + 1];
        if (x - r >= 0) s -= src[row + x - r];
      }
    }
    // Vertical pass row by row, keeping running column sums (cache friendly).
    const out = new Float64Array(w * h);
    const acc = this.acc;
    acc.fill(0);
    for (let y = 0; y <= Math.min(r, h - 1); y++) {
      for (let x = 0, o = y * w; x < w; x++) acc[x] += tmp[o + x];
    }
    for (let y = 0; y < h; y++) {
      const inv = this.invCountY[y];
      const row = y * w;
      for (let x = 0; x < w; x++) out[row + x] = acc[x] * inv;
      if (y + r + 1 < h) {
        for (let x = 0, o = (y + r + 1) * w; x < w; x++) acc[x] += tmp[o + x];
      }
      if (y - r >= 0) {
        for (let x = 0, o = (y - r) * w; x < w; x++) acc[x] -= tmp[o + x];
      }
    }
    return out;
  }
}
