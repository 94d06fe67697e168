// A document given in parts (the panel's way) against the same document given whole: the working
// images and the job's result, on documents large enough for native levels.
import { beforeAll, describe, expect, it } from 'vitest';
import { harmonize } from '../../../../companion/pipeline/harmonize/harmonize.js';
import { partsWorkingImages } from '../../../../companion/pipeline/harmonize/parts.js';
import { workingImages } from '../../../../companion/pipeline/harmonize/setup.js';
import { planLevels } from '../../../../companion/pipeline/harmonize/detail/plan.js';
import { networkFromWeights } from '../../../../companion/compute/network.js';
import { resize } from '../../../../companion/image/resize.js';
import type { Image } from '../../../../companion/image/image.js';
import type { HarmonizeResult } from '../../../../companion/pipeline/types.js';
import { objectRegion } from '../../../../shared/native-window.js';
import { meanDeltaE76 } from '../../../../eval/metrics.js';
import { randomWeights, tinyVgg } from '../../../support/tiny-nets.js';
import { boxResize, cut, octavePainting, partsOf, pastedScene, type PastedScene } from '../../../support/document-parts.js';
import { expectSameBits } from '../../../support/same-bits.js';

const net = networkFromWeights(tinyVgg, randomWeights(tinyVgg, 4));
const job = { backbone: 'vgg19' as const, tau: 5, pass1Iters: 4, pass2Iters: 4, postProcess: true, device: 'cpu' };

// 480×360 at a working size of 120 (×4): native levels 240×180 and 480×360. The layer is opaque
// with edges on multiples of 4 (the working grid), transparent for 8 px around; the painting is
// the document itself (no larger than 700 px, the panel sends it as it is).
const small = { width: 480, height: 360 };
const box = { x0: 200, y0: 160, width: 80, height: 60 };
const layer = { x0: 192, y0: 152, width: 96, height: 76 };
const hard = pastedScene(small, box, layer, 0, octavePainting(480, 360));
// The same layer with its alpha ramping down over its last 6 px.
const soft = pastedScene(small, box, layer, 6, octavePainting(480, 360));
// 1050×840 at 700 (×1.5): the panel's painting is the working-size canvas, resampled from the
// document; one native level, the document. Edges on multiples of 3.
const large = { width: 1050, height: 840 };
const big = pastedScene(large, { x0: 450, y0: 360, width: 150, height: 120 }, { x0: 441, y0: 351, width: 168, height: 138 }, 0, octavePainting(1050, 840));

/** Mean |a − b| over the values of two same-sized images, and the largest. */
function differences(a: Image, b: Image): { mean: number; max: number } {
  let sum = 0, max = 0;
  for (let i = 0; i < a.data.length; i++) {
    const d = Math.abs(a.data[i] - b.data[i]);
    sum += d;
    max = Math.max(max, d);
  }
  return { mean: sum / a.data.length, max };
}

/** The whole-document job's result cut to the parts job's region, and the tight mask there. */
function against(whole: HarmonizeResult, parts: HarmonizeResult, scene: PastedScene): { expected: Image; mask: Image } {
  expect(parts.region).toBeDefined();
  return { expected: cut(whole.image, parts.region!), mask: cut(scene.document.mask, parts.region!) };
}

describe('partsWorkingImages: the whole document\'s working images from its parts', () => {
  it('are bit for bit the whole document\'s (painting, naive composite, tight and loose masks) for an opaque layer with edges on the working grid', () => {
    for (const [scene, size] of [[hard, 120], [big, 700]] as const) {
      const want = workingImages(scene.document, size);
      const got = partsWorkingImages(partsOf(scene, size), size);
      for (const k of ['painting', 'naive', 'tight', 'dilated'] as const) expectSameBits(got[k], want[k]);
    }
  });

  it('make both masks exactly whatever the mask: soft, off the working grid, cut off by the document\'s edge, grown at 700 px', () => {
    const offGrid = pastedScene({ width: 1213, height: 487 }, { x0: 0, y0: 101, width: 97, height: 83 }, { x0: 0, y0: 93, width: 109, height: 99 }, 5);
    for (const size of [150, 700]) {
      const want = workingImages(offGrid.document, size);
      const got = partsWorkingImages(partsOf(offGrid, size), size);
      expectSameBits(got.tight, want.tight);
      expectSameBits(got.dilated, want.dilated);
    }
  });

  it('with a soft edge, differ in the naive composite only at working pixels across the edge, and there by < 0.01', () => {
    const want = workingImages(soft.document, 120);
    const got = partsWorkingImages(partsOf(soft, 120), 120);
    // The layer's coverage of each working pixel (its alpha is the tight mask): 0 or 1 where it is the same across the pixel.
    const cover = resize(soft.document.mask, 120, 90).data;
    let across = 0;
    let elsewhere = 0;
    let worst = 0;
    for (let i = 0; i < cover.length; i++) {
      const d = Math.max(...[0, 1, 2].map((c) => Math.abs(got.naive.data[i * 3 + c] - want.naive.data[i * 3 + c])));
      if (cover[i] === 0 || cover[i] === 1) elsewhere = Math.max(elsewhere, d);
      else {
        across++;
        worst = Math.max(worst, d);
      }
    }
    console.log(`soft edge: naive composite off by at most ${worst.toFixed(4)} on the ${across} working pixels across the edge`);
    expect(across).toBeGreaterThan(100);
    expect(elsewhere).toBe(0);
    expect(worst).toBeGreaterThan(0);
    expect(worst).toBeLessThan(0.01);
    for (const k of ['painting', 'tight', 'dilated'] as const) expectSameBits(got[k], want[k]);
  });
});

describe('harmonize in parts against the whole document', () => {
  it('native detail (two levels): the object\'s rectangle of the whole job\'s result, bit for bit, and the same working-size stages', async () => {
    const size = 120;
    const whole = await harmonize(hard.document, { ...job, size, detail: 'native' }, {}, { network: net });
    const parts = await harmonize(partsOf(hard, size), { ...job, size, detail: 'native' }, {}, { network: net });
    expect(planLevels(small, size).levels).toEqual([{ width: 240, height: 180 }, { width: 480, height: 360 }]);
    // The rectangle the panel computes for the mask's bounds.
    expect(parts.region).toEqual(objectRegion(small, box, size));
    expectSameBits(parts.image, against(whole, parts, hard).expected);
    for (const s of ['pass1', 'pass2', 'final'] as const) expectSameBits(parts.stages[s]!, whole.stages[s]!);
    expect(whole.region).toBeUndefined();
  });

  it('--detail paper: the object\'s rectangle of the enlarged result, bit for bit', async () => {
    const size = 120;
    const whole = await harmonize(hard.document, { ...job, size, detail: 'paper' }, {}, { network: net });
    const parts = await harmonize(partsOf(hard, size), { ...job, size, detail: 'paper' }, {}, { network: net });
    expectSameBits(parts.image, against(whole, parts, hard).expected);
  });

  it('a document no larger than the working size: the rectangle of the working-size result', async () => {
    const tiny = pastedScene({ width: 64, height: 48 }, { x0: 24, y0: 16, width: 16, height: 12 }, { x0: 20, y0: 12, width: 24, height: 20 });
    const whole = await harmonize(tiny.document, { ...job, size: 64, detail: 'native' }, {}, { network: net });
    const parts = await harmonize(partsOf(tiny, 64), { ...job, size: 64, detail: 'native' }, {}, { network: net });
    expect(parts.region).toEqual(objectRegion({ width: 64, height: 48 }, { x0: 24, y0: 16, width: 16, height: 12 }, 64));
    expectSameBits(parts.image, against(whole, parts, tiny).expected);
  });

  it('a layer with a soft edge: the composite\'s formula across it moves the result by a mean ΔE76 < 0.5 inside the mask', async () => {
    // Pass 2 starts from the naive composite, so its few changed values (< 0.01, previous test)
    // reach the result; the levels' PatchMatch can then pick other patches nearby.
    const size = 120;
    const whole = await harmonize(soft.document, { ...job, size, detail: 'native' }, {}, { network: net });
    const parts = await harmonize(partsOf(soft, size), { ...job, size, detail: 'native' }, {}, { network: net });
    const { expected, mask } = against(whole, parts, soft);
    const dE = meanDeltaE76(parts.image, expected, mask);
    const { max } = differences(parts.image, expected);
    console.log(`soft edge: parts vs whole document, mean ΔE76 ${dE.toFixed(3)} inside the mask, largest difference ${max.toFixed(4)}`);
    expect(dE).toBeLessThan(0.5);
    expect(max).toBeLessThan(0.05);
    expect(differences(parts.stages.final!, whole.stages.final!).max).toBeLessThan(0.02);
  });

  describe('on a 1050×840 document at 700 px, the painting sent resampled', () => {
    let whole: HarmonizeResult;
    beforeAll(async () => {
      whole = await harmonize(big.document, { ...job, size: 700, detail: 'native' }, {}, { network: net });
    });

    it('by the companion\'s own resize: bit for bit', async () => {
      const parts = await harmonize(partsOf(big, 700), { ...job, size: 700, detail: 'native' }, {}, { network: net });
      expectSameBits(parts.image, against(whole, parts, big).expected);
    });

    it('by a box filter standing in for Photoshop\'s: a mean ΔE76 < 0.6 inside the mask', async () => {
      const parts = await harmonize(partsOf(big, 700, { resample: boxResize }), { ...job, size: 700, detail: 'native' }, {}, { network: net });
      const { expected, mask } = against(whole, parts, big);
      const dE = meanDeltaE76(parts.image, expected, mask);
      // How far apart the two paintings themselves are, for scale.
      const ones: Image = { width: 700, height: 560, channels: 1, data: new Float32Array(700 * 560).fill(1) };
      const paintings = meanDeltaE76(boxResize(big.document.painting, 700, 560), resize(big.document.painting, 700, 560), ones);
      console.log(`box-filtered painting: parts vs whole document, mean ΔE76 ${dE.toFixed(3)} inside the mask (the two 700-px paintings differ by a mean ΔE76 of ${paintings.toFixed(3)})`);
      expect(dE).toBeGreaterThan(0);
      expect(dE).toBeLessThan(0.6);
    });
  });
});
