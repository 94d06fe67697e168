// The step graph against an independent slow transcription of the original's objective
// (test/support/torch-dph.ts: Torch's module chain, forward and backward, in float64) on a tiny
// VGG-shaped net with SOFT masks: M₀ a blurred disc, M_l walked from it as the original does.
// With binary masks M² = M and the masking order cannot be seen; with soft ones it can.
import { afterAll, describe, expect, it } from 'vitest';
import { openStep, type StepSpec, type TapSpec } from '../../../../companion/compute/graphs/step.js';
import { networkFromWeights } from '../../../../companion/compute/network.js';
import { inferShapes } from '../../../../companion/compute/backbones/types.js';
import type { LossHead } from '../../../../companion/compute/losses/types.js';
import { gradcheck, mulberry32, randomArray } from '../../../support/gradcheck.js';
import { randomWeights, tinyVgg } from '../../../support/tiny-nets.js';
import { vggMaskChain } from '../../../support/torch-masks.js';
import { torchDphStep, type RefModule, type RefTap } from '../../../support/torch-dph.js';

const W = 13;
const H = 11;
const weights = randomWeights(tinyVgg, 2);
const net = networkFromWeights(tinyVgg, weights, 'cpu');
const opened: { release(): Promise<void> }[] = [];
afterAll(async () => Promise.all(opened.map((s) => s.release())));

// Soft M₀: a disc with a wide ramp, so that every layer's mask has many values strictly in (0, 1).
const m0 = Float32Array.from({ length: W * H }, (_, i) => Math.min(1, Math.max(0, (5.5 - Math.hypot((i % W) - 6.2, Math.floor(i / W) - 5.1)) / 3.5)));
const chain = vggMaskChain(tinyVgg, { width: W, height: H, data: m0 });
const maskOf = (layer: string) => chain.get(layer)!.data;
const shape = (layer: string) => inferShapes(tinyVgg, W, H).get(layer)!;
const x = randomArray(3 * W * H, mulberry32(5), 1);

function symmetric(c: number, seed: number, scale: number): Float32Array {
  const r = randomArray(c * c, mulberry32(seed), scale);
  for (let i = 0; i < c; i++) for (let j = 0; j < i; j++) r[i * c + j] = r[j * c + i];
  return r;
}

/** A histogram module at a layer: I = {M > 0.1}, a table of increasing values per channel. */
function histogram(layer: string, weight: number): Extract<RefModule, { kind: 'histogram' }> {
  const [c] = shape(layer);
  const m = maskOf(layer);
  const positions = Int32Array.from([...m.keys()].filter((i) => m[i] > 0.1));
  const rand = mulberry32(31);
  const table = new Float32Array(c * positions.length);
  for (let ch = 0; ch < c; ch++) {
    let v = rand();
    for (let k = 0; k < positions.length; k++) table[ch * positions.length + k] = v += 0.05 * rand();
  }
  return { kind: 'histogram', weight, positions, table };
}

function heads(modules: RefModule[], pass: 1 | 2): LossHead[] {
  return modules.map((m): LossHead => {
    if (m.kind === 'maskOnly') return { kind: 'maskOnly', weight: 0 };
    if (m.kind === 'histogram') return { kind: 'histogram', weight: m.weight, positions: m.positions, table: m.table };
    const own = pass === 1 ? { maskOwnGradient: false } : {};
    if (m.kind === 'style') return { kind: 'gram', weight: m.weight, target: m.target, ...own };
    return { kind: 'content', weight: m.weight, target: m.target, maskedValue: pass === 2, count: m.count, ...own };
  });
}

async function compare(pass: 1 | 2, refTaps: RefTap[], tvWeight: number): Promise<void> {
  const taps: TapSpec[] = refTaps.map((t) => ({ layer: t.layer, mask: t.mask, heads: heads(t.modules, pass) }));
  const spec: StepSpec = { width: W, height: H, taps, normalize: pass === 2, tvWeight, imageMask: m0, imageMaskTimes: pass };
  const step = await openStep(net, spec);
  opened.push(step);
  const ours = await step.evaluate(x);
  const ref = torchDphStep(tinyVgg, weights, x, { pass, width: W, height: H, taps: refTaps, tvWeight, m0 });
  let scale = 0, worst = 0;
  for (let i = 0; i < ref.grad.length; i++) {
    scale = Math.max(scale, Math.abs(ref.grad[i]));
    worst = Math.max(worst, Math.abs(ours.grad[i] - ref.grad[i]));
  }
  expect(scale).toBeGreaterThan(0);
  expect(worst / scale).toBeLessThan(2e-5);
  expect(ours.loss).toBeCloseTo(ref.loss, Math.max(0, 5 - Math.ceil(Math.log10(Math.abs(ref.loss) + 1e-12))));
}

describe('the step graph against the original\'s module chain (float64, soft masks)', () => {
  const content = (layer: string, weight: number): RefModule => {
    const [c, h, w] = shape(layer);
    return { kind: 'content', weight, target: randomArray(c * h * w, mulberry32(6), 0.3, 0.3) };
  };
  const style = (layer: string, weight: number, seed: number): RefModule => ({ kind: 'style', weight, target: symmetric(shape(layer)[0], seed, 0.05) });

  it('pass 1 (neural_gram.lua): each module masks its own gradient and the upstream one once; TV unmasked, M₀ once', async () => {
    await compare(1, [
      { layer: 'relu2_1', mask: maskOf('relu2_1'), modules: [style('relu2_1', 10, 2)] },
      { layer: 'relu3_1', mask: maskOf('relu3_1'), modules: [content('relu3_1', 5), style('relu3_1', 10, 7)] },
    ], 0.3);
  });

  it('pass 2 (neural_paint.lua): normalised content, style and histogram terms, TV inside M₀, M₀ twice', async () => {
    await compare(2, [
      { layer: 'relu1_1', mask: maskOf('relu1_1'), modules: [style('relu1_1', 3, 3), histogram('relu1_1', 2)] },
      { layer: 'relu2_1', mask: maskOf('relu2_1'), modules: [style('relu2_1', 3, 4)] },
      { layer: 'relu3_1', mask: maskOf('relu3_1'), modules: [content('relu3_1', 1), style('relu3_1', 3, 5), histogram('relu3_1', 4)] },
    ], 2);
  });

  it('pass 2 with the histogram modules dropped: they still mask what comes from deeper layers', async () => {
    await compare(2, [
      { layer: 'relu1_1', mask: maskOf('relu1_1'), modules: [style('relu1_1', 3, 3), { kind: 'maskOnly' }] },
      { layer: 'relu2_1', mask: maskOf('relu2_1'), modules: [style('relu2_1', 3, 4)] },
      { layer: 'relu3_1', mask: maskOf('relu3_1'), modules: [content('relu3_1', 1), style('relu3_1', 3, 5), { kind: 'maskOnly' }] },
    ], 2);
  });

  it('pass 1 with one style module: the gradient is M₀ ⊙ the true gradient of its loss (finite differences)', async () => {
    const [c] = shape('relu3_1');
    const step = await openStep(net, {
      width: W, height: H, normalize: false, tvWeight: 0, imageMask: m0,
      taps: [{ layer: 'relu3_1', mask: maskOf('relu3_1'), heads: [{ kind: 'gram', weight: 10, target: symmetric(c, 7, 0.05), maskOwnGradient: false }] }],
    });
    opened.push(step);
    // f(x + M₀⊙(z − x)) has gradient M₀ ⊙ ∇f at z = x.
    const f = async (z: Float32Array) => (await step.evaluate(z.map((v, i) => x[i] + m0[i % (W * H)] * (v - x[i])))).loss;
    await gradcheck(f, x, (await step.evaluate(x)).grad);
  });
});
