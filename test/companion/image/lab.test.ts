import { describe, expect, it } from 'vitest';
import type { Image } from '../../../companion/image/image.js';
import { labToRgb, rgbToLab } from '../../../companion/image/lab.js';
import { mulberry32 } from '../../support/gradcheck.js';
import { colorspaceLabToRgb } from '../../support/original-post.js';

const pixel = (r: number, g: number, b: number): Image => ({ width: 1, height: 1, channels: 3, data: Float32Array.from([r, g, b]) });

describe('rgbToLab', () => {
  it('maps white to L = 100, a = b = 0', () => {
    const [l, a, b] = rgbToLab(pixel(1, 1, 1)).data;
    expect(l).toBeCloseTo(100, 4);
    expect(a).toBeCloseTo(0, 4);
    expect(b).toBeCloseTo(0, 4);
  });

  it('maps black to L = 0', () => {
    expect(Array.from(rgbToLab(pixel(0, 0, 0)).data).map((v) => Math.abs(v))).toEqual([0, 0, 0]);
  });

  it('gives the published Lab of sRGB red (53.24, 80.09, 67.20)', () => {
    const [l, a, b] = rgbToLab(pixel(1, 0, 0)).data;
    expect(l).toBeCloseTo(53.24, 2);
    expect(a).toBeCloseTo(80.09, 2);
    expect(b).toBeCloseTo(67.2, 2);
  });

  it('gives the published Lab of sRGB blue (32.30, 79.19, −107.86)', () => {
    const [l, a, b] = rgbToLab(pixel(0, 0, 1)).data;
    expect(l).toBeCloseTo(32.3, 1);
    expect(a).toBeCloseTo(79.19, 1);
    expect(b).toBeCloseTo(-107.86, 1);
  });

  it('uses the linear segment of the gamma for dark greys', () => {
    // 0.02 is below 0.04045: linear 0.02/12.92, then L = 903.3·Y for Y below (6/29)³.
    const [l] = rgbToLab(pixel(0.02, 0.02, 0.02)).data;
    expect(l).toBeCloseTo((24389 / 27) * (0.02 / 12.92), 4);
  });
});

describe('labToRgb', () => {
  it('inverts rgbToLab to within 1e-4 on random colours, dark ones included', () => {
    const rand = mulberry32(11);
    const n = 2000;
    const data = Float32Array.from({ length: 3 * n }, (_, i) => (i < 300 ? rand() * 0.03 : rand()));
    const img: Image = { width: n, height: 1, channels: 3, data };
    const back = labToRgb(rgbToLab(img)).data;
    let worst = 0;
    for (let i = 0; i < data.length; i++) worst = Math.max(worst, Math.abs(back[i] - data[i]));
    expect(worst).toBeLessThan(1e-4);
  });

  it('returns out-of-gamut colours unclamped', () => {
    // Very saturated green-ish Lab is outside sRGB: some channel leaves [0, 1].
    const out = labToRgb(pixel(50, -120, 100)).data;
    expect(Math.min(...out) < 0 || Math.max(...out) > 1).toBe(true);
  });

  it('desaturates out-of-gamut colours as the original\'s colorspace.m does (white added in linear light), clipping only what is above 1', () => {
    const labs: [number, number, number][] = [[50, 100, -100], [90, -80, 80], [20, 0, -90], [50, -120, 100], [70, 60, 90], [35, 20, -30]];
    let differsFromClamping = 0;
    for (const [L, a, b] of labs) {
      const ours = labToRgb(pixel(L, a, b), { gamut: 'desaturate' }).data.map((v) => Math.min(1, Math.max(0, v)));
      const original = colorspaceLabToRgb(L, a, b);
      // The conversion constants differ in the 4th–5th digit (see lab.ts): well under 1/255.
      for (let c = 0; c < 3; c++) expect(Math.abs(ours[c] - original[c])).toBeLessThan(1.5e-3);
      const clamped = labToRgb(pixel(L, a, b)).data.map((v) => Math.min(1, Math.max(0, v)));
      if (Math.max(...[0, 1, 2].map((c) => Math.abs(clamped[c] - original[c]))) > 0.02) differsFromClamping++;
    }
    expect(differsFromClamping).toBeGreaterThanOrEqual(3);
  });

  it('leaves in-gamut colours as they are when desaturating, and lifts a negative channel exactly to 0', () => {
    const rand = mulberry32(5);
    const data = Float32Array.from({ length: 300 }, () => 0.05 + 0.9 * rand());
    const img: Image = { width: 100, height: 1, channels: 3, data };
    expect(Array.from(labToRgb(rgbToLab(img), { gamut: 'desaturate' }).data)).toEqual(Array.from(labToRgb(rgbToLab(img)).data));
    const out = labToRgb(pixel(50, 100, -100), { gamut: 'desaturate' }).data;
    expect(Math.min(...out)).toBeCloseTo(0, 6);
  });

  it('rejects a one-channel image', () => {
    expect(() => labToRgb({ width: 1, height: 1, channels: 1, data: new Float32Array(1) })).toThrow(/3 channels/);
  });
});
