import { describe, expect, it } from 'vitest';
import { buildUsedSet, countUsed, usedSetForLayer } from '../../../../companion/pipeline/harmonize/used-set.js';
import type { Planar } from '../../../../companion/image/planar.js';

/** Render a binary map as rows of '#' and '.' for readable expectations. */
function show(u: Planar): string[] {
  const rows: string[] = [];
  for (let i = 0; i < u.data.length; i += u.width) rows.push(Array.from(u.data.subarray(i, i + u.width), (v) => (v ? '#' : '.')).join(''));
  return rows;
}

const grid = (width: number, height: number) => ({ width, height });
const plane = (width: number, height: number, data: Float32Array): Planar => ({ data, channels: 1, width, height });

describe('buildUsedSet', () => {
  it('marks the 3×3 ring around each matched position of a masked query position', () => {
    // Query 2×2, painting 6×7 (hs = 6, ws = 7). Two masked queries match (1,1) and (5,3).
    const ws = 7;
    const nnf = Int32Array.of(1 * ws + 1, 3 * ws + 5, 0, 0);
    const tight = Float32Array.of(1, 1, 0, 0);
    const u = buildUsedSet(nnf, tight, grid(ws, 6));
    expect(show(u)).toEqual([
      '###....', //
      '###....',
      '###.###',
      '....###',
      '....###',
      '.......',
    ]);
  });

  it('counts a painting position once however many queries map to it or near it', () => {
    const ws = 6;
    const nnf = Int32Array.from({ length: 9 }, () => 2 * ws + 2); // nine queries, same match
    const u = buildUsedSet(nnf, new Float32Array(9).fill(1), grid(ws, 5));
    expect(countUsed(u)).toBe(9);
    expect(Math.max(...u.data)).toBe(1);
    // Two adjacent matches share six ring positions: 9 + 9 − 6.
    const two = buildUsedSet(Int32Array.of(2 * ws + 2, 2 * ws + 3), Float32Array.of(1, 1), grid(ws, 5));
    expect(countUsed(two)).toBe(12);
  });

  it('clips the ring at the painting border', () => {
    const u = buildUsedSet(Int32Array.of(0), Float32Array.of(1), grid(4, 4));
    expect(show(u)).toEqual(['##..', '##..', '....', '....']);
  });

  it('ignores matches of positions outside the tight mask', () => {
    const u = buildUsedSet(Int32Array.of(5, 10), Float32Array.of(0, 0), grid(4, 4));
    expect(countUsed(u)).toBe(0);
  });
});

describe('usedSetForLayer', () => {
  it('upsamples with Torch nearest (floor(i·src/dst)) to the finer grids', () => {
    const u = plane(3, 2, Float32Array.of(1, 0, 1, 0, 1, 0)); // 3 wide, 2 high
    expect(show(usedSetForLayer(u, grid(6, 4)))).toEqual(['##..##', '##..##', '..##..', '..##..']);
    // A non-integer ratio 3 → 7 takes source rows/cols 0,0,0,1,1,2,2.
    const diag = plane(3, 3, Float32Array.of(1, 0, 0, 0, 1, 0, 0, 0, 1));
    expect(show(usedSetForLayer(diag, grid(7, 7)))).toEqual([
      '###....',
      '###....',
      '###....',
      '...##..',
      '...##..',
      '.....##',
      '.....##',
    ]);
  });
});
