import { describe, expect, it } from 'vitest';
import { perturbImage, seededRandom } from '../../eval/perturb.js';
import type { Image } from '../../companion/image/image.js';

/** An RGB image on the 8-bit grid, with the extremes 0 and 255 present. */
function testImage(width = 64, height = 48): Image {
  const data = new Float32Array(width * height * 3);
  for (let i = 0; i < data.length; i++) data[i] = ((i * 37) % 256) / 255;
  data[0] = 0;
  data[1] = 1;
  return { width, height, channels: 3, data };
}

describe('seededRandom', () => {
  it('repeats its sequence for a seed, differs between seeds, and stays in [0, 1)', () => {
    const a = seededRandom(1);
    const b = seededRandom(1);
    const c = seededRandom(2);
    const xa = Array.from({ length: 1000 }, a);
    expect(Array.from({ length: 1000 }, b)).toEqual(xa);
    expect(Array.from({ length: 1000 }, c)).not.toEqual(xa);
    expect(Math.min(...xa)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xa)).toBeLessThan(1);
    // Roughly uniform: each tenth of [0, 1) gets 100 ± 40 of 1000 draws.
    const bins = new Array(10).fill(0);
    for (const x of xa) bins[Math.floor(x * 10)]++;
    for (const n of bins) expect(Math.abs(n - 100)).toBeLessThan(40);
  });
});

describe('perturbImage', () => {
  it('moves every value by at most one grey level and keeps it in range', () => {
    const img = testImage();
    const out = perturbImage(img, 1);
    expect([out.width, out.height, out.channels]).toEqual([img.width, img.height, img.channels]);
    let offGrid = 0;
    let largestStep = 0;
    for (let i = 0; i < img.data.length; i++) {
      const after = out.data[i] * 255;
      offGrid = Math.max(offGrid, Math.abs(after - Math.round(after)));
      largestStep = Math.max(largestStep, Math.abs(Math.round(after) - Math.round(img.data[i] * 255)));
    }
    expect(offGrid).toBeLessThan(1e-3); // still on the 8-bit grid
    expect(largestStep).toBe(1);
    expect(Math.min(...out.data)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...out.data)).toBeLessThanOrEqual(1);
  });

  it('uses −1, 0 and +1 about equally often, so the image does not drift', () => {
    const img = testImage(200, 100);
    const out = perturbImage(img, 2);
    const counts = new Map<number, number>();
    let sum = 0;
    for (let i = 0; i < img.data.length; i++) {
      const before = Math.round(img.data[i] * 255);
      if (before === 0 || before === 255) continue; // clamped at the ends
      const step = Math.round(out.data[i] * 255) - before;
      counts.set(step, (counts.get(step) ?? 0) + 1);
      sum += step;
    }
    const n = [...counts.values()].reduce((a, b) => a + b, 0);
    expect([...counts.keys()].sort()).toEqual([-1, 0, 1]);
    for (const c of counts.values()) expect(Math.abs(c / n - 1 / 3)).toBeLessThan(0.02);
    expect(Math.abs(sum / n)).toBeLessThan(0.02);
  });

  it('is reproducible for a seed, differs between seeds, and leaves its input alone', () => {
    const img = testImage();
    const copy = img.data.slice();
    expect(perturbImage(img, 3).data).toEqual(perturbImage(img, 3).data);
    expect(perturbImage(img, 3).data).not.toEqual(perturbImage(img, 4).data);
    expect(img.data).toEqual(copy);
    expect(() => perturbImage(img, 1.5)).toThrow(/whole number/);
  });
});
