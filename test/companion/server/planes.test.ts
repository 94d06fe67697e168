import { describe, expect, it } from 'vitest';
import { imageToSamples, planeSink, previewSamples } from '../../../companion/server/planes.js';

describe('planeSink', () => {
  it('converts 8-bit chunks at their offsets to floats in [0,1], dropping alpha', () => {
    const { sink, image } = planeSink({ width: 2, height: 1, channels: 4, bitsPerChannel: 8 }, 3);
    sink(new Uint8Array([255, 0, 51, 7]), 4); // second pixel first
    sink(new Uint8Array([0, 255, 102, 9]), 0);
    expect(Array.from(image().data)).toEqual([0, 1, 0.4, 1, 0, 0.2].map(Math.fround));
    expect(image().channels).toBe(3);
  });

  it('reads 16-bit samples as little-endian, also from an odd byte offset in the buffer', () => {
    const { sink, image } = planeSink({ width: 2, height: 1, channels: 1, bitsPerChannel: 16 }, 1);
    const buf = new Uint8Array([9, 0xff, 0xff, 0x00, 0x80]);
    sink(buf.subarray(1), 0);
    expect(image().data[0]).toBe(1);
    expect(image().data[1]).toBeCloseTo(0x8000 / 65535, 7);
  });
});

describe('imageToSamples', () => {
  it('clamps, rounds and repeats grey into RGB', () => {
    const grey = { width: 2, height: 1, channels: 1, data: Float32Array.from([-0.5, 0.5]) };
    expect(Array.from(imageToSamples(grey, 8))).toEqual([0, 0, 0, 128, 128, 128]);
    const rgba = { width: 1, height: 1, channels: 4, data: Float32Array.from([1.5, 0.25, 0, 0.5]) };
    expect(Array.from(imageToSamples(rgba, 16))).toEqual([65535, 16384, 0]);
  });
});

describe('previewSamples', () => {
  it('box-averages down to the longer side limit, matching a plain average', () => {
    const w = 9;
    const h = 6;
    const data = Float32Array.from({ length: w * h * 3 }, (_, i) => ((i * 37) % 101) / 100);
    const p = previewSamples({ width: w, height: h, channels: 3, data }, 3);
    expect([p.width, p.height]).toEqual([3, 2]);
    for (let y = 0; y < 2; y++) {
      for (let x = 0; x < 3; x++) {
        for (let c = 0; c < 3; c++) {
          let sum = 0;
          for (let yy = 3 * y; yy < 3 * y + 3; yy++) for (let xx = 3 * x; xx < 3 * x + 3; xx++) sum += data[(yy * w + xx) * 3 + c];
          expect(p.data[(y * 3 + x) * 3 + c]).toBe(Math.round((sum / 9) * 255));
        }
      }
    }
  });

  it('keeps small images at their size', () => {
    const p = previewSamples({ width: 2, height: 1, channels: 3, data: new Float32Array(6).fill(1) }, 256);
    expect([p.width, p.height, Array.from(p.data)]).toEqual([2, 1, [255, 255, 255, 255, 255, 255]]);
  });
});
