import { describe, it, expect } from 'vitest';
import { backProject, copyThroughNnf, highBand, matchingGain, paintingRing, paintingSource, synthesizeLevel } from '../../../../../companion/pipeline/harmonize/detail/synthesis.js';
import { cropAt, transfer, type LevelCrop } from '../../../../../companion/pipeline/harmonize/detail/geometry.js';
import type { Image } from '../../../../../companion/image/image.js';
import type { Nnf } from '../../../../../companion/image/nnf.js';
import { mulberry32 } from '../../../../support/gradcheck.js';
import { slowFineDetail } from '../../../../support/slow-fine-detail.js';

function randomImage(w: number, h: number, c: number, seed = 1): Image {
  const r = mulberry32(seed);
  return { width: w, height: h, channels: c, data: Float32Array.from({ length: w * h * c }, () => r()) };
}

const meanAbs = (a: Image, b: Image): number => a.data.reduce((s, v, i) => s + Math.abs(v - b.data[i]), 0) / a.data.length;

// A 90×72 crop on a 180×144 level, and the same rectangle on the 100×80 level below.
const doc = { width: 180, height: 144 };
const crop: LevelCrop = { canvas: doc, region: { x0: 40, y0: 30, width: 90, height: 72 } };
const belowCrop = cropAt({ x0: 40, y0: 30, width: 90, height: 72 }, doc, { width: 100, height: 80 });

describe('copyThroughNnf', () => {
  it('gives every covered pixel the B pixel at its offset from the nearest active centre\'s match', () => {
    const w = 9, h = 7;
    const b: Image = { width: 20, height: 20, channels: 1, data: Float32Array.from({ length: 400 }, (_, i) => i) };
    const nnf: Nnf = { width: w, height: h, patchSize: 3, x: new Int32Array(w * h), y: new Int32Array(w * h), dist: new Int32Array(w * h), active: new Uint8Array(w * h) };
    // Two active centres: (2, 2) → (10, 5) and (6, 4) → (3, 15).
    for (const [cx, cy, mx, my] of [[2, 2, 10, 5], [6, 4, 3, 15]]) {
      nnf.active[cy * w + cx] = 1;
      nnf.x[cy * w + cx] = mx;
      nnf.y[cy * w + cx] = my;
    }
    const fallback: Image = { width: w, height: h, channels: 1, data: new Float32Array(w * h).fill(-1) };
    const out = copyThroughNnf(nnf, b, fallback);
    const at = (x: number, y: number) => out.data[y * w + x];
    expect(at(2, 2)).toBe(5 * 20 + 10); // the centre itself
    expect(at(1, 3)).toBe(6 * 20 + 9); // offset (−1, +1) from (2, 2)
    expect(at(7, 5)).toBe(16 * 20 + 4); // offset (+1, +1) from (6, 4)
    expect(at(0, 0)).toBe(-1); // no patch covers it
    expect(at(8, 0)).toBe(-1);
  });
});

/** A smooth RGB field (a few long waves), as images at a level's scale are. */
function smoothImage(w: number, h: number, phase: number): Image {
  const data = new Float32Array(w * h * 3);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let c = 0; c < 3; c++) {
    data[(y * w + x) * 3 + c] = 0.5 + 0.2 * Math.sin(0.21 * x + phase + c) * Math.cos(0.17 * y - phase);
  }
  return { width: w, height: h, channels: 3, data };
}

/** Mean |a − b| away from the border (the level below's edge pixels reach past the crop). */
function interiorMeanAbs(a: Image, b: Image, border = 2): number {
  let s = 0, n = 0;
  for (let y = border; y < a.height - border; y++) for (let x = border; x < a.width - border; x++) for (let c = 0; c < a.channels; c++) {
    const i = (y * a.width + x) * a.channels + c;
    s += Math.abs(a.data[i] - b.data[i]);
    n++;
  }
  return s / n;
}

describe('back-projection', () => {
  const below = smoothImage(belowCrop.region.width, belowCrop.region.height, 0.3);

  it('moves the result\'s shrunk image to the level below, closer every round', () => {
    let img = randomImage(90, 72, 3, 3);
    let last = interiorMeanAbs(transfer(img, crop, belowCrop), below);
    for (let k = 0; k < 3; k++) {
      img = backProject(img, below, crop, belowCrop);
      const err = interiorMeanAbs(transfer(img, crop, belowCrop), below);
      expect(err).toBeLessThan(0.7 * last);
      last = err;
    }
    expect(last).toBeLessThan(0.03);
  });

  it('leaves an image that already shrinks to the level below unchanged', () => {
    const img = randomImage(90, 72, 3, 4);
    const own = transfer(img, crop, belowCrop);
    expect(meanAbs(backProject(img, own, crop, belowCrop), img)).toBeLessThan(1e-6);
  });
});

describe('highBand', () => {
  it('is about nothing for an image the level below holds, and most of a pixel-scale checkerboard', () => {
    const smooth = transfer(smoothImage(belowCrop.region.width, belowCrop.region.height, 1.1), belowCrop, crop);
    const b1 = highBand(smooth, crop, belowCrop);
    const energy = (img: Image) => img.data.reduce((s, v) => s + Math.abs(v), 0) / img.data.length;
    const checker: Image = { width: 90, height: 72, channels: 3, data: Float32Array.from({ length: 90 * 72 * 3 }, (_, i) => (((Math.floor(i / 3) % 90) + Math.floor(i / 270)) % 2 ? 0.25 : -0.25)) };
    expect(energy(b1)).toBeLessThan(0.05 * energy(highBand(randomImage(90, 72, 3, 6), crop, belowCrop)));
    expect(energy(highBand(checker, crop, belowCrop))).toBeGreaterThan(0.15);
  });
});

/** A window-sized one-channel mask: 1 inside the rectangle (canvas coordinates), 0 elsewhere. */
function rectMask(window: LevelCrop, r: { x0: number; y0: number; width: number; height: number }): Image {
  const { width: w, height: h } = window.region;
  const m: Image = { width: w, height: h, channels: 1, data: new Float32Array(w * h) };
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    const cx = x + window.region.x0, cy = y + window.region.y0;
    if (cx >= r.x0 && cx < r.x0 + r.width && cy >= r.y0 && cy < r.y0 + r.height) m.data[y * w + x] = 1;
  }
  return m;
}

describe('paintingSource', () => {
  it('measures the painting\'s fine detail near the object when told where: the smooth half of a half-busy painting has less', () => {
    // Left half: pixel-scale stripes; right half: a gentle gradient.
    const painting: Image = { width: 90, height: 72, channels: 3, data: new Float32Array(90 * 72 * 3) };
    for (let y = 0; y < 72; y++) for (let x = 0; x < 90; x++) for (let c = 0; c < 3; c++) {
      painting.data[(y * 90 + x) * 3 + c] = x < 45 ? 0.5 + 0.2 * ((x + y) % 2 ? 1 : -1) : 0.3 + 0.004 * x;
    }
    const whole = paintingSource(painting, crop, belowCrop).detail;
    const smooth = paintingSource(painting, crop, belowCrop, rectMask(crop, { x0: crop.region.x0 + 55, y0: crop.region.y0 + 10, width: 30, height: 50 })).detail;
    const busy = paintingSource(painting, crop, belowCrop, rectMask(crop, { x0: crop.region.x0 + 5, y0: crop.region.y0 + 10, width: 30, height: 50 })).detail;
    expect(busy).toBeGreaterThan(0.02);
    expect(smooth).toBeLessThan(0.05 * busy);
    expect(whole).toBeGreaterThan(smooth);
    expect(whole).toBeLessThan(busy);
    // A mask covering the window is the window.
    expect(paintingSource(painting, crop, belowCrop, rectMask(crop, { x0: 0, y0: 0, width: 500, height: 500 })).detail).toBeCloseTo(whole, 6);
    // The measure is mean |Laplacian| of the smoothed grey over the window's interior, by the slow version here.
    expect(whole).toBeCloseTo(slowFineDetail(painting, () => true), 6);
    expect(smooth).toBeCloseTo(slowFineDetail(painting, (x, y) => x >= 55 && x < 85 && y >= 10 && y < 60), 6);
  });
});

describe('synthesizeLevel', () => {
  it('adds the painting\'s fine detail to a smooth start and keeps what the level below holds', async () => {
    // Painting: fine diagonal strokes over a gradient; start: a smooth version of a flat object.
    const painting: Image = { width: 90, height: 72, channels: 3, data: new Float32Array(90 * 72 * 3) };
    for (let y = 0; y < 72; y++) for (let x = 0; x < 90; x++) for (let c = 0; c < 3; c++) {
      painting.data[(y * 90 + x) * 3 + c] = 0.3 + 0.2 * c + 0.15 * Math.sin((x + y) * 2.1) + 0.002 * x;
    }
    const window = crop;
    const source = paintingSource(painting, window, belowCrop);
    const below: Image = { width: belowCrop.region.width, height: belowCrop.region.height, channels: 3, data: new Float32Array(belowCrop.region.width * belowCrop.region.height * 3) };
    for (let i = 0; i < below.data.length; i++) below.data[i] = 0.35 + 0.2 * (i % 3);
    const start = transfer(below, belowCrop, crop);
    const region: Image = { width: 90, height: 72, channels: 1, data: new Float32Array(90 * 72) };
    for (let y = 20; y < 52; y++) for (let x = 25; x < 65; x++) region.data[y * 90 + x] = 1;
    const r = await synthesizeLevel({ below, belowCrop, crop, start, source, region }, { workers: 0, seed: 1 });
    // The gain gives the object's inside the painting's fine detail (the slow measure), unless clamped.
    expect(r.gain).toBeGreaterThan(0.25);
    expect(r.gain).toBeLessThan(2);
    expect(slowFineDetail(r.image, (x, y) => region.data[y * 90 + x] === 1 && region.data[(y - 1) * 90 + x] === 1 && region.data[(y + 1) * 90 + x] === 1)).toBeCloseTo(source.detail, 1);
    // The level below is kept: the result shrinks back to it.
    expect(meanAbs(transfer(r.image, crop, belowCrop), below)).toBeLessThan(0.01);
    // Far outside the region nothing was added (the start, up to the back-projection's reach).
    expect(Math.abs(r.image.data[(2 * 90 + 2) * 3] - start.data[(2 * 90 + 2) * 3])).toBeLessThan(0.02);
  });

  it('adds to each pixel its region weight\'s share of the band (the edge taper)', async () => {
    const painting: Image = { width: 90, height: 72, channels: 3, data: new Float32Array(90 * 72 * 3) };
    for (let y = 0; y < 72; y++) for (let x = 0; x < 90; x++) for (let c = 0; c < 3; c++) {
      painting.data[(y * 90 + x) * 3 + c] = 0.4 + 0.1 * c + 0.15 * Math.sin((x - y) * 1.9) + 0.002 * y;
    }
    const source = paintingSource(painting, crop, belowCrop);
    const below = smoothImage(belowCrop.region.width, belowCrop.region.height, 0.7);
    const start = transfer(below, belowCrop, crop);
    const full: Image = { width: 90, height: 72, channels: 1, data: new Float32Array(90 * 72) };
    for (let y = 20; y < 52; y++) for (let x = 25; x < 65; x++) full.data[y * 90 + x] = 1;
    // The same support, its right half at weight 0.25.
    const tapered: Image = { ...full, data: full.data.map((v, i) => (v > 0 && i % 90 >= 45 ? 0.25 : v)) };
    const opts = { workers: 0, seed: 3, gain: 1, projections: 0 };
    const a = await synthesizeLevel({ below, belowCrop, crop, start, source, region: full }, opts);
    const b = await synthesizeLevel({ below, belowCrop, crop, start, source, region: tapered }, opts);
    let added = 0;
    for (let i = 0; i < 90 * 72; i++) {
      if (!full.data[i]) continue;
      for (let c = 0; c < 3; c++) {
        const j = 3 * i + c;
        expect(b.image.data[j] - start.data[j]).toBeCloseTo(tapered.data[i] * (a.image.data[j] - start.data[j]), 5);
        added += Math.abs(a.image.data[j] - start.data[j]);
      }
    }
    expect(added).toBeGreaterThan(0.02 * 32 * 40 * 3); // the band is not nothing
  });

  it('tones the copy down (gain below 1) where the painting near the object is smoother than what was copied', async () => {
    // Stripes everywhere but the object's neighbourhood, which is flat and darker: the object (the stripes' mean colour) copies stripes.
    const near = { x0: crop.region.x0 + 28, y0: crop.region.y0 + 23, width: 34, height: 26 }; // inside the flat part
    const painting: Image = { width: 90, height: 72, channels: 3, data: new Float32Array(90 * 72 * 3) };
    for (let y = 0; y < 72; y++) for (let x = 0; x < 90; x++) for (let c = 0; c < 3; c++) {
      const flat = x >= 20 && x < 70 && y >= 15 && y < 57;
      painting.data[(y * 90 + x) * 3 + c] = flat ? 0.25 : 0.5 + 0.2 * (x % 3 === 0 ? 1 : -0.5);
    }
    const below: Image = { width: belowCrop.region.width, height: belowCrop.region.height, channels: 3, data: new Float32Array(belowCrop.region.width * belowCrop.region.height * 3).fill(0.5) };
    const start = transfer(below, belowCrop, crop);
    const region: Image = { width: 90, height: 72, channels: 1, data: new Float32Array(90 * 72) };
    for (let y = 25; y < 47; y++) for (let x = 30; x < 60; x++) region.data[y * 90 + x] = 1;
    const toned = await synthesizeLevel({ below, belowCrop, crop, start, source: paintingSource(painting, crop, belowCrop, rectMask(crop, near)), region }, { workers: 0, seed: 2 });
    const window = await synthesizeLevel({ below, belowCrop, crop, start, source: paintingSource(painting, crop, belowCrop), region }, { workers: 0, seed: 2 });
    expect(toned.gain).toBeLessThan(1);
    expect(toned.gain).toBeGreaterThan(0);
    expect(window.gain).toBeGreaterThan(toned.gain);
  });
});

describe('matchingGain', () => {
  // base: a smooth ramp (little fine detail); added: a checkerboard (much); the object is the inside 20×16.
  const W = 30, H = 24;
  const base: Image = { width: W, height: H, channels: 3, data: Float32Array.from({ length: W * H * 3 }, (_, i) => 0.3 + 0.01 * (Math.floor(i / 3) % W)) };
  const added: Image = { width: W, height: H, channels: 3, data: Float32Array.from({ length: W * H * 3 }, (_, i) => { const p = Math.floor(i / 3); return ((p % W) + Math.floor(p / W)) % 2 ? 0.05 : -0.05; }) };
  const weight: Image = { width: W, height: H, channels: 1, data: Float32Array.from({ length: W * H }, (_, i) => ((i % W) >= 5 && (i % W) < 25 && Math.floor(i / W) >= 4 && Math.floor(i / W) < 20 ? 1 : 0.5)) };
  const inside = (x: number, y: number) => weight.data[y * W + x] >= 0.999;
  const measure = (g: number) => slowFineDetail({ ...base, data: base.data.map((v, i) => v + g * added.data[i]) }, inside);

  it('gives the object\'s inside the painting\'s fine detail, by the slow measure', () => {
    const target = measure(1.3);
    const g = matchingGain(base, added, weight, target);
    expect(g).toBeCloseTo(1.3, 3);
    expect(measure(g)).toBeCloseTo(target, 6);
  });
  it('keeps within [0.25, 2]: an object already busier than the painting still gets a quarter of the copy', () => {
    expect(matchingGain(base, added, weight, measure(0.1))).toBe(0.25);
    expect(matchingGain(base, added, weight, measure(3))).toBe(2);
  });
});

describe('backProject with a weight', () => {
  it('adds each pixel its weight\'s share of up(below − down(img)): 0 keeps the pixel, 1 is the plain projection', () => {
    const below = smoothImage(belowCrop.region.width, belowCrop.region.height, 0.3);
    const img = randomImage(90, 72, 3, 7);
    const plain = backProject(img, below, crop, belowCrop);
    const weight: Image = { width: 90, height: 72, channels: 1, data: Float32Array.from({ length: 90 * 72 }, (_, i) => (i % 90) / 89) };
    const weighted = backProject(img, below, crop, belowCrop, weight);
    for (let i = 0; i < 90 * 72; i += 37) {
      for (let c = 0; c < 3; c++) {
        const j = 3 * i + c;
        expect(weighted.data[j]).toBeCloseTo(img.data[j] + weight.data[i] * (plain.data[j] - img.data[j]), 5);
      }
    }
    expect(meanAbs(plain, img)).toBeGreaterThan(0.05); // the projection does move the pixels
  });
});

describe('paintingRing', () => {
  it('marks the painting outside the object within the given width of its outline, by a slow distance', () => {
    // A 20×14 object in a 60×50 window.
    const tight: Image = { width: 60, height: 50, channels: 1, data: new Float32Array(60 * 50) };
    for (let y = 18; y < 32; y++) for (let x = 20; x < 40; x++) tight.data[y * 60 + x] = 1;
    const ring = paintingRing(tight, 6)!;
    for (let y = 0; y < 50; y++) for (let x = 0; x < 60; x++) {
      // Euclidean distance to the nearest object pixel (0 inside).
      const dx = Math.max(20 - x, 0, x - 39), dy = Math.max(18 - y, 0, y - 31);
      const d = Math.hypot(dx, dy);
      const v = ring.data[y * 60 + x];
      if (d === 0 || d > 7.5) expect(v).toBe(0); // inside, or well beyond the ring (the chamfer distance is within 8 % of Euclid)
      else if (d <= 5) expect(v).toBe(1);
    }
    expect(paintingRing(tight, 6, 60 * 50)).toBeUndefined(); // too small a ring for the minimum
  });
});
