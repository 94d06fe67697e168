// The schedules on a tiny network: `paper` runs exactly the given counts, `auto` stops a pass when
// the picture stops changing (never before its minimum, never past the cap), runs pass 1 at half
// size on large images, keeps progress honest, and still cancels.
import { describe, expect, it } from 'vitest';
import { harmonize } from '../../../../companion/pipeline/harmonize/harmonize.js';
import { networkFromWeights } from '../../../../companion/compute/network.js';
import { AUTO, planPasses, structurePool } from '../../../../companion/pipeline/harmonize/schedule.js';
import type { Progress } from '../../../../companion/pipeline/types.js';
import { randomWeights, tinyVgg } from '../../../support/tiny-nets.js';
import { syntheticScene } from '../../../support/synthetic-scene.js';

const net = networkFromWeights(tinyVgg, randomWeights(tinyVgg, 4));
const base = { backbone: 'vgg19' as const, size: 700, tau: 5, postProcess: false, device: 'cpu' };

function iterationsOf(events: Progress[], stage: string): number[] {
  return events.filter((e) => e.stage === stage && e.iteration > 0).map((e) => e.iteration);
}

describe('planPasses', () => {
  it('paper: exactly the given counts at the working size, no stopping rule', () => {
    const [p1, p2] = planPasses('paper', 1000, 700, 700);
    expect(p1).toEqual({ iterations: 1000, scale: 1, expected: 1000 });
    expect(p2).toEqual({ iterations: 700, scale: 1, expected: 700 });
  });

  it('auto: the counts become caps with a rule each, pass 1 at half size only on large pictures', () => {
    const [p1, p2] = planPasses('auto', 1000, 1000, 700);
    expect(p1.stop).toEqual(AUTO.pass1.stop);
    expect(p2.stop).toEqual(AUTO.pass2.stop);
    expect(p1.iterations).toBeLessThanOrEqual(1000);
    expect(p2.iterations).toBe(1000);
    expect(p2.expected).toBeLessThan(1000);
    expect(p1.scale).toBe(AUTO.halfSizeFrom <= 700 ? 0.5 : 1);
    expect(planPasses('auto', 1000, 1000, 350)[0].scale).toBe(1);
    // A small cap stays the cap, and the expected count never exceeds it.
    const [q1, q2] = planPasses('auto', 20, 30, 700);
    expect([q1.iterations, q1.expected, q2.iterations, q2.expected]).toEqual([20, 20, 30, 30]);
  });
});

describe('structurePool', () => {
  it('follows the working size from the 700-px figure, never below one pixel', () => {
    expect(structurePool(4, 700)).toBe(4);
    expect(structurePool(4, 350)).toBe(2);
    expect(structurePool(4, 1400)).toBe(8);
    expect(structurePool(4, 100)).toBe(1);
    expect(structurePool(3, 350)).toBe(2); // 1.5 rounds up
  });
});

describe('harmonize under each schedule', () => {
  const scene = syntheticScene(48, 40, { x: 16, y: 12, w: 14, h: 12 });

  it('paper runs every iteration it is given', async () => {
    const events: Progress[] = [];
    await harmonize(scene, { ...base, schedule: 'paper', pass1Iters: 5, pass2Iters: 260 }, { onProgress: (p) => events.push(p) }, { network: net });
    expect(iterationsOf(events, 'pass-2')).toEqual(Array.from({ length: 260 }, (_, i) => i + 1));
    expect(events.filter((e) => e.stage === 'pass-2' && e.iteration > 0).every((e) => e.total === 260)).toBe(true);
  });

  it('auto stops pass 2 at the end of a window once the picture settles, past its minimum and before the cap; the bar then shows it complete', async () => {
    const events: Progress[] = [];
    const cap = 2000;
    const r = await harmonize(scene, { ...base, schedule: 'auto', pass1Iters: 5, pass2Iters: cap }, { onProgress: (p) => events.push(p) }, { network: net });
    const its = iterationsOf(events, 'pass-2');
    const last = events.filter((e) => e.stage === 'pass-2' && e.iteration > 0).at(-1)!;
    const stoppedAt = last.iteration;
    expect(stoppedAt).toBeLessThan(cap);
    expect(stoppedAt).toBeGreaterThanOrEqual(AUTO.pass2.stop.minIterations);
    expect(stoppedAt % AUTO.pass2.stop.window).toBe(0);
    // Every iteration up to the stop was reported against the cap, then one event shows the pass complete.
    expect(its.slice(0, -1)).toEqual(Array.from({ length: stoppedAt }, (_, i) => i + 1));
    expect(last.total).toBe(stoppedAt);
    expect(last.preview).toBeDefined();
    expect(events.at(-1)!.stage).toBe('done');
    expect(r.stages.pass2).toBeDefined();
  });

  it('auto runs pass 1 at half size on a large picture; pass 2 and the result are at the working size', async () => {
    const big = syntheticScene(560, 420, { x: 250, y: 180, w: 40, h: 36 });
    const events: Progress[] = [];
    const r = await harmonize(big, { ...base, schedule: 'auto', pass1Iters: 4, pass2Iters: 3 }, { onProgress: (p) => events.push(p) }, { network: net });
    expect([r.stages.pass1!.width, r.stages.pass1!.height]).toEqual([560, 420]);
    expect([r.image.width, r.image.height]).toEqual([560, 420]);
    const preview = (stage: string) => events.find((e) => e.stage === stage && e.preview)!.preview!;
    // Previews are downscaled to 256 px, from 280×210 in pass 1 and 560×420 in pass 2.
    expect(preview('pass-1').width).toBe(256);
    expect(iterationsOf(events, 'pass-1')).toEqual([1, 2, 3, 4]);
    expect(iterationsOf(events, 'pass-2')).toEqual([1, 2, 3]);
    // Pass 1's object reached pass 2: the pass-1 image differs from the naive paste inside the object.
    const i = (198 * 560 + 270) * 3;
    expect(Math.abs(r.stages.pass1!.data[i] - big.composite.data[i]) + Math.abs(r.stages.pass1!.data[i + 2] - big.composite.data[i + 2])).toBeGreaterThan(0.01);
  });

  it('auto still cancels within one iteration, also in a half-size pass 1', async () => {
    const big = syntheticScene(560, 420, { x: 250, y: 180, w: 40, h: 36 });
    const ac = new AbortController();
    let after = 0;
    const run = harmonize(big, { ...base, schedule: 'auto', pass1Iters: 500 }, {
      signal: ac.signal,
      onProgress: (p) => {
        if (ac.signal.aborted && p.iteration > 0) after++;
        if (p.stage === 'pass-1' && p.iteration === 3) ac.abort();
      },
    }, { network: net });
    await expect(run).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(after).toBeLessThanOrEqual(1);
  });
});
