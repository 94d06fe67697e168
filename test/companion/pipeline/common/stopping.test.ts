// The stopping rule of the auto schedule on synthetic picture sequences, the optimiser's hook
// that ends a run, and the progress of a pass that stops early.
import { describe, expect, it } from 'vitest';
import { ChangeMonitor, type StopRule } from '../../../../companion/pipeline/common/stopping.js';
import { lbfgs } from '../../../../companion/compute/optimizer/lbfgs.js';
import { optimise } from '../../../../companion/pipeline/common/optimise.js';
import { JobProgress } from '../../../../companion/pipeline/common/progress.js';
import type { StepSpec } from '../../../../companion/compute/graphs/step.js';
import { networkFromWeights } from '../../../../companion/compute/network.js';
import { inferShapes } from '../../../../companion/compute/backbones/types.js';
import type { Progress } from '../../../../companion/pipeline/types.js';
import { mulberry32, randomArray } from '../../../support/gradcheck.js';
import { randomWeights, tinyVgg } from '../../../support/tiny-nets.js';

/** A picture of `n` levels whose values move by `step(it)` levels per iteration (all pixels). */
function sequence(n: number, step: (it: number) => number): (it: number) => Uint8Array {
  const at = new Map<number, Uint8Array>([[0, new Uint8Array(n).fill(10)]]);
  let pos = 10;
  for (let it = 1; it <= 5000; it++) {
    pos += step(it);
    at.set(it, new Uint8Array(n).fill(Math.round(pos) % 256));
  }
  return (it) => at.get(it)!;
}

/** Runs the monitor over iterations 1..cap; returns the iteration it stopped at (cap when it never did). */
function stopAt(rule: StopRule, cap: number, levels: (it: number) => Uint8Array): number {
  const m = new ChangeMonitor(rule);
  m.start(levels(0));
  for (let it = 1; it <= cap; it++) if (m.observe(it, () => levels(it))) return it;
  return cap;
}

describe('the stopping rule', () => {
  const rule: StopRule = { window: 10, threshold: 0.5, minIterations: 30 };

  it('stops at the end of the first window whose mean change is below the threshold', () => {
    // 1 level per iteration until 54, then still: the window 51–60 changes by 4, 61–70 by 0.
    expect(stopAt(rule, 1000, sequence(50, (it) => (it <= 54 ? 1 : 0)))).toBe(70);
    // Still from the start: not before the minimum, then at the first window's end past it.
    expect(stopAt(rule, 1000, sequence(50, () => 0))).toBe(30);
  });

  it('compares whole windows: slow steady drift that adds up to a visible change does not stop it', () => {
    // 0.1 level per iteration: a step rounds to 0 or 1 level, a window changes by 1 level.
    expect(stopAt(rule, 400, sequence(50, () => 0.1))).toBe(400);
  });

  it('never stops before the minimum, never runs past the cap', () => {
    expect(stopAt({ ...rule, minIterations: 200 }, 1000, sequence(50, () => 0))).toBe(200);
    expect(stopAt(rule, 25, sequence(50, () => 0))).toBe(25); // the cap (25) comes before the minimum
    expect(stopAt(rule, 300, sequence(50, () => 3))).toBe(300);
  });

  it('uses the mean over the pixels: a few changed pixels among many still count by their share', () => {
    // 100 pixels, 40 of them move 1 level per iteration until 100: the mean per window is 4 levels.
    const moving = (it: number): Uint8Array => {
      const v = new Uint8Array(100).fill(7);
      for (let i = 0; i < 40; i++) v[i] = Math.min(it, 100);
      return v;
    };
    expect(stopAt(rule, 1000, moving)).toBe(110);
  });

  it('asks for the picture only at the end of each window', () => {
    const m = new ChangeMonitor(rule);
    m.start(new Uint8Array(4));
    let asked = 0;
    for (let it = 1; it <= 35; it++) m.observe(it, () => (asked++, new Uint8Array(4)));
    expect(asked).toBe(3);
    expect(m.changes.map((c) => c.iteration)).toEqual([10, 20, 30]);
  });
});

describe('ending a run early', () => {
  it('lbfgs stops after the iteration stopWhen answers true, with stop "converged"', async () => {
    const x = new Float32Array([3, -2, 1]);
    const seen: number[] = [];
    const r = await lbfgs(x, async (v) => ({ loss: v.reduce((a, b) => a + b * b, 0), grad: v.map((b) => 2 * b) }), {
      maxIter: 50, lr: 0.1, tolFun: -1, tolX: -1, onIteration: (it) => seen.push(it), stopWhen: (it) => it === 7,
    });
    expect(r.iterations).toBe(7);
    expect(r.stats.stop).toBe('converged');
    expect(seen).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  it('optimise gives stopWhen the current image (inside M₀ written back) and reports the stop', async () => {
    const net = networkFromWeights(tinyVgg, randomWeights(tinyVgg, 3), 'cpu');
    const W = 12, H = 10;
    const [c, h, w] = inferShapes(tinyVgg, W, H).get('relu2_1')!;
    const m0 = new Float32Array(W * H).map((_, i) => (i % W > 3 ? 1 : 0));
    const step: StepSpec = {
      width: W, height: H, normalize: false, tvWeight: 0.01, imageMask: m0,
      taps: [{ layer: 'relu2_1', mask: new Float32Array(h * w).fill(1), heads: [{ kind: 'content', weight: 1, target: randomArray(c * h * w, mulberry32(2), 1).map(Math.abs), maskedValue: false }] }],
    };
    const x = randomArray(3 * W * H, mulberry32(1), 1);
    const snapshots: Float32Array[] = [];
    const r = await optimise(net, step, x, {
      lr: 1, tolFun: -1, tolX: -1, history: 5, iterations: 20, mask: m0,
      stopWhen: (it, cur) => (snapshots.push(cur.slice()), it === 4),
    });
    expect(r.iterations).toBe(4);
    expect(r.stop).toBe('converged');
    // The image stopWhen saw at iteration 4 is the result.
    expect(snapshots).toHaveLength(4);
    expect(Array.from(snapshots[3])).toEqual(Array.from(x));
    expect(snapshots[2].some((v, i) => v !== x[i])).toBe(true);
  });
});

describe('progress of a pass that stops early', () => {
  const image = () => ({ width: 4, height: 4, channels: 3, data: new Float32Array(48) });

  it('shows the pass complete, then the next stage; the ETA counts the expected iterations, not the cap', () => {
    const events: Progress[] = [];
    const p = new JobProgress({ onProgress: (e) => events.push(e) }, { iterations: [400, 1000], expected: [200, 300], checkEvery: 50, costRatio: 4, afterSeconds: 3 });
    p.stage('pass-1');
    for (let it = 1; it <= 150; it++) p.iteration(1, it, 400, image);
    const during = events[events.length - 1];
    expect(during.total).toBe(400);
    // Left: 50 more of pass 1 and 300 of pass 2 at 4× pass 1's rate, then 3 s.
    const rate = (during.etaSeconds! - 3) / (50 + 300 * 4);
    expect(rate).toBeGreaterThan(0);
    p.stoppedEarly(1, 150, image);
    const end = events[events.length - 1];
    expect([end.stage, end.iteration, end.total]).toEqual(['pass-1', 150, 150]);
    expect(end.preview).toBeDefined();
    expect(end.etaSeconds! - 3).toBeCloseTo(300 * 4 * rate, 6);
    p.stage('pass-2');
    expect(events[events.length - 1]).toMatchObject({ stage: 'pass-2', iteration: 0, total: 0 });
    // Past its expected count a pass is expected to end within its next check (50), not at the cap (680 left).
    for (let it = 1; it <= 320; it++) p.iteration(2, it, 1000, image);
    const at = (it: number): number => events.find((e) => e.stage === 'pass-2' && e.iteration === it)!.etaSeconds! - 3;
    const ratio = at(320) / at(290); // 50 left vs 10 left at about the same rate
    expect(ratio).toBeGreaterThan(2.5);
    expect(ratio).toBeLessThan(10);
  });
});
