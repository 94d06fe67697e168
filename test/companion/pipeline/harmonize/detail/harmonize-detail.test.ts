import { beforeAll, describe, it, expect } from 'vitest';
import { harmonize } from '../../../../../companion/pipeline/harmonize/harmonize.js';
import { toInputResolution } from '../../../../../companion/pipeline/harmonize/enlarge.js';
import { networkFromWeights } from '../../../../../companion/compute/network.js';
import { firstChannel } from '../../../../../companion/image/image.js';
import { resize } from '../../../../../companion/image/resize.js';
import type { HarmonizeResult, Progress } from '../../../../../companion/pipeline/types.js';
import { randomWeights, tinyVgg } from '../../../../support/tiny-nets.js';
import { syntheticScene } from '../../../../support/synthetic-scene.js';

const net = networkFromWeights(tinyVgg, randomWeights(tinyVgg, 4));
// A 200×160 document at a 64-px working size: levels 113×90 and 200×160.
const scene = syntheticScene(200, 160, { x: 70, y: 55, w: 50, h: 40 });
const job = { backbone: 'vgg19' as const, size: 64, tau: 5, pass1Iters: 4, pass2Iters: 4, postProcess: true, device: 'cpu' };

describe('toInputResolution (--detail paper) on an object cut off by the document\'s edge', () => {
  it('keeps the enlarged object opaque to the edge, with no band of the painting under it', () => {
    const edge = syntheticScene(200, 160, { x: 0, y: 55, w: 50, h: 40 });
    // The working-size "result": the composite at 64 px, enlarged ×3.1 into the document.
    const final = resize(edge.composite, 64, 51);
    const out = toInputResolution(final, edge.painting, resize(firstChannel(edge.mask), 64, 51), 200, 160);
    const column = (x: number): number => {
      let s = 0;
      for (let y = 62; y < 88; y++) for (let c = 0; c < 3; c++) s += Math.abs(out.data[(y * 200 + x) * 3 + c] - edge.painting.data[(y * 200 + x) * 3 + c]);
      return s / 78;
    };
    // Zero padding at 64 px left 41 % of the painting on the edge column and a band ~9 px wide here.
    for (const x of [0, 3, 6, 9]) expect(column(x)).toBeGreaterThan(0.9 * column(25));
  });
});

describe('harmonize with --detail', () => {
  let paper: HarmonizeResult;
  let native: HarmonizeResult;
  const events: Progress[] = [];
  const paperEvents: Progress[] = [];
  beforeAll(async () => {
    paper = await harmonize(scene, { ...job, detail: 'paper' }, { onProgress: (p) => paperEvents.push(p) }, { network: net });
    native = await harmonize(scene, { ...job, detail: 'native' }, { onProgress: (p) => events.push(p) }, { network: net });
  });

  it('paper: the working-size result enlarged exactly as before, and the same working-size stages as native', () => {
    const final = paper.stages.final!;
    const tight = resize(firstChannel(scene.mask), final.width, final.height);
    expect(paper.image.data).toEqual(toInputResolution(final, scene.painting, tight, 200, 160).data);
    for (const s of ['pass1', 'pass2', 'final'] as const) expect(native.stages[s]!.data).toEqual(paper.stages[s]!.data);
    // The native result is a different, full-resolution image.
    expect([native.image.width, native.image.height]).toEqual([200, 160]);
    expect(native.image.data).not.toEqual(paper.image.data);
  });

  it('native on a document no larger than the working size is the working-size result, as paper', async () => {
    const small = syntheticScene(60, 48, { x: 20, y: 15, w: 16, h: 12 });
    const a = await harmonize(small, { ...job, detail: 'native' }, {}, { network: net });
    const b = await harmonize(small, { ...job, detail: 'paper' }, {}, { network: net });
    expect(a.image.data).toEqual(b.image.data);
  });

  it('native: progress covers every level, the ETA counts them from the start, and ends at 0', () => {
    const levels = events.filter((e) => e.stage === 'detail' && e.total > 0);
    expect(levels.map((e) => e.iteration)).toEqual([0, 1, 2]);
    expect(levels.every((e) => e.total === 2 && e.etaSeconds !== undefined)).toBe(true);
    expect(levels.at(-1)!.etaSeconds).toBe(0);
    // During pass 1 the ETA already includes the levels: it is more than the paper job's own work.
    const firstEta = (list: Progress[]) => list.find((e) => e.stage === 'pass-1' && e.iteration === 1)!.etaSeconds!;
    expect(firstEta(events)).toBeGreaterThan(firstEta(paperEvents));
    expect(events.at(-1)!.stage).toBe('done');
  });

  it('native: cancel stops the job in every level with CANCELLED', async () => {
    for (const level of [0, 1]) {
      const ac = new AbortController();
      const run = harmonize(scene, { ...job, detail: 'native' }, {
        signal: ac.signal,
        onProgress: (p) => { if (p.stage === 'detail' && p.total > 0 && p.iteration === level) ac.abort(); },
      }, { network: net });
      await expect(run).rejects.toMatchObject({ code: 'CANCELLED' });
    }
  });
});
