import { describe, expect, it } from 'vitest';
import { alphaMask, convertBits, cropWithAlpha, overWhite, placeRgba } from '../../plugin/pixels.js';

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
  it('takes the alpha channel as a mask', () => {
    expect(Array.from(alphaMask(new Uint16Array([0, 0, 0, 65535, 9, 9, 9, 32896]), 16))).toEqual([255, 128]);
  });

});

describe('compositing', () => {
  it('mattes transparency onto white', () => {
    expect(Array.from(overWhite(new Uint8Array([0, 100, 200, 255, 0, 100, 200, 0, 0, 0, 0, 51]), 8))).toEqual([0, 100, 200, 255, 255, 255, 204, 204, 204]);
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
