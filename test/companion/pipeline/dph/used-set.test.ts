import { describe, expect, it } from 'vitest';
import { buildUsedSet, countUsed, usedSetForLayer } from '../../../../companion/pipeline/dph/used-set.js';

/** Render a binary hs×ws map as rows of '#' and '.' for readable expectations. */
function show(u: Float32Array, ws: number): string[] {
  const rows: string[] = [];
  for (let i = 0; i < u.length; i += ws) rows.push(Array.from(u.subarray(i, i + ws), (v) => (v ? '#' : '.')).join(''));
  return rows;
}

describe('buildUsedSet', () => {
  it('marks the 3×3 ring around each matched position of a masked query position', () => {
    // Query 2×2, painting 6×7 (hs = 6, ws = 7). Two masked queries match (1,1) and (5,3).
    const ws = 7;
    const nnf = Int32Array.of(1 * ws + 1, 3 * ws + 5, 0, 0);
    const tight = Float32Array.of(1, 1, 0, 0);
    const u = buildUsedSet(nnf, tight, 6, ws);
    expect(show(u, ws)).toEqual([
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
    const u = buildUsedSet(nnf, new Float32Array(9).fill(1), 5, ws);
    expect(countUsed(u)).toBe(9);
    expect(Math.max(...u)).toBe(1);
    // Two adjacent matches share six ring positions: 9 + 9 − 6.
    const two = buildUsedSet(Int32Array.of(2 * ws + 2, 2 * ws + 3), Float32Array.of(1, 1), 5, ws);
    expect(countUsed(two)).toBe(12);
  });

  it('clips the ring at the painting border', () => {
    const u = buildUsedSet(Int32Array.of(0), Float32Array.of(1), 4, 4);
    expect(show(u, 4)).toEqual(['##..', '##..', '....', '....']);
  });

  it('ignores matches of positions outside the tight mask', () => {
    const u = buildUsedSet(Int32Array.of(5, 10), Float32Array.of(0, 0), 4, 4);
    expect(countUsed(u)).toBe(0);
  });
});

describe('usedSetForLayer', () => {
  it('upsamples with Torch nearest (floor(i·src/dst)) to the finer grids', () => {
    const u = Float32Array.of(1, 0, 1, 0, 1, 0); // 2×3
    expect(show(usedSetForLayer(u, 2, 3, 4, 6), 6)).toEqual(['##..##', '##..##', '..##..', '..##..']);
    // A non-integer ratio 3 → 7 takes source rows/cols 0,0,0,1,1,2,2.
    const diag = Float32Array.of(1, 0, 0, 0, 1, 0, 0, 0, 1);
    expect(show(usedSetForLayer(diag, 3, 3, 7, 7), 7)).toEqual([
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
