import { describe, expect, it } from 'vitest';
import { gaussianBlur } from '../../../companion/image/gaussian.js';
import type { Image } from '../../../companion/image/image.js';
import { computeNnf, computeNnfAndVote, quantize, splitBands } from '../../../companion/image/patchmatch.js';
import { votePatches } from '../../../companion/image/vote.js';
import { mulberry32 } from '../../support/gradcheck.js';

/** Blurred noise: structured enough for propagation to matter, like a natural image. */
function smoothImage(w: number, h: number, seed: number): Image {
  const rand = mulberry32(seed);
  const noise: Image = { width: w, height: h, channels: 3, data: Float32Array.from({ length: w * h * 3 }, rand) };
  const blurred = gaussianBlur(noise, 5, 1.5);
  // Stretch back to a useful contrast (blurring shrinks it towards 0.5, edges darken).
  for (let i = 0; i < blurred.data.length; i++) blurred.data[i] = Math.min(1, Math.max(0, (blurred.data[i] - 0.3) * 2));
  return blurred;
}

function crop(img: Image, x0: number, y0: number, w: number, h: number): Image {
  const c = img.channels;
  const data = new Float32Array(w * h * c);
  for (let y = 0; y < h; y++) data.set(img.data.subarray(((y0 + y) * img.width + x0) * c, ((y0 + y) * img.width + x0 + w) * c), y * w * c);
  return { width: w, height: h, channels: c, data };
}

const full = (w: number, h: number): Image => ({ width: w, height: h, channels: 1, data: new Float32Array(w * h).fill(1) });

/** Exhaustive minimum SSD (8-bit values) over every B centre whose 7×7 patch lies inside B. */
function exhaustiveBest(a: Image, b: Image, qa: Uint8Array, qb: Uint8Array, ax: number, ay: number): number {
  let best = Infinity;
  for (let by = 3; by < b.height - 3; by++) {
    for (let bx = 3; bx < b.width - 3; bx++) {
      let s = 0;
      for (let dy = -3; dy <= 3; dy++) {
        for (let dx = -3; dx <= 3; dx++) {
          for (let k = 0; k < 3; k++) {
            const d = qa[((ay + dy) * a.width + ax + dx) * 3 + k] - qb[((by + dy) * b.width + bx + dx) * 3 + k];
            s += d * d;
          }
        }
      }
      best = Math.min(best, s);
    }
  }
  return best;
}

function ssdAt(a: Image, b: Image, ax: number, ay: number, bx: number, by: number): number {
  const qa = quantize(a);
  const qb = quantize(b);
  let s = 0;
  for (let dy = -3; dy <= 3; dy++) {
    for (let dx = -3; dx <= 3; dx++) {
      for (let k = 0; k < 3; k++) {
        const d = qa[((ay + dy) * a.width + ax + dx) * 3 + k] - qb[((by + dy) * b.width + bx + dx) * 3 + k];
        s += d * d;
      }
    }
  }
  return s;
}

describe('computeNnf', () => {
  const A = smoothImage(24, 20, 1);
  const B = smoothImage(30, 26, 2);

  /** Per A centre: PatchMatch SSD over the exhaustive minimum (1 = optimal). */
  async function ratiosToOptimum(a: Image, b: Image, seed: number): Promise<number[]> {
    const nnf = await computeNnf(a, b, full(24, 20), { workers: 0, seed });
    const ratios: number[] = [];
    const qa = quantize(a);
    const qb = quantize(b);
    for (let y = 3; y < 17; y++) {
      for (let x = 3; x < 21; x++) {
        const i = y * 24 + x;
        expect(nnf.active[i]).toBe(1);
        const best = exhaustiveBest(a, b, qa, qb, x, y);
        expect(nnf.dist[i]).toBeGreaterThanOrEqual(best);
        ratios.push(best === 0 ? (nnf.dist[i] === 0 ? 1 : Infinity) : nnf.dist[i] / best);
      }
    }
    return ratios;
  }

  it('reaches the exhaustive optimum for almost every patch of a noisy shifted copy', async () => {
    // A = part of B plus ±3% noise: the case PatchMatch is built for (a real correspondence).
    const rand = mulberry32(99);
    const a = crop(B, 4, 5, 24, 20);
    for (let i = 0; i < a.data.length; i++) a.data[i] += (rand() - 0.5) * 0.06;
    const ratios = await ratiosToOptimum(a, B, 7);
    expect(ratios.filter((r) => r === 1).length / ratios.length).toBeGreaterThan(0.97);
  });

  it('comes within 10% of the exhaustive optimum for most patches of an unrelated texture', async () => {
    // No true correspondence and only 480 candidates: 5 sweeps reach the optimum for about
    // two thirds of the patches and stay close for the rest (measured: 88% within 10%).
    const ratios = await ratiosToOptimum(A, B, 7);
    const within = (t: number): number => ratios.filter((r) => r <= t).length / ratios.length;
    expect(within(1)).toBeGreaterThan(0.6);
    expect(within(1.1)).toBeGreaterThan(0.85);
    expect(within(1.25)).toBeGreaterThan(0.93);
    expect(ratios.reduce((s, r) => s + r, 0) / ratios.length).toBeLessThan(1.06);
  });

  it('reports the true SSD of the patch it chose, inside B', async () => {
    const nnf = await computeNnf(A, B, full(24, 20), { workers: 0, seed: 3 });
    for (let y = 3; y < 17; y += 3) {
      for (let x = 3; x < 21; x += 4) {
        const i = y * 24 + x;
        expect(nnf.x[i]).toBeGreaterThanOrEqual(3);
        expect(nnf.x[i]).toBeLessThanOrEqual(26);
        expect(nnf.y[i]).toBeGreaterThanOrEqual(3);
        expect(nnf.y[i]).toBeLessThanOrEqual(22);
        expect(nnf.dist[i]).toBe(ssdAt(A, B, x, y, nnf.x[i], nnf.y[i]));
      }
    }
  });

  it('finds the exact offset of every patch when A is a shifted copy of part of B', async () => {
    const a = crop(B, 4, 5, 24, 20);
    const nnf = await computeNnf(a, B, full(24, 20), { workers: 0, seed: 5 });
    for (let y = 3; y < 17; y++) {
      for (let x = 3; x < 21; x++) {
        const i = y * 24 + x;
        expect(nnf.dist[i]).toBe(0);
        expect([nnf.x[i], nnf.y[i]]).toEqual([x + 4, y + 5]);
      }
    }
  });

  it('gives the same NNF on worker threads as in this thread for the same seed and bands', async () => {
    const region = full(24, 20);
    const inThread = await computeNnf(A, B, region, { workers: 0, bands: 2, seed: 9 });
    const onWorkers = await computeNnf(A, B, region, { workers: 2, bands: 2, seed: 9 });
    expect(Array.from(onWorkers.x)).toEqual(Array.from(inThread.x));
    expect(Array.from(onWorkers.y)).toEqual(Array.from(inThread.y));
    expect(Array.from(onWorkers.dist)).toEqual(Array.from(inThread.dist));
  });

  it('is deterministic for a seed and varies with it', async () => {
    const region = full(24, 20);
    const one = await computeNnf(A, B, region, { workers: 0, seed: 1, iterations: 1 });
    const again = await computeNnf(A, B, region, { workers: 0, seed: 1, iterations: 1 });
    const other = await computeNnf(A, B, region, { workers: 0, seed: 2, iterations: 1 });
    expect(Array.from(again.x)).toEqual(Array.from(one.x));
    expect(Array.from(other.x)).not.toEqual(Array.from(one.x));
  });

  it('matches only the centres of the region, moving border pixels inward to a full patch', async () => {
    const region: Image = { width: 24, height: 20, channels: 1, data: new Float32Array(480) };
    region.data[0] = 0.2; // corner pixel → centre (3, 3)
    region.data[10 * 24 + 12] = 1;
    const nnf = await computeNnf(A, B, region, { workers: 0 });
    const activeAt: number[] = [];
    nnf.active.forEach((v, i) => v && activeAt.push(i));
    expect(activeAt).toEqual([3 * 24 + 3, 10 * 24 + 12]);
    expect(nnf.x[0]).toBe(-1);
  });

  it('stops with CANCELLED when the signal is aborted', async () => {
    const ac = new AbortController();
    ac.abort();
    await expect(computeNnf(A, B, full(24, 20), { workers: 0, signal: ac.signal })).rejects.toMatchObject({ code: 'CANCELLED' });
  });

  it('stops its workers with CANCELLED when aborted while they start', async () => {
    const ac = new AbortController();
    const run = computeNnf(A, B, full(24, 20), { workers: 1, signal: ac.signal });
    ac.abort();
    await expect(run).rejects.toMatchObject({ code: 'CANCELLED' });
  });

  it('rejects an image smaller than a patch', async () => {
    await expect(computeNnf(A, crop(B, 0, 0, 6, 10), full(24, 20), { workers: 0 })).rejects.toThrow(/smaller than a 7×7 patch/);
  });
});

describe('splitBands', () => {
  it('cuts rows into contiguous bands with about equal active counts', () => {
    const w = 4;
    const active = new Uint8Array(4 * 10);
    for (let y = 6; y < 10; y++) active.fill(1, y * w, y * w + w);
    const bands = splitBands(active, w, 10, 2);
    expect(bands).toEqual([
      [0, 8],
      [8, 10],
    ]);
  });
});

describe('computeNnfAndVote', () => {
  it('votes the same image on workers as votePatches does on the returned NNF', async () => {
    const A = smoothImage(24, 20, 4);
    const B = smoothImage(30, 26, 5);
    const region: Image = { width: 24, height: 20, channels: 1, data: new Float32Array(480) };
    for (let y = 5; y < 15; y++) for (let x = 6; x < 18; x++) region.data[y * 24 + x] = 1;
    const { nnf, voted } = await computeNnfAndVote(A, B, region, B, A, { workers: 2, seed: 2 });
    const ref = votePatches(B, nnf, A);
    expect(Array.from(voted.data)).toEqual(Array.from(ref.data));
    // Far from the region nothing votes: the fallback (A) shows through.
    expect(Array.from(voted.data.subarray(0, 3))).toEqual(Array.from(A.data.subarray(0, 3)));
  });
});
