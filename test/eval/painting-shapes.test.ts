import { describe, it, expect } from 'vitest';
import type { Image } from '../../companion/image/image.js';
import { fillHoles, growRegion, shapeMask } from '../../eval/painting-shapes.js';

const W = 12, H = 9;
/** Rows of a W×H picture: '#' set, '.' not. */
function picture(rows: string[]): Uint8Array {
  return Uint8Array.from(rows.join('').split(''), (c) => (c === '#' ? 1 : 0));
}
const show = (r: Uint8Array): string[] => Array.from({ length: H }, (_, y) => Array.from(r.subarray(y * W, y * W + W), (v) => (v ? '#' : '.')).join(''));

describe("the hires paintings' own shapes", () => {
  const ring = picture([
    '............',
    '.#####......',
    '.#...#......',
    '.#...#..##..',
    '.#####..##..',
    '............',
    '......#.....',
    '.....#.#....',
    '......#.....',
  ]);
  it('grows 4-connected from the seed only: a diagonal neighbour and a separate blob stay out', () => {
    const grown = growRegion(W, H, [1, 1], (i) => ring[i] === 1);
    expect(show(grown)).toEqual(show(picture([
      '............',
      '.#####......',
      '.#...#......',
      '.#...#......',
      '.#####......',
      '............',
      '............',
      '............',
      '............',
    ])));
    expect(() => growRegion(W, H, [0, 0], (i) => ring[i] === 1)).toThrow(/not on the shape's side/);
  });
  it('fills holes closed off from the border, 4-connected, and nothing reachable from it', () => {
    expect(show(fillHoles(W, H, ring))).toEqual(show(picture([
      '............',
      '.#####......',
      '.#####......',
      '.#####..##..',
      '.#####..##..',
      '............',
      '......#.....',
      '.....###....',
      '......#.....',
    ])));
  });
  it('selects a dark disc with a light fleck inside it from a grey painting, and not the dark square elsewhere', () => {
    const w = 60, h = 40;
    const rgb: Image = { width: w, height: h, channels: 3, data: new Float32Array(w * h * 3).fill(0.8) };
    const set = (x: number, y: number, v: number): void => { rgb.data.fill(v, 3 * (y * w + x), 3 * (y * w + x) + 3); };
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
      // A light 5 × 5 fleck inside the disc survives the smoothing: a hole to fill.
      if (Math.hypot(x - 15, y - 20) <= 10) set(x, y, Math.abs(x - 13) <= 2 && Math.abs(y - 20) <= 2 ? 0.9 : 0.1);
      if (x >= 40 && x < 50 && y >= 10 && y < 20) set(x, y, 0.1);
    }
    const m = shapeMask(rgb, { name: 't', painting: '-', crop: [0, 0, w, h], seed: [20, 20], threshold: 0.45, side: 'dark' });
    let inDisc = 0, outDisc = 0;
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
      const on = m.data[y * w + x] > 0.5;
      if (Math.hypot(x - 15, y - 20) <= 9) inDisc += on ? 0 : 1;
      else if (Math.hypot(x - 15, y - 20) > 11.5) outDisc += on ? 1 : 0;
    }
    expect(inDisc).toBe(0);
    expect(outDisc).toBe(0);
  });

  it('keeps a shape the crop cuts through selected up to the crop\'s edge', () => {
    const w = 30, h = 20;
    const rgb: Image = { width: w, height: h, channels: 3, data: new Float32Array(w * h * 3).fill(0.2) };
    for (let y = 5; y < 15; y++) for (let x = 0; x < 10; x++) rgb.data.fill(0.9, 3 * (y * w + x), 3 * (y * w + x) + 3);
    const m = shapeMask(rgb, { name: 't', painting: '-', crop: [0, 0, w, h], seed: [5, 10], threshold: 0.6, side: 'light' });
    for (let y = 7; y < 13; y++) for (const x of [0, 1, 5]) expect(m.data[y * w + x]).toBe(1);
  });
});
