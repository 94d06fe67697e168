import { describe, it, expect } from 'vitest';
import { networkFromWeights } from '../../../../companion/compute/network.js';
import { getBackbone } from '../../../../companion/compute/backbones/index.js';
import { inferShapes } from '../../../../companion/compute/backbones/types.js';
import { createImage, type Image } from '../../../../companion/image/image.js';
import { computeFeatures } from '../../../../companion/compute/graphs/features.js';
import { toNetworkSpace } from '../../../../companion/pipeline/common/network-space.js';
import { decodeLabels, LABEL_COLOURS } from '../../../../companion/pipeline/photo-style/labels.js';
import { prepareInputs } from '../../../../companion/pipeline/photo-style/prepare.js';
import { maskedGram } from '../../../support/reference-losses.js';
import { layerMasks } from '../../../../companion/pipeline/common/layer-masks.js';
import { buildPhotoTaps, photoLayerMasks } from '../../../../companion/pipeline/photo-style/targets.js';
import { torchScale } from '../../../../companion/image/torch-scale.js';
import type { GramHead } from '../../../../companion/compute/losses/types.js';
import { mulberry32 } from '../../../support/gradcheck.js';
import { randomWeights, tinyVgg } from '../../../support/tiny-nets.js';

const colour = (name: string): number[] => LABEL_COLOURS.find((c) => c.name === name)!.rgb.map((v) => v / 255);
const index = (name: string): number => LABEL_COLOURS.findIndex((c) => c.name === name);

/** A label image painted by `pick(x, y)` → colour name. */
function labels(w: number, h: number, pick: (x: number, y: number) => string): Image {
  const img = createImage(w, h, 3);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) img.data.set(colour(pick(x, y)), 3 * (y * w + x));
  return img;
}

function photo(w: number, h: number, seed: number): Image {
  const r = mulberry32(seed);
  const img = createImage(w, h, 3);
  for (let i = 0; i < img.data.length; i++) img.data[i] = 0.2 + 0.6 * r();
  return img;
}

/**
 * The original's mask walk over VGG-19 (§2.2), written out from its layer list: at every conv a
 * zero-padded 3×3 mean, rows of three summed first and rounded to float32, always ÷9; at every
 * pool Torch's bilinear scale to ceil(w/2)×ceil(h/2).
 */
function originalWalk(mask: Float32Array, w: number, h: number, upTo: string): Float32Array {
  const blocks = [2, 2, 4, 4, 4];
  let m = mask;
  for (let b = 0; b < blocks.length; b++) {
    for (let i = 1; i <= blocks[b]; i++) {
      // nn.SpatialAveragePooling(3,3,1,1,1,1) on a float tensor: the clipped window summed row by
      // row into a float accumulator, then sum/9 as a float.
      const out = new Float32Array(w * h);
      for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
        let acc = 0;
        for (let yy = Math.max(0, y - 1); yy < Math.min(h, y + 2); yy++) for (let xx = Math.max(0, x - 1); xx < Math.min(w, x + 2); xx++) acc = Math.fround(acc + m[yy * w + xx]);
        out[y * w + x] = acc / 9;
      }
      m = out;
      if (`relu${b + 1}_${i}` === upTo) return m;
    }
    const nw = Math.ceil(w / 2), nh = Math.ceil(h / 2);
    m = torchScale(m, w, h, 1, nw, nh);
    w = nw;
    h = nh;
  }
  throw new Error(`no layer ${upTo}`);
}

describe('photoLayerMasks', () => {
  const W = 45;
  const H = 37;
  const lab = decodeLabels(labels(W, H, (x, y) => (y < 15 ? 'blue' : x < 20 ? 'green' : 'white')), W, H);
  const used = [index('blue'), index('green'), index('white')];

  it('on VGG-19 gives exactly (bit for bit) the masks of the original walk', () => {
    const spec = getBackbone('vgg19');
    const ours = photoLayerMasks(spec, lab, used, spec.photo.style);
    for (const layer of spec.photo.style) {
      for (const k of used) expect(ours.get(layer)!.get(k)!.data).toEqual(originalWalk(lab.masks[k], W, H, layer));
    }
  });

  it('on SqueezeNet gives masks on each layer\'s grid that add up to what an all-ones mask becomes', () => {
    const spec = getBackbone('squeezenet');
    const masks = photoLayerMasks(spec, lab, used, spec.photo.style);
    const ones = layerMasks(spec, { data: new Float32Array(W * H).fill(1), channels: 1, width: W, height: H });
    const shapes = inferShapes(spec, W, H);
    for (const layer of spec.photo.style) {
      const [, h, w] = shapes.get(layer)!;
      const sum = new Float32Array(h * w);
      for (const k of used) {
        const m = masks.get(layer)!.get(k)!.data;
        expect(m).toHaveLength(h * w);
        expect(Math.max(...m)).toBeGreaterThan(0);
        m.forEach((v, i) => (sum[i] += v));
      }
      sum.forEach((v, i) => expect(v).toBeCloseTo(ones.get(layer)!.data[i], 5));
    }
  });
});

describe('buildPhotoTaps', () => {
  const net = networkFromWeights(tinyVgg, randomWeights(tinyVgg, 4));
  const W = 24;
  const H = 20;
  const SW = 22;
  const SH = 18;
  // Content: blue top, green bottom, a red square (content only). Style: blue top, green bottom, yellow corner (style only).
  const inputs = {
    content: photo(W, H, 1), style: photo(SW, SH, 2),
    contentLabels: labels(W, H, (x, y) => (x >= 18 && y >= 14 ? 'red' : y < 9 ? 'blue' : 'green')),
    styleLabels: labels(SW, SH, (x, y) => (x < 4 && y < 4 ? 'yellow' : y < 8 ? 'blue' : 'green')),
  };

  it('puts the content head on the content layer and one Gram head per shared label on each style layer, with the original weights and targets', async () => {
    const p = prepareInputs(inputs, 700);
    expect(p.pairing.used).toEqual([index('blue'), index('green')]);
    const pre = tinyVgg.preprocess;
    const styleX = toNetworkSpace(p.style, pre);
    const { taps, gramHeads } = await buildPhotoTaps(net, {
      contentX: toNetworkSpace(p.content, pre), styleX,
      contentLabels: p.contentLabels, styleLabels: p.styleLabels, used: p.pairing.used,
    });
    expect(taps.map((t) => t.layer).sort()).toEqual([...new Set([...tinyVgg.photo.style, tinyVgg.photo.content])].sort());
    expect(gramHeads).toBe(2 * tinyVgg.photo.style.length);

    const contentTap = taps.find((t) => t.layer === tinyVgg.photo.content)!;
    const contentHead = contentTap.heads.find((h) => h.kind === 'content')!;
    expect(contentHead.weight).toBe(5);
    const cf = await computeFeatures(net, toNetworkSpace(p.content, pre), [tinyVgg.photo.content]);
    expect(contentHead.kind === 'content' && contentHead.target).toEqual(cf.get(tinyVgg.photo.content)!.data);

    const sf = await computeFeatures(net, styleX, tinyVgg.photo.style);
    const cMasks = photoLayerMasks(tinyVgg, p.contentLabels, p.pairing.used, tinyVgg.photo.style);
    const sMasks = photoLayerMasks(tinyVgg, p.styleLabels, p.pairing.used, tinyVgg.photo.style);
    for (const layer of tinyVgg.photo.style) {
      const tap = taps.find((t) => t.layer === layer)!;
      expect(Array.from(tap.mask).every((v) => v === 1)).toBe(true);
      const grams = tap.heads.filter((h): h is GramHead => h.kind === 'gram');
      expect(grams).toHaveLength(2);
      p.pairing.used.forEach((k, j) => {
        const m = cMasks.get(layer)!.get(k)!.data;
        expect(grams[j].mask).toEqual(m);
        expect(grams[j].weight).toBeCloseTo((100 * m.reduce((a, v) => a + v, 0)) / m.length, 4);
        const f = sf.get(layer)!;
        const ref = maskedGram({ channels: f.channels, height: f.height, width: f.width, data: f.data }, sMasks.get(layer)!.get(k)!.data);
        const scale = Math.max(...Array.from(ref, Math.abs));
        grams[j].target.forEach((v, i) => expect(Math.abs(v - ref[i])).toBeLessThan(1e-5 * scale));
      });
    }
  });
});
