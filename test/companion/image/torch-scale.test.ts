import { describe, expect, it } from 'vitest';
import { samplesReading, torchScale, torchScaleWindow } from '../../../companion/image/torch-scale.js';
import type { Region } from '../../../companion/image/planar.js';
import { mulberry32 } from '../../support/gradcheck.js';

/** Mean of a piecewise-constant line over [a, b) (pixel i covers [i, i+1)). */
function areaMean(src: number[], a: number, b: number): number {
  let s = 0;
  for (let i = 0; i < src.length; i++) s += src[i] * Math.max(0, Math.min(b, i + 1) - Math.max(a, i));
  return s / (b - a);
}

const row = (values: number[]): Float32Array => Float32Array.from(values);

describe('torchScale', () => {
  it('enlarges with the end pixels aligned (step (n−1)/(m−1))', () => {
    const out = torchScale(row([0, 1]), 2, 1, 1, 5, 1);
    expect(Array.from(out)).toEqual([0, 0.25, 0.5, 0.75, 1]);
  });

  it('shrinks by averaging each output cell, partial pixels weighted by overlap', () => {
    const src = [0.3, 1, 0, 0.5, 0.9, 0.2, 0.7];
    for (const m of [2, 3, 4, 5]) {
      const out = torchScale(row(src), src.length, 1, 1, m, 1);
      const step = src.length / m;
      for (let j = 0; j < m; j++) expect(out[j]).toBeCloseTo(areaMean(src, j * step, (j + 1) * step), 5);
    }
  });

  it('copies an axis whose length does not change and scales rows and columns independently', () => {
    // 4×2 image, 2 channels: halve the width only.
    const src = row([1, 10, 3, 30, 5, 50, 7, 70, 2, 20, 4, 40, 6, 60, 8, 80]);
    const out = torchScale(src, 4, 2, 2, 2, 2);
    expect(Array.from(out)).toEqual([2, 20, 6, 60, 3, 30, 7, 70]);
  });

  it('fills from a single source pixel when enlarging a length-1 axis', () => {
    const out = torchScale(row([0.4]), 1, 1, 1, 3, 2);
    expect(Array.from(out)).toEqual(Array(6).fill(Math.fround(0.4)));
  });
});

describe('torchScaleWindow (a window of a zero-padded canvas, a window of the output)', () => {
  const rand = mulberry32(11);
  const int = (lo: number, hi: number): number => lo + Math.floor(rand() * (hi - lo + 1));
  /** A w×h×c canvas that is random in (0.05, 1] inside `win` and 0 elsewhere, and the window's own pixels. */
  function canvas(w: number, h: number, c: number, win: Region): { full: Float32Array; part: Float32Array } {
    const full = new Float32Array(w * h * c);
    const part = new Float32Array(win.width * win.height * c);
    for (let y = 0; y < win.height; y++) for (let x = 0; x < win.width; x++) for (let k = 0; k < c; k++) {
      const v = 0.05 + 0.95 * rand();
      full[((win.y0 + y) * w + win.x0 + x) * c + k] = v;
      part[(y * win.width + x) * c + k] = v;
    }
    return { full, part };
  }
  const cut = (data: Float32Array, w: number, c: number, r: Region): Float32Array => {
    const out = new Float32Array(r.width * r.height * c);
    for (let y = 0; y < r.height; y++) out.set(data.subarray(((r.y0 + y) * w + r.x0) * c, ((r.y0 + y) * w + r.x0 + r.width) * c), y * r.width * c);
    return out;
  };
  const randomWindow = (w: number, h: number): Region => {
    const x0 = int(0, w - 1), y0 = int(0, h - 1);
    return { x0, y0, width: int(1, w - x0), height: int(1, h - y0) };
  };
  // Shrinking (by integer, fractional and huge factors), growing, unchanged, and mixed per axis.
  const shapes: [number, number, number, number][] = [[97, 61, 40, 25], [90, 60, 45, 30], [300, 200, 7, 5], [23, 17, 61, 50], [31, 29, 31, 12], [40, 33, 40, 33], [1, 9, 5, 4], [57, 1, 13, 3], [64, 48, 100, 20]];

  it('equals the whole resize of the zero-padded canvas cut to the output window, bit for bit', () => {
    for (const [w, h, outW, outH] of shapes) {
      for (let trial = 0; trial < 6; trial++) {
        const c = trial % 2 === 0 ? 1 : 3;
        const win = randomWindow(w, h);
        const { full, part } = canvas(w, h, c, win);
        const whole = torchScale(full, w, h, c, outW, outH);
        const out = randomWindow(outW, outH);
        expect(torchScaleWindow(part, win, c, w, h, outW, outH, out)).toEqual(cut(whole, outW, c, out));
      }
    }
  });

  it('with whole windows is torchScale itself', () => {
    const { full } = canvas(37, 23, 3, { x0: 0, y0: 0, width: 37, height: 23 });
    const all = (w: number, h: number): Region => ({ x0: 0, y0: 0, width: w, height: h });
    expect(torchScaleWindow(full, all(37, 23), 3, 37, 23, 15, 40, all(15, 40))).toEqual(torchScale(full, 37, 23, 3, 15, 40));
  });

  it('samplesReading gives the output samples that can be non-zero: every other one is exactly 0', () => {
    for (const [w, h, outW, outH] of shapes) {
      for (let trial = 0; trial < 6; trial++) {
        const win = randomWindow(w, h);
        const { full } = canvas(w, h, 1, win);
        const whole = torchScale(full, w, h, 1, outW, outH);
        const [x0, x1] = samplesReading(win.x0, win.x0 + win.width, w, outW);
        const [y0, y1] = samplesReading(win.y0, win.y0 + win.height, h, outH);
        let nx0 = outW, nx1 = -1, ny0 = outH, ny1 = -1, outside = 0;
        for (let y = 0; y < outH; y++) for (let x = 0; x < outW; x++) {
          if (whole[y * outW + x] === 0) continue;
          if (!(x >= x0 && x < x1 && y >= y0 && y < y1)) outside++;
          nx0 = Math.min(nx0, x); nx1 = Math.max(nx1, x); ny0 = Math.min(ny0, y); ny1 = Math.max(ny1, y);
        }
        expect(outside).toBe(0);
        // At most the zero-weighted neighbour Torch reads past each end beyond the non-zero samples.
        expect(x1 - x0).toBeLessThanOrEqual(nx1 - nx0 + 3);
        expect(y1 - y0).toBeLessThanOrEqual(ny1 - ny0 + 3);
      }
    }
  });
});
