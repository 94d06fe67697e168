// The region of interest against the whole canvas, on a canvas that does not halve evenly
// (117×83 → 59×42 → 30×21): the original computes every mask on the full image, and Torch's
// area resize of an odd size drifts, so masks walked on a crop would differ from the full
// image's. The crop must cut its masks out of the full image's, and hold the receptive field of
// every cell a loss reads, so that its losses and gradients are the whole canvas's.
import { afterAll, describe, expect, it } from 'vitest';
import { dphMasks, binarize } from '../../../../companion/pipeline/harmonize/masks.js';
import { cutLayerGrid, receptiveFields, regionOfInterest } from '../../../../companion/pipeline/harmonize/region.js';
import { layerMasks } from '../../../../companion/pipeline/common/layer-masks.js';
import { harmonize } from '../../../../companion/pipeline/harmonize/harmonize.js';
import type { PreparedPass } from '../../../../companion/pipeline/harmonize/context.js';
import { openStep } from '../../../../companion/compute/graphs/step.js';
import { networkFromWeights } from '../../../../companion/compute/network.js';
import { getBackbone } from '../../../../companion/compute/backbones/index.js';
import { inferShapes, layerStrides } from '../../../../companion/compute/backbones/types.js';
import { cropPlanar, type Planar } from '../../../../companion/image/planar.js';
import type { Image } from '../../../../companion/image/image.js';
import { randomWeights, tinyVgg } from '../../../support/tiny-nets.js';
import { scaleSimple, vggMaskChain, type Plane } from '../../../support/torch-masks.js';
import { syntheticScene } from '../../../support/synthetic-scene.js';

const W = 117;
const H = 83;
const plane = (width: number, height: number, fn: (x: number, y: number) => number): Planar => {
  const data = new Float32Array(width * height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data[y * width + x] = fn(x, y);
  return { data, channels: 1, width, height };
};
const clamp01 = (v: number) => Math.min(1, Math.max(0, v));
// A soft dilated mask (a 3-px ramp) around a tight disc, away from every border.
const dist = (x: number, y: number) => Math.hypot(x - 61.3, y - 44.7);
const dilated = plane(W, H, (x, y) => clamp01((16 - dist(x, y)) / 3));
const tight = plane(W, H, (x, y) => clamp01(8.5 - dist(x, y)));
const taps = ['relu1_1', 'relu2_1', 'relu3_1'];

function sub(p: Plane, x0: number, y0: number, w: number, h: number): Float32Array {
  const out = new Float32Array(w * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) out[y * w + x] = p.data[(y0 + y) * p.width + x0 + x];
  return out;
}
function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

describe('DPH masks on the full image', () => {
  const masks = dphMasks(tinyVgg, dilated, tight);
  const original = vggMaskChain(tinyVgg, dilated);

  it('are the original walk (Torch float arithmetic) on every layer, and T the original\'s nearest resize', () => {
    for (const layer of tinyVgg.layers.map((l) => l.name)) {
      const ours = masks.layers.get(layer)!;
      const ref = original.get(layer)!;
      expect([ours.width, ours.height]).toEqual([ref.width, ref.height]);
      expect(maxDiff(ours.data, ref.data)).toBeLessThan(2e-7);
    }
    const [, h, w] = inferShapes(tinyVgg, W, H).get('relu3_1')!;
    expect(Array.from(masks.tightRef.data)).toEqual(Array.from(scaleSimple(binarize(tight, 0.1), w, h).data));
  });

  it('give a crop exactly the cut of the full grids, where masks walked on the crop differ', () => {
    const r = regionOfInterest(tinyVgg, masks);
    // Not the whole canvas, and a corner that is not at the origin.
    expect(r.x0).toBeGreaterThan(0);
    expect(r.y0).toBeGreaterThan(0);
    expect(r.x0 + r.width).toBeLessThan(W);
    const strides = layerStrides(tinyVgg);
    const crop = inferShapes(tinyVgg, r.width, r.height);
    const walkedOnCrop = layerMasks(tinyVgg, cropPlanar(dilated, r));
    let worstWalked = 0;
    for (const layer of taps) {
      const s = strides.get(layer)!;
      const [, h, w] = crop.get(layer)!;
      const cut = cutLayerGrid(tinyVgg, layer, masks.layers.get(layer)!, r);
      expect([cut.width, cut.height]).toEqual([w, h]);
      expect(Array.from(cut.data)).toEqual(Array.from(sub(masks.layers.get(layer)!, r.x0 / s, r.y0 / s, w, h)));
      expect(maxDiff(cut.data, sub(original.get(layer)!, r.x0 / s, r.y0 / s, w, h))).toBeLessThan(2e-7);
      // Every non-zero cell of the full grid lies inside the crop.
      const total = (a: Float32Array) => a.reduce((x, v) => x + v, 0);
      expect(total(cut.data)).toBeCloseTo(total(masks.layers.get(layer)!.data), 3);
      worstWalked = Math.max(worstWalked, maxDiff(walkedOnCrop.get(layer)!.data, cut.data));
    }
    expect(worstWalked).toBeGreaterThan(1e-3);
    const tRef = cutLayerGrid(tinyVgg, 'relu3_1', masks.tightRef, r);
    const [, hr, wr] = crop.get('relu3_1')!;
    expect(Array.from(tRef.data)).toEqual(Array.from(sub(masks.tightRef, r.x0 / 4, r.y0 / 4, wr, hr)));
  });

  it('refuses a region whose corner is not on every layer\'s grid', () => {
    expect(() => cutLayerGrid(tinyVgg, 'relu3_1', masks.layers.get('relu3_1')!, { x0: 6, y0: 4, width: 40, height: 40 })).toThrow(/sub-grid/);
  });
});

describe('receptive fields', () => {
  it('are VGG-19\'s: relu3_1 sees [4p − 10, 4p + 13], relu5_1 [16p − 70, 16p + 85] (78 px from its centre)', () => {
    const rf = receptiveFields(getBackbone('vgg19'));
    expect(rf.get('relu3_1')).toEqual({ stride: 4, before: 10, after: 13 });
    expect(rf.get('relu4_1')).toEqual({ stride: 8, before: 30, after: 37 });
    expect(rf.get('relu5_1')).toEqual({ stride: 16, before: 70, after: 85 });
  });

  it('size the region per backbone: relu5_1 taps need more context than relu3_1 taps; SqueezeNet keeps its measured 32 px', () => {
    const big = 700, bh = 525;
    const d = plane(big, bh, (x, y) => (Math.hypot(x - 350, y - 260) < 60 ? 1 : 0));
    const t = plane(big, bh, (x, y) => (Math.hypot(x - 350, y - 260) < 48 ? 1 : 0));
    const margin = (name: string) => {
      const spec = getBackbone(name);
      const r = regionOfInterest(spec, dphMasks(spec, d, t));
      return 290 - r.x0; // the mask starts at x = 291
    };
    // relu3_1's receptive field reaches 10 px before its cell; the mask above the floor spreads ~12 px.
    const shallow = margin('vgg19-shallow');
    expect(shallow).toBeGreaterThanOrEqual(20);
    expect(shallow).toBeLessThan(40);
    expect(margin('vgg19')).toBeGreaterThan(120);
    // SqueezeNet's fire9 sees ~200 px; its measured context is 32 px beyond the masks' spread.
    const squeeze = margin('squeezenet');
    expect(squeeze).toBeGreaterThan(32);
    expect(squeeze).toBeLessThan(100);
  });
});

describe('the region of interest against the whole canvas (117×83)', () => {
  const net = networkFromWeights(tinyVgg, randomWeights(tinyVgg, 4));
  const scene = syntheticScene(W, H, { x: 56, y: 40, w: 11, h: 9 });
  const asImage = (p: Planar): Image => ({ width: p.width, height: p.height, channels: 1, data: p.data });
  const inputs = { ...scene, mask: asImage(tight), dilatedMask: asImage(dilated) };
  const opened: { release(): Promise<void> }[] = [];
  afterAll(async () => Promise.all(opened.map((s) => s.release())));

  async function prepared(region: 'roi' | 'full'): Promise<Map<number, { p: PreparedPass; grad: Float32Array }>> {
    const out = new Map<number, { p: PreparedPass; grad: Float32Array }>();
    await harmonize(inputs, { backbone: 'vgg19', size: 700, tau: 5, pass1Iters: 0, pass2Iters: 0, postProcess: false, device: 'cpu' }, {}, {
      network: net, region,
      onPrepared: async (pass, p) => {
        const s = await openStep(net, p.step);
        opened.push(s);
        out.set(pass, { p, grad: (await s.evaluate(p.x.data)).grad.slice() });
      },
    });
    return out;
  }

  it('gives each pass the cut of the whole canvas\'s masks and, at the first step, its gradient', async () => {
    const roi = await prepared('roi');
    const full = await prepared('full');
    const r = regionOfInterest(tinyVgg, dphMasks(tinyVgg, dilated, tight));
    expect(r.width).toBeLessThan(W);
    const strides = layerStrides(tinyVgg);
    for (const pass of [1, 2]) {
      const a = roi.get(pass)!;
      const b = full.get(pass)!;
      expect([a.p.step.width, a.p.step.height]).toEqual([r.width, r.height]);
      for (const t of a.p.step.taps) {
        const whole = b.p.step.taps.find((u) => u.layer === t.layer)!;
        const s = strides.get(t.layer)!;
        const [, fh, fw] = inferShapes(tinyVgg, W, H).get(t.layer)!;
        const [, h, w] = inferShapes(tinyVgg, r.width, r.height).get(t.layer)!;
        expect(Array.from(t.mask)).toEqual(Array.from(sub({ width: fw, height: fh, data: whole.mask }, r.x0 / s, r.y0 / s, w, h)));
      }
      // The gradient on the crop is the whole canvas's gradient there (up to float rounding).
      const cut = cropPlanar({ data: b.grad, channels: 3, width: W, height: H }, r).data;
      let scale = 0;
      for (const v of cut) scale = Math.max(scale, Math.abs(v));
      expect(scale).toBeGreaterThan(0);
      expect(maxDiff(a.grad, cut) / scale).toBeLessThan(1e-4);
      // …and zero outside the crop.
      let outside = 0;
      for (let c = 0; c < 3; c++) for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) {
        const inCrop = x >= r.x0 && x < r.x0 + r.width && y >= r.y0 && y < r.y0 + r.height;
        if (!inCrop) outside = Math.max(outside, Math.abs(b.grad[(c * H + y) * W + x]));
      }
      expect(outside).toBe(0);
    }
  });
});
