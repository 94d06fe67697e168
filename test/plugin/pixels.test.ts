import { describe, expect, it } from 'vitest';
import { alphaMask, compositeOver, convertBits, cropWithAlpha, maskBounds, overWhite, placeMask, placeRgba } from '../../plugin/pixels.js';

describe('placeRgba', () => {
  it('puts trimmed pixels where their rect says, transparent elsewhere', () => {
    // A 2×1 RGBA layer at (1, 1) in a 3×2 plane.
    const out = placeRgba({ layerId: 1, rect: { left: 1, top: 1, right: 3, bottom: 2 }, components: 4, data: new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]) }, { left: 0, top: 0, right: 3, bottom: 2 }, 8);
    expect(Array.from(out)).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('makes 3-component (background) pixels opaque and clips to the target', () => {
    const out = placeRgba({ layerId: 1, rect: { left: 0, top: 0, right: 2, bottom: 1 }, components: 3, data: new Uint16Array([1, 2, 3, 4, 5, 6]) }, { left: 1, top: 0, right: 2, bottom: 1 }, 16);
    expect(Array.from(out)).toEqual([4, 5, 6, 65535]);
  });
});

describe('masks', () => {
  it('scales a 16-bit selection to 8 bits inside its rect', () => {
    const m = placeMask({ rect: { left: 1, top: 0, right: 2, bottom: 1 }, data: new Uint16Array([65535]) }, { left: 0, top: 0, right: 2, bottom: 2 });
    expect(Array.from(m)).toEqual([0, 255, 0, 0]);
  });

  it('takes the alpha channel as a mask', () => {
    expect(Array.from(alphaMask(new Uint16Array([0, 0, 0, 65535, 9, 9, 9, 32896]), 16))).toEqual([255, 128]);
  });

  it('finds the bounds of the non-zero mask values, or none', () => {
    const mask = new Uint8Array(4 * 3);
    mask[1 * 4 + 1] = 10;
    mask[2 * 4 + 2] = 1;
    expect(maskBounds(mask, 4, 3)).toEqual({ left: 1, top: 1, right: 3, bottom: 3 });
    expect(maskBounds(new Uint8Array(12), 4, 3)).toBeUndefined();
  });
});

describe('compositing', () => {
  it('mattes transparency onto white', () => {
    expect(Array.from(overWhite(new Uint8Array([0, 100, 200, 255, 0, 100, 200, 0, 0, 0, 0, 51]), 8))).toEqual([0, 100, 200, 255, 255, 255, 204, 204, 204]);
  });

  it('puts the pasted layer over the painting with its alpha', () => {
    const top = new Uint8Array([200, 0, 0, 255, 200, 0, 0, 0, 200, 0, 0, 51]);
    const bottom = new Uint8Array([0, 0, 100, 255, 0, 0, 100, 255, 0, 0, 100, 255]);
    // Opaque top wins; transparent top shows the bottom; 20 % top mixes 1:4.
    expect(Array.from(compositeOver(top, bottom, 8))).toEqual([200, 0, 0, 0, 0, 100, 40, 0, 80]);
  });

  it('agrees with a straightforward float computation on random pixels', () => {
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) % 256);
    const top = Uint8Array.from({ length: 400 }, rnd);
    const bottom = Uint8Array.from({ length: 400 }, rnd);
    const out = compositeOver(top, bottom, 8);
    for (let p = 0; p < 100; p++) {
      const at = top[p * 4 + 3] / 255;
      const ab = bottom[p * 4 + 3] / 255;
      for (let c = 0; c < 3; c++) {
        const below = (bottom[p * 4 + c] / 255) * ab + (1 - ab);
        expect(Math.abs(out[p * 3 + c] - 255 * ((top[p * 4 + c] / 255) * at + below * (1 - at)))).toBeLessThanOrEqual(0.5 + 1e-9);
      }
    }
  });
});

describe('cropWithAlpha and convertBits', () => {
  it('crops a plane to a rect and attaches the alpha', () => {
    // 3×2 RGB plane at the origin; crop x 1..3, y 1..2.
    const rgb = new Uint8Array([0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4, 5, 5, 5]);
    const alpha = new Uint8Array([0, 0, 0, 0, 9, 255]);
    expect(Array.from(cropWithAlpha(rgb, alpha, 3, { left: 0, top: 0 }, { left: 1, top: 1, right: 3, bottom: 2 }, 8))).toEqual([4, 4, 4, 9, 5, 5, 5, 255]);
    expect(Array.from(cropWithAlpha(new Uint16Array(rgb), alpha, 3, { left: 0, top: 0 }, { left: 2, top: 1, right: 3, bottom: 2 }, 16))).toEqual([5, 5, 5, 65535]);
  });

  it('converts between 8 and 16 bits and back', () => {
    const up = convertBits(new Uint8Array([0, 1, 128, 255]), 16);
    expect(Array.from(up)).toEqual([0, 257, 32896, 65535]);
    expect(Array.from(convertBits(up, 8))).toEqual([0, 1, 128, 255]);
  });
});
