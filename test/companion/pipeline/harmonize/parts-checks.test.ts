import { describe, expect, it } from 'vitest';
import { validateParts } from '../../../../companion/pipeline/harmonize/parts-checks.js';
import { harmonize } from '../../../../companion/pipeline/harmonize/harmonize.js';
import { networkFromWeights } from '../../../../companion/compute/network.js';
import type { Image } from '../../../../companion/image/image.js';
import type { HarmonizeParts, Progress } from '../../../../companion/pipeline/types.js';
import { growRegion, nativeWindow, objectRegion, regionContains } from '../../../../shared/native-window.js';
import { paintingReads } from '../../../../companion/pipeline/harmonize/detail/native.js';
import { planLevels } from '../../../../companion/pipeline/harmonize/detail/plan.js';
import { mulberry32 } from '../../../support/gradcheck.js';
import { randomWeights, tinyVgg } from '../../../support/tiny-nets.js';
import { cut, partsOf, pastedScene } from '../../../support/document-parts.js';

const doc = { width: 480, height: 360 };
const scene = pastedScene(doc, { x0: 200, y0: 160, width: 80, height: 60 }, { x0: 192, y0: 152, width: 96, height: 76 });
const good = partsOf(scene, 120);
const check = (parts: HarmonizeParts, detail: 'native' | 'paper' = 'native') => () => validateParts(parts, 120, detail);
const refusal = (code: string, message: RegExp | string) => expect.objectContaining({ code, message: typeof message === 'string' ? expect.stringContaining(message) : expect.stringMatching(message) });
const image = (width: number, height: number, channels: number, fill = 0): Image => ({ width, height, channels, data: new Float32Array(width * height * channels).fill(fill) });

describe('validateParts', () => {
  it('accepts the parts the panel sends', () => {
    expect(check(good)).not.toThrow();
  });

  it('refuses a document size that is not whole pixels', () => {
    expect(check({ ...good, document: { width: 480.5, height: 360 } })).toThrow(refusal('BAD_MESSAGE', "The document's size must be whole numbers of pixels, at least 1, got 480.5×360."));
  });

  it('refuses a painting not on the paper\'s canvas, saying which size it must be', () => {
    expect(check({ ...good, painting: image(120, 90, 3) })).toThrow(refusal('SIZE_MISMATCH', 'The painting is 120×90, but for a 480×360 document at working size 120 it must be 480×360 (the document resampled to 480 px on its longer side).'));
    const large = pastedScene({ width: 1400, height: 1050 }, { x0: 600, y0: 500, width: 80, height: 60 }, { x0: 590, y0: 490, width: 100, height: 80 });
    expect(() => validateParts({ ...partsOf(large, 350), painting: image(350, 262, 3) }, 350, 'native')).toThrow(refusal('SIZE_MISMATCH', 'it must be 700×525 (the document resampled to 700 px on its longer side)'));
  });

  it('refuses parts with the wrong channels, naming the part and what it must be', () => {
    expect(check({ ...good, painting: image(480, 360, 4) })).toThrow(refusal('BAD_MESSAGE', 'The painting has 4 channel(s); it must be RGB (3).'));
    expect(check({ ...good, pasted: { ...good.pasted, image: image(96, 76, 3) } })).toThrow(refusal('BAD_MESSAGE', 'The pasted layer has 3 channel(s); it must be RGBA (4).'));
    expect(check({ ...good, mask: { ...good.mask, image: { ...image(good.mask.region.width, good.mask.region.height, 3, 1) } } })).toThrow(refusal('BAD_MESSAGE', 'The mask has 3 channel(s); it must be one channel (1).'));
    expect(check({ ...good, window: { ...good.window, image: { ...good.window.image, data: good.window.image.data.subarray(1) } } })).toThrow(refusal('BAD_MESSAGE', /^The painting window is \d+×\d+×3 but holds \d+ values\.$/));
  });

  it('refuses a part whose region reaches outside the document, or whose image is not its region\'s size', () => {
    const region = { x0: 420, y0: 0, width: 96, height: 76 };
    expect(check({ ...good, pasted: { region, image: image(96, 76, 4) } })).toThrow(refusal('BAD_MESSAGE', "The pasted layer's region (columns 420–515, rows 0–75) reaches outside the 480×360 document."));
    expect(check({ ...good, pasted: { region: { ...region, x0: -1.5 }, image: image(96, 76, 4) } })).toThrow(refusal('BAD_MESSAGE', "The pasted layer's region must be whole pixels"));
    expect(check({ ...good, window: { region: good.window.region, image: image(10, 10, 3) } })).toThrow(refusal('SIZE_MISMATCH', /^The painting window is 10×10 but its region is \d+×\d+; they must be the same size\.$/));
  });

  it('refuses an empty mask (no value above 0.5) with EMPTY_MASK and a full one with FULL_MASK', () => {
    expect(check({ ...good, mask: { ...good.mask, image: { ...good.mask.image, data: good.mask.image.data.map((v) => v * 0.5) } } })).toThrow(refusal('EMPTY_MASK', 'The mask is empty'));
    expect(check({ ...good, mask: { region: { x0: 0, y0: 0, ...doc }, image: image(480, 360, 1, 1) } })).toThrow(refusal('FULL_MASK', 'The mask covers the whole document'));
  });

  it('refuses a painting window that does not contain nativeWindow for the mask\'s bounds', () => {
    const need = nativeWindow(doc, { x0: 200, y0: 160, width: 80, height: 60 }, 120);
    const short = { ...need, width: need.width - 1 };
    expect(check({ ...good, window: { region: short, image: cut(scene.document.painting, short) } })).toThrow(refusal('BAD_MESSAGE', `but for the mask's bounds (columns 200–279, rows 160–219) it must contain columns ${need.x0}–${need.x0 + need.width - 1}, rows ${need.y0}–${need.y0 + need.height - 1} (nativeWindow): the panel sent too small a window.`));
  });
});

describe('the painting native detail reads', () => {
  // 613×487 at 150: levels 240, 383 and 613 px. A level pixel is 2.6 document pixels on the
  // first, so its window's crop reaches past nativeWindow's edges, which are not on its grid.
  const odd = { width: 613, height: 487 };
  const oddScene = pastedScene(odd, { x0: 241, y0: 203, width: 119, height: 81 }, { x0: 233, y0: 195, width: 136, height: 96 });
  const exact = partsOf(oddScene, 150);
  // nativeWindow without its slack: the object's rectangle grown by half its longer side only.
  const slack = Math.ceil(Math.max(613 / 150, 487 / 119)) + 1;
  const tight = partsOf(oddScene, 150, { window: (r) => growRegion(r, -slack, odd) });

  it('is what nativeWindow holds, with its slack: the panel\'s window passes for native detail', () => {
    expect(() => validateParts(exact, 150, 'native')).not.toThrow();
  });

  it('is refused up front when the window lacks the slack past the rectangle grown by half, before the job loads anything', async () => {
    expect(() => validateParts(tight, 150, 'paper')).toThrow(refusal('BAD_MESSAGE', /nativeWindow/));
    expect(() => validateParts({ ...tight }, 150, 'native')).toThrow(refusal('BAD_MESSAGE', /too small a window/));
    const events: Progress[] = [];
    const net = networkFromWeights(tinyVgg, randomWeights(tinyVgg, 4));
    await expect(harmonize(tight, { size: 150, detail: 'native', device: 'cpu' }, { onProgress: (p) => events.push(p) }, { network: net })).rejects.toMatchObject({ code: 'BAD_MESSAGE' });
    expect(events).toEqual([]);
  });

  it('lies within nativeWindow on any document, and the slack is needed (the rectangle grown by half is not enough)', () => {
    const rand = mulberry32(3);
    let worst = 0;
    for (let trial = 0; trial < 300; trial++) {
      const d = { width: 200 + Math.floor(rand() * 9000), height: 200 + Math.floor(rand() * 9000) };
      const size = [150, 350, 700, 1000][trial % 4];
      const plan = planLevels(d, size);
      if (plan.levels.length === 0) continue;
      const w = 1 + Math.floor(rand() * d.width * 0.6), h = 1 + Math.floor(rand() * d.height * 0.6);
      const bounds = { x0: Math.floor(rand() * (d.width - w)), y0: Math.floor(rand() * (d.height - h)), width: w, height: h };
      const rect = objectRegion(d, bounds, size);
      const reads = paintingReads(plan, rect, d);
      expect(regionContains(nativeWindow(d, bounds, size), reads)).toBe(true);
      const half = growRegion(rect, Math.max(rect.width, rect.height) / 2, d);
      worst = Math.max(worst, half.x0 - reads.x0, half.y0 - reads.y0, reads.x0 + reads.width - half.x0 - half.width, reads.y0 + reads.height - half.y0 - half.height);
    }
    expect(worst).toBeGreaterThan(0);
  });
});
