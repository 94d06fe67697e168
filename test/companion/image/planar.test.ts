import { describe, expect, it } from 'vitest';
import { boundsAbove, cropPlanar, pastePlanar, type Planar } from '../../../companion/image/planar.js';
import type { Image } from '../../../companion/image/image.js';

const maskOf = (w: number, h: number, on: (x: number, y: number) => boolean, channels = 1): Image => {
  const data = new Float32Array(w * h * channels);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) data[(y * w + x) * channels] = on(x, y) ? 1 : 0;
  return { width: w, height: h, channels, data };
};

describe('boundsAbove', () => {
  it('bounds the pixels above the threshold, inclusive of the last row and column', () => {
    const m = maskOf(10, 8, (x, y) => x >= 2 && x <= 6 && y >= 3 && y <= 4);
    m.data[7 * 10 + 9] = 0.3;
    expect(boundsAbove(m, 0.5)).toEqual({ x0: 2, y0: 3, width: 5, height: 2 });
    expect(boundsAbove(m, 0.2)).toEqual({ x0: 2, y0: 3, width: 8, height: 5 });
  });

  it('reads the first channel of an interleaved image', () => {
    const m = maskOf(6, 5, (x, y) => x === 4 && y === 1, 3);
    m.data[(3 * 6 + 0) * 3 + 1] = 1; // a second channel is not looked at
    expect(boundsAbove(m, 0.5)).toEqual({ x0: 4, y0: 1, width: 1, height: 1 });
  });

  it('is undefined when no pixel is above it', () => {
    expect(boundsAbove(maskOf(4, 4, () => false), 0.5)).toBeUndefined();
    expect(boundsAbove(maskOf(4, 4, () => true), 1)).toBeUndefined();
  });
});

describe('cropPlanar and pastePlanar', () => {
  it('round-trip a region of every channel', () => {
    const full: Planar = { width: 5, height: 4, channels: 2, data: Float32Array.from({ length: 40 }, (_, i) => i) };
    const r = { x0: 1, y0: 2, width: 3, height: 2 };
    const part = cropPlanar(full, r);
    expect(Array.from(part.data)).toEqual([11, 12, 13, 16, 17, 18, 31, 32, 33, 36, 37, 38]);
    const blank: Planar = { ...full, data: new Float32Array(40) };
    pastePlanar(blank, r, part);
    expect(blank.data.filter((v) => v !== 0).length).toBe(12);
    expect(Array.from(cropPlanar(blank, r).data)).toEqual(Array.from(part.data));
  });
});
