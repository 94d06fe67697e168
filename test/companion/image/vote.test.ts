import { describe, expect, it } from 'vitest';
import type { Image } from '../../../companion/image/image.js';
import type { Nnf } from '../../../companion/image/nnf.js';
import { votePatches } from '../../../companion/image/vote.js';

/** B with a distinct value per pixel and channel: value = 100·channel + index. */
function numbered(w: number, h: number, c: number): Image {
  const data = new Float32Array(w * h * c);
  for (let i = 0; i < w * h; i++) for (let k = 0; k < c; k++) data[i * c + k] = 100 * k + i;
  return { width: w, height: h, channels: c, data };
}

function emptyNnf(w: number, h: number): Nnf {
  const n = w * h;
  return {
    width: w,
    height: h,
    patchSize: 7,
    x: new Int32Array(n).fill(-1),
    y: new Int32Array(n).fill(-1),
    dist: new Int32Array(n),
    active: new Uint8Array(n),
  };
}

function setMatch(nnf: Nnf, ax: number, ay: number, bx: number, by: number): void {
  const i = ay * nnf.width + ax;
  nnf.active[i] = 1;
  nnf.x[i] = bx;
  nnf.y[i] = by;
}

describe('votePatches', () => {
  it('copies one matched patch into its 7×7 footprint and leaves the rest to the fallback', () => {
    const B = numbered(12, 10, 1);
    const nnf = emptyNnf(9, 9);
    setMatch(nnf, 4, 4, 6, 5); // A (4,4) ↔ B (6,5): offset (+2, +1)
    const fallback: Image = { width: 9, height: 9, channels: 1, data: new Float32Array(81).fill(-7) };
    const out = votePatches(B, nnf, fallback).data;
    for (let y = 0; y < 9; y++) {
      for (let x = 0; x < 9; x++) {
        const inside = Math.abs(x - 4) <= 3 && Math.abs(y - 4) <= 3;
        expect(out[y * 9 + x]).toBe(inside ? (y + 1) * 12 + (x + 2) : -7);
      }
    }
  });

  it('averages overlapping patches with equal weights', () => {
    const B = numbered(12, 10, 2);
    const nnf = emptyNnf(10, 9);
    setMatch(nnf, 4, 4, 4, 4); // identity
    setMatch(nnf, 5, 4, 8, 6); // offset (+3, +2)
    const out = votePatches(B, nnf).data;
    const b = (x: number, y: number, k: number): number => 100 * k + y * 12 + x;
    for (let k = 0; k < 2; k++) {
      // (1,4) only in the first patch; (8,4) only in the second; (5,5) in both.
      expect(out[(4 * 10 + 1) * 2 + k]).toBe(b(1, 4, k));
      expect(out[(4 * 10 + 8) * 2 + k]).toBe(b(11, 6, k));
      expect(out[(5 * 10 + 5) * 2 + k]).toBeCloseTo((b(5, 5, k) + b(8, 7, k)) / 2, 5);
      // No vote and no fallback: 0.
      expect(out[(0 * 10 + 9) * 2 + k]).toBe(0);
    }
  });

  it('rebuilds B exactly from the identity NNF over every full patch', () => {
    const B = numbered(11, 9, 3);
    const nnf = emptyNnf(11, 9);
    for (let y = 3; y < 6; y++) for (let x = 3; x < 8; x++) setMatch(nnf, x, y, x, y);
    const out = votePatches(B, nnf).data;
    for (let i = 0; i < out.length; i++) expect(out[i]).toBeCloseTo(B.data[i], 4);
  });

  it('gives border pixels fewer votes: the corner takes only the corner patch', () => {
    const B = numbered(9, 9, 1);
    const nnf = emptyNnf(9, 9);
    setMatch(nnf, 3, 3, 5, 5); // offset (+2, +2)
    setMatch(nnf, 4, 4, 4, 4); // identity; does not cover (0, 0)
    const out = votePatches(B, nnf).data;
    expect(out[0]).toBe(2 * 9 + 2);
  });

  it('rejects a fallback of the wrong size', () => {
    expect(() => votePatches(numbered(9, 9, 1), emptyNnf(9, 9), numbered(8, 9, 1))).toThrow(/fallback/);
  });
});
