import { describe, expect, it } from 'vitest';
import { layerMasks, maskAfterConv, maskAfterPool } from '../../../../companion/pipeline/common/layer-masks.js';
import { getBackbone } from '../../../../companion/compute/backbones/index.js';
import { convOutSize } from '../../../../companion/compute/backbones/types.js';
import type { Planar } from '../../../../companion/image/planar.js';
import { mulberry32 } from '../../../support/gradcheck.js';
import { tinyGoogle } from '../../../support/tiny-nets.js';

const mask = (width: number, height: number, data: ArrayLike<number>): Planar => ({ data: Float32Array.from(data), channels: 1, width, height });

/** The slow obvious k×k mean: every window position, ÷k² however much of it is padding. */
function windowMean(m: Planar, k: number, stride: number, pad: number): Float64Array {
  const ow = convOutSize(m.width, k, stride, pad);
  const oh = convOutSize(m.height, k, stride, pad);
  const out = new Float64Array(ow * oh);
  for (let oy = 0; oy < oh; oy++) for (let ox = 0; ox < ow; ox++) {
    let s = 0;
    for (let dy = 0; dy < k; dy++) for (let dx = 0; dx < k; dx++) {
      const y = oy * stride - pad + dy, x = ox * stride - pad + dx;
      if (y >= 0 && y < m.height && x >= 0 && x < m.width) s += m.data[y * m.width + x];
    }
    out[oy * ow + ox] = s / (k * k);
  }
  return out;
}

describe('maskAfterConv', () => {
  it('divides by 9 at the borders of a 4×4 all-ones mask (padding counts)', () => {
    const out = maskAfterConv(mask(4, 4, new Float32Array(16).fill(1)));
    const c = 4 / 9;
    const e = 6 / 9;
    const expected = [c, e, e, c, e, 1, 1, e, e, 1, 1, e, c, e, e, c];
    expected.forEach((v, i) => expect(out.data[i]).toBeCloseTo(v, 6));
    expect([out.width, out.height]).toEqual([4, 4]);
  });

  it('spreads a single corner pixel of a 5×5 mask as 1/9 over its 2×2 neighbourhood', () => {
    const m = new Float32Array(25);
    m[0] = 1;
    const out = maskAfterConv(mask(5, 5, m));
    for (let y = 0; y < 5; y++) {
      for (let x = 0; x < 5; x++) expect(out.data[y * 5 + x]).toBeCloseTo(x < 2 && y < 2 ? 1 / 9 : 0, 7);
    }
  });

  it('handles strided windows with the floor output size', () => {
    expect(convOutSize(5, 3, 2, 0)).toBe(2);
    const out = maskAfterConv(mask(5, 5, Array.from({ length: 25 }, (_, i) => i)), 3, 2, 0);
    // Window at (0,0) covers rows 0–2, cols 0–2: mean of 0,1,2,5,6,7,10,11,12 = 6.
    expect(Array.from(out.data)).toEqual([6, 8, 16, 18]);
  });

  it('is Torch\'s float arithmetic: the window summed row by row in float32, then ÷9 in float32', () => {
    const r = mulberry32(4);
    const m = mask(9, 7, Array.from({ length: 63 }, () => r()));
    const slow = windowMean(m, 3, 1, 1);
    const out = maskAfterConv(m, 3, 1, 1);
    expect([out.width, out.height]).toEqual([9, 7]);
    out.data.forEach((v, i) => expect(Math.abs(v - slow[i])).toBeLessThan(1e-7));
    // SpatialAveragePooling's loop over the clipped window, a float accumulator, sum/9 as a float.
    const f = Math.fround;
    for (let y = 0; y < 7; y++) for (let x = 0; x < 9; x++) {
      let acc = 0;
      for (let yy = Math.max(0, y - 1); yy < Math.min(7, y + 2); yy++) for (let xx = Math.max(0, x - 1); xx < Math.min(9, x + 2); xx++) acc = f(acc + m.data[yy * 9 + xx]);
      expect(out.data[y * 9 + x]).toBe(f(acc / 9));
    }
  });
});

describe('maskAfterPool', () => {
  it('averages exact 2×2 blocks when halving an even size', () => {
    const m = mask(4, 4, [1, 0, 0, 0, 0, 0, 1, 1, 1, 1, 0, 1, 1, 1, 1, 0]);
    expect(Array.from(maskAfterPool(m, 2, 2).data)).toEqual([0.25, 0.5, 1, 0.5]);
  });

  it('weights rows 1, ⅔ | ⅓, 1, ⅓ | ⅔, 1 (over 5/3) when an odd 5 halves to ceil 3', () => {
    // Separable: a 1 at (1,1) contributes 0.4 (row/col weight ⅔ ÷ 5/3) to output 0 and 0.2 to output 1.
    const m = new Float32Array(25);
    m[1 * 5 + 1] = 1;
    const out = maskAfterPool(mask(5, 5, m), 3, 3).data;
    const w1 = [0.4, 0.2, 0];
    for (let y = 0; y < 3; y++) for (let x = 0; x < 3; x++) expect(out[y * 3 + x]).toBeCloseTo(w1[y] * w1[x], 6);
    // The last source row counts fully in the last output row.
    const last = new Float32Array(25);
    last[4 * 5 + 4] = 1;
    expect(maskAfterPool(mask(5, 5, last), 3, 3).data[8]).toBeCloseTo(0.6 * 0.6, 6);
  });

  it('keeps a constant mask constant on non-square odd grids', () => {
    const out = maskAfterPool(mask(9, 7, new Float32Array(7 * 9).fill(0.7)), 5, 4);
    expect([out.width, out.height]).toEqual([5, 4]);
    for (const v of out.data) expect(v).toBeCloseTo(0.7, 6);
  });
});

describe('layerMasks', () => {
  it('gives the VGG-19 style-layer grids with Caffe ceil pooling', () => {
    const ones = mask(700, 437, new Float32Array(700 * 437).fill(1));
    const got = layerMasks(getBackbone('vgg19'), ones, { upTo: ['relu5_1'] });
    expect(['relu1_1', 'relu2_1', 'relu3_1', 'relu4_1', 'relu5_1'].map((l) => `${got.get(l)!.width}×${got.get(l)!.height}`)).toEqual([
      '700×437', '350×219', '175×110', '88×55', '44×28',
    ]);
    expect(got.has('relu5_2')).toBe(false); // stops once the asked layers have masks
  });

  it('applies one 3×3 mean by relu1_1 and conv, conv, pool, conv by relu2_1 (VGG)', () => {
    const w = 8, h = 6;
    const r = mulberry32(9);
    const m0 = mask(w, h, Array.from({ length: w * h }, () => (r() < 0.5 ? 1 : 0)));
    {
      const got = layerMasks(getBackbone('vgg19'), m0, { upTo: ['relu2_1'] });
      const after1 = maskAfterConv(m0, 3, 1, 1);
      expect(Array.from(got.get('relu1_1')!.data)).toEqual(Array.from(after1.data));
      const after2 = windowMean(after1, 3, 1, 1);
      // Halving an even axis averages pixel pairs.
      const pooled = new Float32Array(4 * 3);
      for (let y = 0; y < 3; y++) for (let x = 0; x < 4; x++) {
        const at = (yy: number, xx: number) => after2[yy * w + xx];
        pooled[y * 4 + x] = (at(2 * y, 2 * x) + at(2 * y, 2 * x + 1) + at(2 * y + 1, 2 * x) + at(2 * y + 1, 2 * x + 1)) / 4;
      }
      const expected = windowMean(mask(4, 3, pooled), 3, 1, 1);
      const actual = got.get('relu2_1')!.data;
      expected.forEach((v, i) => expect(actual[i]).toBeCloseTo(v, 6));
    }
  });

  it('averages the branches of a concat weighted by their channel counts, through LRN and stride-1 pools', () => {
    const m0 = mask(16, 16, Array.from({ length: 256 }, (_, i) => (i % 16 < 8 ? 1 : 0)));
    const got = layerMasks(tinyGoogle, m0);
    const concat = tinyGoogle.layers.find((l) => l.op === 'concat')!;
    if (concat.op !== 'concat') throw new Error('no concat');
    const channels = (name: string): number => {
      const l = tinyGoogle.layers.find((x) => x.name === name)!;
      if (l.op === 'conv') return l.out;
      return l.op === 'concat' ? l.from.reduce((a, f) => a + channels(f), 0) : channels(l.from);
    };
    // The stride-1 pool branch acts like a 3×3 conv; the LRN keeps the mask.
    expect(got.get('norm1')).toBe(got.get('conv1'));
    windowMean(got.get('norm1')!, 3, 1, 1).forEach((v, i) => expect(got.get('bp')!.data[i]).toBeCloseTo(v, 6));
    const total = concat.from.reduce((a, f) => a + channels(f), 0);
    const out = got.get(concat.name)!.data;
    for (let i = 0; i < out.length; i++) {
      const want = concat.from.reduce((a, f) => a + channels(f) * got.get(f)!.data[i], 0) / total;
      expect(out[i]).toBeCloseTo(want, 6);
    }
  });
});
