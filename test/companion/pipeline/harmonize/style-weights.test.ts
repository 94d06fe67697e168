import { describe, expect, it } from 'vitest';
import {
  PASS1_WEIGHTS,
  paintingNoise,
  pass2Weights,
  tvBase,
} from '../../../../companion/pipeline/harmonize/style-weights.js';
import { createImage } from '../../../../companion/image/image.js';
import { PainterlyError } from '../../../../shared/errors.js';

describe('paintingNoise', () => {
  it('takes the lower middle value of (Δx² + Δy²)/2 over the top-left (H−1)×(W−1) region', () => {
    // 3×3 RGB. R steps by 0.1 only between x = 0 and 1 → two 0.005s and two 0s; G ramps by 0.2
    // down the rows → four 0.02s; B is flat → four 0s. Sorted: six 0s, then 0.005 …, so the
    // lower median (index 5 of 12) is 0 where the mean of the middle pair would be 0.0025.
    const img = createImage(3, 3, 3);
    for (let y = 0; y < 3; y++) {
      for (let x = 0; x < 3; x++) {
        const o = (y * 3 + x) * 3;
        img.data[o] = x === 0 ? 0 : 0.1;
        img.data[o + 1] = 0.2 * y;
        img.data[o + 2] = 0.5;
      }
    }
    expect(paintingNoise(img)).toBe(0);
    // Now let B ramp by 0.1 across: its four values become 0.005, leaving only two 0s.
    for (let y = 0; y < 3; y++) for (let x = 0; x < 3; x++) img.data[(y * 3 + x) * 3 + 2] = 0.1 * x;
    // Values: R 0.005,0,0.005,0 · G 0.02×4 · B 0.005×4 → sorted 0,0,0.005×6,0.02×4: index 5 is 0.005.
    expect(paintingNoise(img)).toBeCloseTo(0.005, 8);
  });

  it('agrees with a direct computation on a random RGBA image and ignores alpha', () => {
    const w = 13;
    const h = 9;
    const img = createImage(w, h, 4);
    let s = 1;
    for (let i = 0; i < img.data.length; i++) {
      s = (s * 16807) % 2147483647;
      img.data[i] = s / 2147483647;
    }
    const vals: number[] = [];
    for (let c = 0; c < 3; c++) {
      for (let y = 0; y < h - 1; y++) {
        for (let x = 0; x < w - 1; x++) {
          const at = (yy: number, xx: number) => img.data[(yy * w + xx) * 4 + c];
          vals.push(((at(y, x) - at(y, x + 1)) ** 2 + (at(y, x) - at(y + 1, x)) ** 2) / 2);
        }
      }
    }
    vals.sort((a, b) => a - b);
    expect(paintingNoise(img)).toBe(vals[Math.floor((vals.length - 1) / 2)]);
  });

  it('refuses a greyscale painting', () => {
    expect(() => paintingNoise(createImage(4, 4, 1))).toThrow(PainterlyError);
  });
});

describe('weights', () => {
  it('switches tv_b sharply around noise 2.5e-3', () => {
    expect(tvBase(0.002)).toBeCloseTo(9.933, 3);
    expect(tvBase(0.003)).toBeCloseTo(0.0669, 4);
    expect(tvBase(0.0025)).toBeCloseTo(5, 10);
  });

  it('scales the pass-2 weights by τ and splits 10 between TV and histogram', () => {
    const w = pass2Weights(5, 0.002);
    expect(w.content).toBe(1);
    expect(w.style).toBe(5);
    expect(w.tv).toBeCloseTo(5 * 9.933, 2);
    expect(w.histogram + w.tv).toBeCloseTo(50, 10);
  });

  it('keeps the pass-1 constants', () => {
    expect(PASS1_WEIGHTS).toEqual({ content: 5, style: 100, histogram: 0, tv: 1e-3 });
  });
});
