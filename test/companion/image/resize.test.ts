import { describe, expect, it } from 'vitest';
import type { Image } from '../../../companion/image/image.js';
import { padToCanvas, resize, resizeWindow, resizeZeroPadded, workingSize } from '../../../companion/image/resize.js';
import { mulberry32 } from '../../support/gradcheck.js';
import { expectSameBits } from '../../support/same-bits.js';

const row = (values: number[], channels = 1): Image => ({
  width: values.length / channels,
  height: 1,
  channels,
  data: Float32Array.from(values),
});
const column = (values: number[]): Image => ({ width: 1, height: values.length, channels: 1, data: Float32Array.from(values) });

function expectClose(actual: Float32Array, expected: number[], tol = 1e-6): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) expect(Math.abs(actual[i] - expected[i])).toBeLessThan(tol);
}

describe('workingSize', () => {
  it('truncates side·longSide/max(w, h) like Torch', () => {
    expect(workingSize(1000, 750, 700)).toEqual({ width: 700, height: 525 });
    // 999·700/1000 = 699.3 → 699 (truncation, not rounding)
    expect(workingSize(1000, 999, 700)).toEqual({ width: 700, height: 699 });
    expect(workingSize(586, 700, 350)).toEqual({ width: 293, height: 350 });
  });

  it('enlarges as Torch does when the long side is smaller than asked', () => {
    expect(workingSize(350, 100, 700)).toEqual({ width: 700, height: 200 });
  });

  it('rejects a zero size', () => {
    expect(() => workingSize(0, 10, 700)).toThrow(/Cannot size/);
  });
});

describe('resize bilinear (Torch image.scale)', () => {
  it('averages pairs when halving 4 → 2', () => {
    expectClose(resize(row([1, 3, 5, 11]), 2, 1).data, [2, 8]);
  });

  it('weights the shared middle pixel by half when shrinking 5 → 2', () => {
    // Each output covers 2.5 source pixels: [0, 2.5) and [2.5, 5).
    const out = resize(row([1, 2, 4, 8, 16]), 2, 1).data;
    expectClose(out, [(1 + 2 + 0.5 * 4) / 2.5, (0.5 * 4 + 8 + 16) / 2.5]);
  });

  it('uses fractional weights at both ends when shrinking 3 → 2', () => {
    // [0, 1.5) and [1.5, 3): the middle pixel is split in half.
    expectClose(resize(row([3, 6, 9]), 2, 1).data, [(3 + 0.5 * 6) / 1.5, (0.5 * 6 + 9) / 1.5]);
  });

  it('interpolates with aligned corners when enlarging 3 → 5', () => {
    // Positions i·(3−1)/(5−1) = 0, 0.5, 1, 1.5, 2.
    expectClose(resize(row([0, 10, 30]), 5, 1).data, [0, 5, 10, 20, 30]);
  });

  it('keeps both end pixels exactly when enlarging 2 → 7', () => {
    const out = resize(row([0.25, 0.75]), 7, 1).data;
    expect(out[0]).toBe(0.25);
    expect(out[6]).toBe(0.75);
    expectClose(out, [0, 1, 2, 3, 4, 5, 6].map((i) => 0.25 + (0.5 * i) / 6));
  });

  it('replicates a single pixel when enlarging 1 → 4', () => {
    expectClose(resize(row([0.4]), 4, 1).data, [0.4, 0.4, 0.4, 0.4]);
  });

  it('applies the same rules along the height', () => {
    expectClose(resize(column([1, 2, 4, 8, 16]), 1, 2).data, [(1 + 2 + 0.5 * 4) / 2.5, (0.5 * 4 + 8 + 16) / 2.5]);
    expectClose(resize(column([0, 10, 30]), 1, 5).data, [0, 5, 10, 20, 30]);
  });

  it('treats each channel separately', () => {
    const out = resize(row([1, 100, 3, 300, 5, 500, 11, 1100], 2), 2, 1).data;
    expectClose(out, [2, 200, 8, 800], 1e-4);
  });

  it('is separable: a 2-D resize equals resizing rows then columns', () => {
    const rand = mulberry32(3);
    const img: Image = { width: 9, height: 7, channels: 3, data: Float32Array.from({ length: 9 * 7 * 3 }, rand) };
    const both = resize(img, 4, 11);
    const staged = resize(resize(img, 4, 7), 4, 11);
    expectClose(both.data, Array.from(staged.data), 1e-6);
  });

  it('preserves the mean when shrinking by an integer factor', () => {
    const rand = mulberry32(5);
    const img: Image = { width: 12, height: 9, channels: 1, data: Float32Array.from({ length: 108 }, rand) };
    const out = resize(img, 4, 3);
    const mean = (d: Float32Array): number => d.reduce((a, v) => a + v, 0) / d.length;
    expect(Math.abs(mean(out.data) - mean(img.data))).toBeLessThan(1e-6);
  });

  it('copies when the size is unchanged', () => {
    const img = row([0.1, 0.2, 0.3]);
    const out = resize(img, 3, 1);
    expect(Array.from(out.data)).toEqual(Array.from(img.data));
    expect(out.data).not.toBe(img.data);
  });
});

describe('resize simple (nearest)', () => {
  it('reads source index floor(i·src/dst) when shrinking', () => {
    // 5 → 2: floor(0) = 0, floor(2.5) = 2.
    expect(Array.from(resize(row([10, 20, 30, 40, 50]), 2, 1, 'simple').data)).toEqual([10, 30]);
  });

  it('repeats pixels when enlarging', () => {
    // 3 → 7: floor(i·3/7) = 0,0,0,1,1,2,2.
    expect(Array.from(resize(row([1, 2, 3]), 7, 1, 'simple').data)).toEqual([1, 1, 1, 2, 2, 3, 3]);
  });

  it('computes the source index in float32 as Torch does (2 → 82: position 41 reads 0, not 1)', () => {
    // fround(2/82)·41 rounds to just below 1; the exact i·src/dst would be 1.
    const out = resize(row([1, 2]), 82, 1, 'simple').data;
    expect(out[40]).toBe(1);
    expect(out[41]).toBe(1);
    expect(out[42]).toBe(2);
  });

  it('works on both axes and all channels', () => {
    const img: Image = { width: 2, height: 2, channels: 2, data: Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8]) };
    const out = resize(img, 4, 4, 'simple');
    expect(Array.from(out.data.subarray(0, 8))).toEqual([1, 2, 1, 2, 3, 4, 3, 4]);
    expect(Array.from(out.data.subarray(3 * 8, 4 * 8))).toEqual([5, 6, 5, 6, 7, 8, 7, 8]);
  });
});

describe('resize bilinear on any number of channels', () => {
  it('interpolates with aligned corners when growing', () => {
    const col: Image = { width: 1, height: 2, channels: 1, data: Float32Array.of(0, 4) };
    expect(Array.from(resize(col, 1, 5).data)).toEqual([0, 1, 2, 3, 4]);
  });

  it('scales every channel of an HWC buffer independently', () => {
    // 3×1 image, 2 channels → 2×1: weights (1, ½)/1.5 and (½, 1)/1.5.
    const out = resize({ width: 3, height: 1, channels: 2, data: Float32Array.of(3, 0, 0, 3, 6, 0) }, 2, 1).data;
    expect(out[0]).toBeCloseTo(2, 6);
    expect(out[1]).toBeCloseTo(1, 6);
    expect(out[2]).toBeCloseTo(4, 6);
    expect(out[3]).toBeCloseTo(1, 6);
  });
});

describe('resize arguments', () => {
  it('rejects a non-integer size', () => {
    expect(() => resize(row([1, 2]), 1.5, 1)).toThrow(/positive integer size/);
  });
});

describe('resize over windows (huge, mostly-zero canvases)', () => {
  const rand = mulberry32(21);
  const part = (width: number, height: number, channels: number): Image => ({ width, height, channels, data: new Float32Array(width * height * channels).map(() => 0.1 + 0.9 * rand()) });
  const crop = (img: Image, r: { x0: number; y0: number; width: number; height: number }): Image => {
    const c = img.channels;
    const data = new Float32Array(r.width * r.height * c);
    for (let y = 0; y < r.height; y++) data.set(img.data.subarray(((r.y0 + y) * img.width + r.x0) * c, ((r.y0 + y) * img.width + r.x0 + r.width) * c), y * r.width * c);
    return { width: r.width, height: r.height, channels: c, data };
  };

  it('resizeZeroPadded, padded back to the output canvas, is resize of the zero-padded canvas, bit for bit', () => {
    const canvas = { width: 1203, height: 877 };
    for (const [region, to, c] of [
      [{ x0: 400, y0: 300, width: 150, height: 90 }, workingSize(1203, 877, 700), 1],
      [{ x0: 0, y0: 777, width: 203, height: 100 }, workingSize(1203, 877, 96), 3],
      [{ x0: 1100, y0: 0, width: 103, height: 60 }, canvas, 1],
      [{ x0: 10, y0: 10, width: 5, height: 3 }, { width: 1500, height: 900 }, 1],
    ] as const) {
      const p = { region, image: part(region.width, region.height, c) };
      const got = resizeZeroPadded(p, canvas, to.width, to.height);
      expect(got.region.width * got.region.height).toBeLessThan(to.width * to.height);
      const whole = resize(padToCanvas(p, canvas), to.width, to.height);
      expectSameBits(padToCanvas(got, to), whole);
      expectSameBits(got.image, crop(whole, got.region));
    }
  });

  it('resizeWindow is that window of the whole resize, bit for bit, growing or shrinking', () => {
    const img = part(64, 51, 3);
    for (const [w, h, r] of [[200, 160, { x0: 25, y0: 10, width: 140, height: 130 }], [200, 160, { x0: 0, y0: 0, width: 200, height: 160 }], [30, 20, { x0: 29, y0: 3, width: 1, height: 17 }]] as const) {
      expectSameBits(resizeWindow(img, w, h, r), crop(resize(img, w, h), r));
    }
  });
});
