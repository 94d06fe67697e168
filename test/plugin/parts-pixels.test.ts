import { describe, expect, it } from 'vitest';
import { mask8Of, maskExtent, pastedRgba, paperRgb, rgbOverWhite } from '../../plugin/parts-pixels.js';
import type { RegionPixels } from '../../plugin/photoshop/host.js';

const px = (rect: RegionPixels['rect'], components: 1 | 3 | 4, data: number[], sixteen = false): RegionPixels => ({
  rect, width: rect.right - rect.left, height: rect.bottom - rect.top, components, data: sixteen ? Uint16Array.from(data) : Uint8Array.from(data),
});

describe('rgbOverWhite', () => {
  it('places trimmed pixels in the strip, mattes alpha on white, and is white where the layer has none', () => {
    // A 2×1 RGBA layer at (1, 0) in a 3×1 strip: an opaque red, a 20 % blue.
    const layer = px({ left: 1, top: 0, right: 3, bottom: 1 }, 4, [255, 0, 0, 255, 0, 0, 255, 51]);
    const out = new Uint8Array(9);
    rgbOverWhite(layer, { left: 0, top: 0, right: 3, bottom: 1 }, 8, out);
    expect(Array.from(out)).toEqual([255, 255, 255, 255, 0, 0, 204, 204, 255]);
    rgbOverWhite(undefined, { left: 0, top: 0, right: 3, bottom: 1 }, 8, out);
    expect(Array.from(out)).toEqual(new Array(9).fill(255));
  });

  it('fills only the rows it is asked for (a slice)', () => {
    const layer = px({ left: 0, top: 0, right: 1, bottom: 2 }, 3, [1, 2, 3, 4, 5, 6]);
    const out = new Uint8Array(6);
    rgbOverWhite(layer, { left: 0, top: 0, right: 1, bottom: 2 }, 8, out, 1, 2);
    expect(Array.from(out)).toEqual([0, 0, 0, 4, 5, 6]);
  });
});

describe('paperRgb', () => {
  it('takes an untrimmed read of the paper\'s size one to one', () => {
    const read = px({ left: 0, top: 0, right: 40, bottom: 20 }, 3, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    const scaled = { ...read, width: 2, height: 2 };
    const out = new Uint8Array(12);
    paperRgb(scaled, { width: 40, height: 20 }, { width: 2, height: 2 }, 8, out);
    expect(Array.from(out)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
  });

  it('places a trimmed, scaled read by its document rect, white elsewhere', () => {
    // The layer covers the right half of a 40×20 document; Photoshop scaled it to 1×2.
    const read: RegionPixels = { rect: { left: 20, top: 0, right: 40, bottom: 20 }, width: 1, height: 2, components: 3, data: Uint8Array.from([10, 10, 10, 20, 20, 20]) };
    const out = new Uint8Array(2 * 2 * 3);
    paperRgb(read, { width: 40, height: 20 }, { width: 2, height: 2 }, 8, out);
    expect(Array.from(out)).toEqual([255, 255, 255, 10, 10, 10, 255, 255, 255, 20, 20, 20]);
  });
});

describe('pastedRgba', () => {
  it('multiplies its alpha by its user mask and its opacity, and keeps that alpha in 8 bits', () => {
    const rect = { left: 0, top: 0, right: 3, bottom: 1 };
    const layer = px(rect, 4, [10, 20, 30, 65535, 40, 50, 60, 65535, 70, 80, 90, 32768], true);
    // The mask hides the second pixel and half of the third; it ends before the first.
    const mask = px({ left: 1, top: 0, right: 3, bottom: 1 }, 1, [0, 32768], true);
    const rgba = new Uint16Array(12);
    const alpha = new Uint8Array(3);
    pastedRgba(layer, mask, 0.5, rect, 16, rgba, alpha);
    expect(Array.from(rgba)).toEqual([10, 20, 30, 32768, 40, 50, 60, 0, 70, 80, 90, Math.round(32768 * 0.5 * (32768 / 65535))]);
    expect(Array.from(alpha)).toEqual([128, 0, Math.round((32768 * 0.5 * (32768 / 65535) * 255) / 65535)]);
  });

  it('agrees with a straightforward float computation on random pixels', () => {
    let seed = 11;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) % 256);
    const rect = { left: 5, top: 7, right: 25, bottom: 12 };
    const layer = px(rect, 4, Array.from({ length: 400 }, rnd));
    const mask = px(rect, 1, Array.from({ length: 100 }, rnd));
    const rgba = new Uint8Array(400);
    const alpha = new Uint8Array(100);
    pastedRgba(layer, mask, 0.7, rect, 8, rgba, alpha);
    for (let p = 0; p < 100; p++) {
      const a = (layer.data[p * 4 + 3] / 255) * (mask.data[p] / 255) * 0.7;
      expect(Math.abs(rgba[p * 4 + 3] - 255 * a)).toBeLessThanOrEqual(0.5 + 1e-9);
      expect(Math.abs(alpha[p] - 255 * a)).toBeLessThanOrEqual(0.5 + 1e-9);
      for (let c = 0; c < 3; c++) expect(rgba[p * 4 + c]).toBe(layer.data[p * 4 + c]);
    }
  });

  it('is transparent where the layer has no pixels', () => {
    const rgba = new Uint8Array(8).fill(9);
    pastedRgba(undefined, undefined, 1, { left: 0, top: 0, right: 2, bottom: 1 }, 8, rgba, undefined);
    expect(Array.from(rgba)).toEqual(new Array(8).fill(0));
  });
});

describe('mask8Of and maskExtent', () => {
  it('scales a 16-bit selection to 8 bits inside its rect, 0 elsewhere', () => {
    const m = mask8Of(px({ left: 1, top: 0, right: 2, bottom: 1 }, 1, [65535], true), { left: 0, top: 0, right: 2, bottom: 2 });
    expect(Array.from(m)).toEqual([0, 255, 0, 0]);
  });

  it('finds where a mask is not zero, in document coordinates, or nowhere', () => {
    const mask = new Uint8Array(4 * 3);
    mask[1 * 4 + 1] = 10;
    mask[2 * 4 + 2] = 1;
    expect(maskExtent(mask, { left: 100, top: 50, right: 104, bottom: 53 })).toEqual({ left: 101, top: 51, right: 103, bottom: 53 });
    expect(maskExtent(new Uint8Array(12), { left: 0, top: 0, right: 4, bottom: 3 })).toBeUndefined();
  });

  it('agrees with a pixel-by-pixel bounding box on random sparse masks', () => {
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let trial = 0; trial < 50; trial++) {
      const w = 1 + Math.floor(rand() * 20), h = 1 + Math.floor(rand() * 20);
      const mask = Uint8Array.from({ length: w * h }, () => (rand() < 0.05 ? 1 + Math.floor(rand() * 255) : 0));
      let slow: { left: number; top: number; right: number; bottom: number } | undefined;
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++) {
          if (!mask[y * w + x]) continue;
          slow = slow ? { left: Math.min(slow.left, x + 5), top: Math.min(slow.top, y + 9), right: Math.max(slow.right, x + 6), bottom: Math.max(slow.bottom, y + 10) } : { left: x + 5, top: y + 9, right: x + 6, bottom: y + 10 };
        }
      }
      expect(maskExtent(mask, { left: 5, top: 9, right: 5 + w, bottom: 9 + h })).toEqual(slow);
    }
  });
});
