import { describe, it, expect } from 'vitest';
import { matchPatches, normalizePositions, openMatching } from '../../../../companion/compute/graphs/matching.js';
import type { FeatureMap } from '../../../../companion/compute/graphs/features.js';
import { CPU } from '../../../../companion/compute/device-names.js';
import { mulberry32 } from '../../../support/gradcheck.js';

function randomMap(C: number, h: number, w: number, seed: number): FeatureMap {
  const r = mulberry32(seed);
  // Non-negative like ReLU features, with some exact zeros.
  return { channels: C, height: h, width: w, data: new Float32Array(C * h * w).map(() => Math.max(0, r() * 2 - 0.5)) };
}

const at = (f: FeatureMap, c: number, y: number, x: number) => f.data[(c * f.height + y) * f.width + x];
const inside = (f: FeatureMap, y: number, x: number) => y >= 0 && y < f.height && x >= 0 && x < f.width;

/** §2.1 written out: NCC over the offsets valid for both patches. */
function nccSlow(X: FeatureMap, S: FeatureMap, p: number, q: number): number {
  const py = Math.floor(p / X.width), px = p % X.width, qy = Math.floor(q / S.width), qx = q % S.width;
  let dot = 0, nx = 0, ns = 0;
  for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) {
    if (!inside(X, py + dy, px + dx) || !inside(S, qy + dy, qx + dx)) continue;
    for (let c = 0; c < X.channels; c++) {
      const a = at(X, c, py + dy, px + dx), b = at(S, c, qy + dy, qx + dx);
      dot += a * b; nx += a * a; ns += b * b;
    }
  }
  return dot / (Math.sqrt(nx) * Math.sqrt(ns) + 1e-9);
}

/** §3.2 written out: sum of per-position cosines, with the border rule. */
function cosineSlow(A: FeatureMap, S: FeatureMap, p: number, q: number): number {
  const NA = normalizePositions(A), NS = normalizePositions(S);
  const py = Math.floor(p / A.width), px = p % A.width, qy = Math.floor(q / S.width), qx = q % S.width;
  const forbidden = (qx === 0 && px !== 0) || (qx === S.width - 1 && px !== A.width - 1) || (qy === 0 && py !== 0) || (qy === S.height - 1 && py !== A.height - 1);
  if (forbidden) return -Infinity;
  let s = 0;
  for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) {
    if (!inside(A, py + dy, px + dx) || !inside(S, qy + dy, qx + dx)) continue;
    for (let c = 0; c < A.channels; c++) s += at(NA, c, py + dy, px + dx) * at(NS, c, qy + dy, qx + dx);
  }
  return s;
}

function bruteForce(score: (p: number, q: number) => number, positions: Int32Array, ns: number): { best: Int32Array; scores: Float64Array[] } {
  const best = new Int32Array(positions.length);
  const scores: Float64Array[] = [];
  positions.forEach((p, k) => {
    const row = new Float64Array(ns).map((_, q) => score(p, q));
    let b = 0;
    for (let q = 1; q < ns; q++) if (row[q] > row[b]) b = q; // strict '>' keeps the first maximum
    best[k] = b;
    scores.push(row);
  });
  return { best, scores };
}

/** Equal indices, or (float rounding) a near-tie whose score is within tol of the best. */
function expectSameMatches(got: Int32Array, want: { best: Int32Array; scores: Float64Array[] }, tol: number) {
  let exact = 0;
  got.forEach((q, k) => {
    if (q === want.best[k]) exact++;
    else expect(want.scores[k][want.best[k]] - want.scores[k][q]).toBeLessThan(tol);
  });
  expect(exact / got.length).toBeGreaterThan(0.95);
}

describe('patch matching as chunked convolutions', () => {
  const X = randomMap(5, 7, 9, 1);
  const S = randomMap(5, 8, 6, 2);
  const all = Int32Array.from({ length: X.height * X.width }, (_, i) => i);

  it('NCC (pass 1) picks the same painting position as a brute-force loop, borders included', async () => {
    const got = await matchPatches(CPU, X, all, S, { mode: 'ncc', borderRule: false, chunk: 10 });
    expectSameMatches(got, bruteForce((p, q) => nccSlow(X, S, p, q), all, S.height * S.width), 1e-5);
  });

  it('cosine sum with the border rule (pass 2) picks the same position as a brute-force loop', async () => {
    const got = await matchPatches(CPU, X, all, S, { mode: 'cosine', borderRule: true, chunk: 7 });
    expectSameMatches(got, bruteForce((p, q) => cosineSlow(X, S, p, q), all, S.height * S.width), 1e-5);
  });

  it('gives the same answer for any chunk size (the running work is per chunk)', async () => {
    const a = await matchPatches(CPU, X, all, S, { mode: 'cosine', borderRule: true, chunk: 1 });
    const b = await matchPatches(CPU, X, all, S, { mode: 'cosine', borderRule: true, chunk: 1000 });
    expect(Array.from(a)).toEqual(Array.from(b));
  });

  it('finds the exact source of patches copied from the painting', async () => {
    // Query = the painting itself: every interior position matches itself.
    const got = await matchPatches(CPU, S, all.filter((i) => i < S.height * S.width), S, { mode: 'ncc', borderRule: false });
    for (let i = 0; i < got.length; i++) expect(got[i]).toBe(i);
  });

  it('honours the border rule for a query grid that is a crop of a larger image', async () => {
    // Query position 0 of a crop at (3,2) is not on the full image's border, so painting border
    // strips are forbidden for it.
    const got = await matchPatches(CPU, X, Int32Array.of(0), S, { mode: 'cosine', borderRule: true, queryFrame: { x0: 3, y0: 2, fullWidth: 20, fullHeight: 20 } });
    const qy = Math.floor(got[0] / S.width), qx = got[0] % S.width;
    expect(qx > 0 && qx < S.width - 1 && qy > 0 && qy < S.height - 1).toBe(true);
  });

  it('an opened matcher answers several queries against one painting as single matchings do', async () => {
    const matcher = await openMatching(CPU, S, { mode: 'cosine', borderRule: true });
    try {
      const half = all.filter((i) => i % 2 === 0);
      expect(Array.from(await matcher.match(X, half, { chunk: 5 }))).toEqual(Array.from(await matchPatches(CPU, X, half, S, { mode: 'cosine', borderRule: true })));
      expect(Array.from(await matcher.match(S, Int32Array.of(9, 20)))).toEqual(Array.from(await matchPatches(CPU, S, Int32Array.of(9, 20), S, { mode: 'cosine', borderRule: true })));
    } finally {
      await matcher.release();
    }
  });

  it('stops when its signal is aborted', async () => {
    const ac = new AbortController();
    ac.abort();
    await expect(matchPatches(CPU, X, all, S, { mode: 'ncc', borderRule: false, signal: ac.signal })).rejects.toMatchObject({ code: 'CANCELLED' });
  });
});
