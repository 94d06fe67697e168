import { describe, expect, it } from 'vitest';
import { optimise } from '../../../../companion/pipeline/common/optimise.js';
import { openStep, type StepSpec, type TapSpec } from '../../../../companion/compute/graphs/step.js';
import { networkFromWeights } from '../../../../companion/compute/network.js';
import { inferShapes } from '../../../../companion/compute/backbones/types.js';
import { mulberry32, randomArray } from '../../../support/gradcheck.js';
import { randomWeights, tinyVgg } from '../../../support/tiny-nets.js';

const net = networkFromWeights(tinyVgg, randomWeights(tinyVgg, 3), 'cpu');
const W = 12;
const H = 10;

/** A content head at relu2_1 pulling towards random features, plus TV; M₀ given. */
function spec(imageMask: Float32Array): StepSpec {
  const [c, h, w] = inferShapes(tinyVgg, W, H).get('relu2_1')!;
  const taps: TapSpec[] = [{ layer: 'relu2_1', mask: new Float32Array(h * w).fill(1), heads: [{ kind: 'content', weight: 1, target: randomArray(c * h * w, mulberry32(2), 1).map(Math.abs), maskedValue: false }] }];
  return { width: W, height: H, taps, normalize: false, tvWeight: 0.01, imageMask };
}

const settings = { lr: 1, tolFun: -1, tolX: -1, history: 5 };

describe('the optimisation loop', () => {
  it('lowers the loss, reports every iteration with the current image, and reports every evaluation\'s loss', async () => {
    const x = randomArray(3 * W * H, mulberry32(1), 1);
    const seen: number[] = [];
    const r = await optimise(net, spec(new Float32Array(W * H).fill(1)), x, {
      ...settings, iterations: 8, onIteration: (it, cur) => { seen.push(it); expect(cur).toBe(x); },
    });
    expect(r.iterations).toBe(8);
    expect(seen).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    // One before the first step, then after every step (the divergence guard checks the last too).
    expect(r.losses).toHaveLength(9);
    expect(r.losses[8]).toBeLessThan(r.losses[0]);
    expect(r.restarts).toBe(0);
  });

  it('moves only the values inside M₀, and the packed run follows the whole-image run', async () => {
    const m0 = new Float32Array(W * H).map((_, i) => (i % W > 3 && Math.floor(i / W) > 2 ? 1 : 0));
    const start = randomArray(3 * W * H, mulberry32(4), 1);
    const packed = start.slice();
    await optimise(net, spec(m0), packed, { ...settings, iterations: 6, mask: m0 });
    const whole = start.slice();
    await optimise(net, spec(m0), whole, { ...settings, iterations: 6 });
    let moved = 0;
    for (let c = 0; c < 3; c++) for (let i = 0; i < W * H; i++) {
      const k = c * W * H + i;
      if (m0[i] === 0) expect(packed[k]).toBe(start[k]);
      else if (packed[k] !== start[k]) moved++;
      // The graph zeroes the gradient outside M₀, so the iterates agree up to summation order.
      expect(Math.abs(packed[k] - whole[k])).toBeLessThan(1e-3 * (1 + Math.abs(whole[k])));
    }
    expect(moved).toBeGreaterThan(0);
  });

  it('adds a term computed outside the graph to the loss and the gradient', async () => {
    const x0 = randomArray(3 * W * H, mulberry32(5), 1);
    const s = spec(new Float32Array(W * H).fill(1));
    const graph = await openStep(net, s);
    const base = await graph.evaluate(x0.slice());
    await graph.release();
    // ½·k·‖x‖²: loss and gradient k·x.
    const k = 3;
    const extraTerm = (x: Float32Array, grad: Float32Array): number => {
      let e = 0;
      for (let i = 0; i < x.length; i++) { e += 0.5 * k * x[i] * x[i]; grad[i] += k * x[i]; }
      return e;
    };
    let quad = 0;
    for (const v of x0) quad += 0.5 * k * v * v;
    const withTerm = await optimise(net, s, x0.slice(), { ...settings, iterations: 3, extraTerm });
    expect(withTerm.losses[0]).toBeCloseTo(base.loss + quad, 4);
    // The term's gradient changes the path: the runs differ after the first step.
    const without = x0.slice();
    const withX = x0.slice();
    await optimise(net, s, without, { ...settings, iterations: 2 });
    await optimise(net, s, withX, { ...settings, iterations: 2, extraTerm });
    expect(withX.some((v, i) => Math.abs(v - without[i]) > 1e-6)).toBe(true);
  });

  it('stops with CANCELLED when its signal is aborted', async () => {
    const ac = new AbortController();
    ac.abort();
    await expect(optimise(net, spec(new Float32Array(W * H).fill(1)), randomArray(3 * W * H, mulberry32(6), 1), { ...settings, iterations: 3, signal: ac.signal }))
      .rejects.toMatchObject({ code: 'CANCELLED' });
  });
});
