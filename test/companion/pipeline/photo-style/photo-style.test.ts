import { describe, it, expect } from 'vitest';
import { photoStyle, quantise8 } from '../../../../companion/pipeline/photo-style/photo-style.js';
import { networkFromWeights } from '../../../../companion/compute/network.js';
import { getBackbone } from '../../../../companion/compute/backbones/index.js';
import { syntheticWeights } from '../../../../bench/synthetic-weights.js';
import { createImage, type Image } from '../../../../companion/image/image.js';
import { LABEL_COLOURS } from '../../../../companion/pipeline/photo-style/labels.js';
import type { PhotoStyleRunner } from '../../../../companion/pipeline/runners.js';
import type { PhotoStyleOptions, PipelineOptions, Progress } from '../../../../companion/pipeline/types.js';
import { mulberry32 } from '../../../support/gradcheck.js';
import { randomWeights, tinyVgg } from '../../../support/tiny-nets.js';

const network = networkFromWeights(tinyVgg, randomWeights(tinyVgg, 4));
// The server calls photoStyle through its runner type: they must stay in step.
photoStyle satisfies PhotoStyleRunner;

const fast: PipelineOptions<PhotoStyleOptions> = { backbone: 'vgg19', size: 700, stage1Iters: 6, stage2Iters: 6, smoothing: 'affine', device: 'cpu' };
const inline = { network, smoothingThread: 'inline' as const };

function photo(w: number, h: number, seed: number, channels = 3): Image {
  const r = mulberry32(seed);
  const img = createImage(w, h, channels);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    const i = channels * (y * w + x);
    img.data[i] = (y < h / 2 ? 0.6 : 0.25) + 0.1 * r();
    img.data[i + 1] = 0.4 + 0.2 * Math.sin((x + seed) * 0.7);
    img.data[i + 2] = (y < h / 2 ? 0.8 : 0.3) + 0.1 * r();
    if (channels === 4) img.data[i + 3] = 1;
  }
  return img;
}

function labels(w: number, h: number, pick: (x: number, y: number) => string): Image {
  const img = createImage(w, h, 3);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    img.data.set(LABEL_COLOURS.find((c) => c.name === pick(x, y))!.rgb.map((v) => v / 255), 3 * (y * w + x));
  }
  return img;
}

describe('photoStyle input checks', () => {
  const content = photo(40, 30, 1);
  const style = photo(36, 28, 2);

  it('refuses label images that do not fit their photo with SIZE_MISMATCH, naming both sizes', async () => {
    const r = photoStyle({ content, style, contentLabels: createImage(20, 20, 3), styleLabels: createImage(36, 28, 3) }, fast, {}, inline);
    await expect(r).rejects.toMatchObject({ code: 'SIZE_MISMATCH', message: expect.stringMatching(/content labels are 20×20 but the content photo is 40×30/) });
  });

  it('refuses one label image without the other', async () => {
    await expect(photoStyle({ content, style, contentLabels: createImage(40, 30, 3) }, fast, {}, inline))
      .rejects.toMatchObject({ code: 'BAD_ARGUMENT', message: expect.stringMatching(/style labels are missing/) });
  });

  it('refuses labels that share no colour, listing what each image has', async () => {
    const r = photoStyle({ content, style, contentLabels: labels(40, 30, () => 'blue'), styleLabels: labels(36, 28, () => 'red') }, fast, {}, inline);
    await expect(r).rejects.toMatchObject({ code: 'BAD_ARGUMENT', message: expect.stringMatching(/content: blue; style: red/) });
  });

});

describe('photoStyle on a tiny network', () => {
  it('returns the content\'s size from a smaller working size, starts stage 2 from the 8-bit stage 1, and reports stages, iterations, ETA and previews', async () => {
    const content = photo(64, 48, 1, 4); // RGBA, as the panel may send
    const style = photo(50, 44, 2);
    const events: Progress[] = [];
    const r = await photoStyle({ content, style }, { ...fast, size: 40 }, { onProgress: (p) => events.push(p) }, inline);
    expect([r.image.width, r.image.height, r.image.channels]).toEqual([64, 48, 3]);
    expect(r.device).toBe('cpu');
    for (const s of [r.stages.stage1, r.stages.stage2, r.stages.final]) expect([s.width, s.height]).toEqual([40, 30]);
    expect(r.stages.stage1.data).toEqual(quantise8(r.stages.stage1).data);
    expect(r.notes).toEqual([]);
    // From noise, one of stage 1's fixed steps on this tiny net runs away (as harmonize's one-pixel
    // test's pass 2 does): the divergence guard undoes it and the result says so.
    expect(r.restarts[0]).toBeGreaterThan(0);
    expect(r.restarts[1]).toBeGreaterThanOrEqual(0);

    const order = events.map((e) => e.stage).filter((s, i, a) => a.indexOf(s) === i);
    expect(order).toEqual(['loading-model', 'style-targets', 'stage-1', 'matting-laplacian', 'stage-2', 'smoothing', 'done']);
    for (const stage of ['stage-1', 'stage-2']) {
      expect(events.filter((e) => e.stage === stage && e.iteration > 0).map((e) => e.iteration)).toEqual([1, 2, 3, 4, 5, 6]);
    }
    expect(events.filter((e) => e.stage.startsWith('stage') && e.iteration > 0).every((e) => e.etaSeconds !== undefined && e.etaSeconds >= 0)).toBe(true);
    expect(events.filter((e) => e.preview).every((e) => e.preview!.width === 40 && e.preview!.channels === 3)).toBe(true);
    expect(events.some((e) => e.stage === 'stage-2' && e.preview)).toBe(true);
  });

  it('says which labels are in one image only, as a note event and in the result', async () => {
    const content = photo(40, 30, 3);
    const style = photo(36, 28, 4);
    const contentLabels = labels(40, 30, (_, y) => (y < 15 ? 'blue' : 'green'));
    const styleLabels = labels(36, 28, (x, y) => (x < 6 ? 'purple' : y < 14 ? 'blue' : 'green'));
    const notes: string[] = [];
    const r = await photoStyle({ content, style, contentLabels, styleLabels }, { ...fast, smoothing: 'none' }, {
      onNote: (sentence) => notes.push(sentence),
    }, inline);
    expect(r.notes).toHaveLength(1);
    expect(r.notes[0]).toMatch(/purple is in the style labels only/);
    expect(notes).toEqual(r.notes);
    expect(r.stages.final).toBe(r.stages.stage2);
    expect(r.image).toBe(r.stages.final);
  });

  it('stops within one iteration of stage 2 when cancelled, with CANCELLED', async () => {
    const ac = new AbortController();
    let after = 0;
    const run = photoStyle({ content: photo(40, 30, 5), style: photo(36, 28, 6) }, { ...fast, stage2Iters: 500 }, {
      signal: ac.signal,
      onProgress: (p) => {
        if (ac.signal.aborted && p.iteration > 0) after++;
        if (p.stage === 'stage-2' && p.iteration === 3) ac.abort();
      },
    }, inline);
    await expect(run).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(after).toBeLessThanOrEqual(1);
  });
});

describe('photo style on photos too small for the backbone', () => {
  it('refuses them with IMAGE_TOO_SMALL instead of crashing the runtime', async () => {
    const spec = getBackbone('squeezenet');
    const squeeze = { network: networkFromWeights(spec, syntheticWeights(spec)), smoothingThread: 'inline' as const };
    await expect(photoStyle({ content: photo(16, 16, 1), style: photo(60, 60, 2) }, fast, {}, squeeze)).rejects.toMatchObject({
      code: 'IMAGE_TOO_SMALL',
      message: expect.stringMatching(/content photo is 16×16/),
    });
  });
});
