import { describe, it, expect } from 'vitest';
import { axisSpans, planTiles, runTiled } from '../../../../../companion/pipeline/harmonize/detail/tiles.js';
import type { Image } from '../../../../../companion/image/image.js';
import type { Region } from '../../../../../companion/image/planar.js';
import { mulberry32 } from '../../../../support/gradcheck.js';

describe('tile plan', () => {
  it('covers the axis with spans of at most the maximum, neighbours overlapping by at least the overlap, never three at once', () => {
    for (const [len, max, ov] of [[100, 100, 8], [101, 100, 8], [1000, 256, 32], [4097, 4096, 64], [12345, 4096, 64]]) {
      const spans = axisSpans(len, max, ov);
      expect(spans[0][0]).toBe(0);
      expect(spans.at(-1)![1]).toBe(len);
      for (const [s, e] of spans) expect(e - s).toBeLessThanOrEqual(max);
      for (let i = 1; i < spans.length; i++) {
        expect(spans[i - 1][1] - spans[i][0]).toBeGreaterThanOrEqual(ov);
        if (i > 1) expect(spans[i][0]).toBeGreaterThanOrEqual(spans[i - 2][1]);
      }
    }
    expect(axisSpans(100, 100, 8)).toEqual([[0, 100]]);
  });

  it('refuses tiles too small for their overlaps', () => {
    expect(() => axisSpans(100, 16, 8)).toThrow(/cannot hold two overlaps/);
  });

  it('weights every pixel to a total of exactly 1 (a partition of unity)', () => {
    const size = { width: 300, height: 170 };
    const grid = planTiles(size, 96, 20);
    expect(grid.tiles.length).toBeGreaterThan(6);
    const sum = new Float64Array(size.width * size.height);
    grid.tiles.forEach((t, k) => {
      for (let y = 0; y < t.height; y++) for (let x = 0; x < t.width; x++) sum[(t.y0 + y) * size.width + t.x0 + x] += grid.weights[k][y * t.width + x];
    });
    let worst = 0;
    for (const s of sum) worst = Math.max(worst, Math.abs(s - 1));
    expect(worst).toBeLessThan(1e-6);
  });
});

describe('runTiled', () => {
  const size = { width: 257, height: 190 };
  const grid = planTiles(size, 80, 16);
  const field = (f: (x: number, y: number, c: number) => number) => async (t: Region): Promise<Image> => {
    const data = new Float32Array(t.width * t.height * 2);
    for (let y = 0; y < t.height; y++) for (let x = 0; x < t.width; x++) for (let c = 0; c < 2; c++) data[(y * t.width + x) * 2 + c] = f(t.x0 + x, t.y0 + y, c);
    return { width: t.width, height: t.height, channels: 2, data };
  };

  it('gives back a constant and a linear field exactly', async () => {
    for (const f of [(_x: number, _y: number, c: number) => 0.25 + c, (x: number, y: number, c: number) => 0.01 * x - 0.003 * y + c]) {
      const out = await runTiled(size, 2, grid, field(f));
      let worst = 0;
      for (let y = 0; y < size.height; y++) for (let x = 0; x < size.width; x++) for (let c = 0; c < 2; c++) {
        worst = Math.max(worst, Math.abs(out.data[(y * size.width + x) * 2 + c] - f(x, y, c)));
      }
      expect(worst).toBeLessThan(1e-5);
    }
  });

  it('a local operator run tile by tile equals it run at once within 2 % of the image\'s range, 1e-6 away from tile edges', async () => {
    // A 5×5 box blur of random values: a tile lacks its neighbours' pixels only within 2 px of
    // its own edge, and the blend gives those pixels small weights. Here the overlap is 16 px.
    const r = mulberry32(7);
    const img = Float32Array.from({ length: size.width * size.height }, () => r());
    const blurAt = (x: number, y: number, t: Region) => {
      let s = 0, n = 0;
      for (let dy = -2; dy <= 2; dy++) for (let dx = -2; dx <= 2; dx++) {
        const xx = x + dx, yy = y + dy;
        if (xx < t.x0 || yy < t.y0 || xx >= t.x0 + t.width || yy >= t.y0 + t.height) continue;
        s += img[yy * size.width + xx];
        n++;
      }
      return s / n;
    };
    const whole = { x0: 0, y0: 0, ...size };
    const tiled = await runTiled(size, 1, grid, async (t) => {
      const data = new Float32Array(t.width * t.height);
      for (let y = 0; y < t.height; y++) for (let x = 0; x < t.width; x++) data[y * t.width + x] = blurAt(t.x0 + x, t.y0 + y, t);
      return { width: t.width, height: t.height, channels: 1, data };
    });
    let worst = 0;
    let interiorWorst = 0;
    for (let y = 0; y < size.height; y++) for (let x = 0; x < size.width; x++) {
      const d = Math.abs(tiled.data[y * size.width + x] - blurAt(x, y, whole));
      worst = Math.max(worst, d);
      const nearEdge = grid.tiles.some((t) => (x >= t.x0 && x < t.x0 + t.width && y >= t.y0 && y < t.y0 + t.height) &&
        ((x - t.x0 < 2 && t.x0 > 0) || (t.x0 + t.width - 1 - x < 2 && t.x0 + t.width < size.width) || (y - t.y0 < 2 && t.y0 > 0) || (t.y0 + t.height - 1 - y < 2 && t.y0 + t.height < size.height)));
      if (!nearEdge) interiorWorst = Math.max(interiorWorst, d);
    }
    expect(worst).toBeLessThan(0.02);
    expect(interiorWorst).toBeLessThan(1e-6);
  });

  it('refuses a tile result of the wrong size', async () => {
    await expect(runTiled(size, 1, grid, async () => ({ width: 1, height: 1, channels: 1, data: new Float32Array(1) }))).rejects.toThrow(/came back 1×1×1/);
  });
});
