// The region of interest against the whole canvas with the kit's real weights: each pass's
// first-step gradient on the crop, against the whole canvas's there. vgg19-shallow keeps whole
// receptive fields (equal to float rounding); SqueezeNet keeps a measured 32 px of context
// (docs/algorithm-notes.md), within 2e-4.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { harmonize } from '../../companion/pipeline/harmonize/harmonize.js';
import { loadNetwork } from '../../companion/compute/network.js';
import { openStep } from '../../companion/compute/graphs/step.js';
import { readImage, readMask } from '../../companion/image/io.js';
import { KIT, kitWeights } from '../../eval/shared-kit.js';
import type { BackboneName } from '../../shared/catalogue.js';

const data = join(KIT, 'dph-examples', 'data');

interface Passed {
  grad: Float32Array;
  /** The start point: the crop of the whole canvas's, which locates the crop. */
  x: Float32Array;
  width: number;
  height: number;
}

async function firstGradients(backbone: BackboneName, k: number, region: 'roi' | 'full') {
  const net = await loadNetwork(backbone, { weightsFile: kitWeights(backbone), device: 'cpu' });
  const inputs = {
    painting: await readImage(join(data, `${k}_target.jpg`)), composite: await readImage(join(data, `${k}_naive.jpg`)),
    mask: await readMask(join(data, `${k}_c_mask.jpg`)), dilatedMask: await readMask(join(data, `${k}_c_mask_dilated.jpg`)),
  };
  const out = new Map<number, Passed>();
  await harmonize(inputs, { backbone, size: 300, tau: 5, pass1Iters: 0, pass2Iters: 0, postProcess: false, device: 'cpu' }, {}, {
    network: net, region,
    onPrepared: async (pass, p) => {
      const s = await openStep(net, p.step);
      out.set(pass, { grad: (await s.evaluate(p.x.data)).grad.slice(), x: p.x.data.slice(), width: p.step.width, height: p.step.height });
      await s.release();
    },
  });
  return out;
}

/** ‖crop − whole‖/‖whole‖ over the crop, found where the crop's start point sits in the whole's. */
function relativeError(crop: Passed, whole: Passed): number {
  const at = (p: Passed, c: number, x: number, y: number, v: Float32Array) => v[(c * p.height + y) * p.width + x];
  for (let y0 = 0; y0 + crop.height <= whole.height; y0++) {
    for (let x0 = 0; x0 + crop.width <= whole.width; x0++) {
      let same = true;
      for (let c = 0; c < 3 && same; c++) for (let y = 0; y < crop.height && same; y += 7) for (let x = 0; x < crop.width && same; x += 5) {
        same = at(crop, c, x, y, crop.x) === at(whole, c, x0 + x, y0 + y, whole.x);
      }
      if (!same) continue;
      let num = 0, den = 0;
      for (let c = 0; c < 3; c++) for (let y = 0; y < crop.height; y++) for (let x = 0; x < crop.width; x++) {
        const a = at(crop, c, x, y, crop.grad);
        const b = at(whole, c, x0 + x, y0 + y, whole.grad);
        num += (a - b) ** 2;
        den += b * b;
      }
      return Math.sqrt(num / den);
    }
  }
  throw new Error('the crop is not part of the whole canvas');
}

describe('the region of interest against the whole canvas, real weights (example 16, 300 px)', () => {
  for (const [backbone, bound] of [['vgg19-shallow', 1e-5], ['squeezenet', 2e-4]] as const) {
    it(`${backbone}: each pass's first-step gradient on the crop is the whole canvas's within ${bound}`, async () => {
      const roi = await firstGradients(backbone, 16, 'roi');
      const full = await firstGradients(backbone, 16, 'full');
      for (const pass of [1, 2]) {
        expect(roi.get(pass)!.width).toBeLessThan(full.get(pass)!.width);
        expect(relativeError(roi.get(pass)!, full.get(pass)!)).toBeLessThan(bound);
      }
    }, 300_000);
  }
});
