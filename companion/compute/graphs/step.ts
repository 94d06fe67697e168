// The step graph: image → total loss and the masked image gradient, with every loss head's
// feature gradient injected at its tap and carried back by the hand-written backward ops.
// Fixed targets and masks are baked in as initializers: per iteration only the image goes in
// and its gradient comes out (feature maps never leave the runtime).
import { GraphBuilder } from '../onnx/graph-builder.js';
import { createSession } from '../backends/onnx.js';
import type { Network } from '../network.js';
import { ancestors, inferShapes, type BackboneSpec } from '../backbones/types.js';
import type { WeightMap } from '../backbones/index.js';
import { emitForward } from '../forward.js';
import { emitBackwardLayer } from '../backward.js';
import { emitGramHead } from '../losses/gram.js';
import { emitContentHead } from '../losses/content.js';
import { emitHistogramHead } from '../losses/histogram.js';
import { emitTotalVariationGrad } from '../losses/total-variation.js';
import type { LossHead } from '../losses/types.js';

export interface TapSpec {
  layer: string;
  /** Soft mask M_l on the layer's grid (h×w). */
  mask: Float32Array;
  /** Heads in module order (the original appends content, style, histogram). */
  heads: LossHead[];
}

/** What a pass or stage optimises: the image size, the loss heads at their taps, TV and M₀. */
export interface StepSpec {
  width: number;
  height: number;
  taps: TapSpec[];
  /** Pass 2: each head's gradient is L2-normalised before weighting (§3.5). */
  normalize: boolean;
  tvWeight: number;
  /** Full-resolution mask M₀ (width×height): the image gradient is multiplied by it. */
  imageMask: Float32Array;
  /**
   * How many times the image gradient is multiplied by M₀ (default 1). DPH pass 2: 2 — its TV
   * module masks everything that reaches it (the network's gradient and its own), and `feval`
   * masks the result again.
   */
  imageMaskTimes?: 1 | 2;
}

const STEP_INPUT = 'image';
const STEP_LOSS = 'loss';
const STEP_GRAD = 'grad';

function buildStepGraph(backbone: BackboneSpec, weights: WeightMap, spec: StepSpec): Uint8Array {
  const { height: H, width: W } = spec;
  const g = new GraphBuilder('step');
  const image = g.input(STEP_INPUT, [1, 3, H, W]);
  const layers = ancestors(backbone, spec.taps.map((t) => t.layer));
  const shapes = inferShapes(backbone, W, H);
  const fwd = emitForward(g, layers, weights, image, { poolIndices: true });
  const tapsByLayer = new Map(spec.taps.map((t) => [t.layer, t]));
  const contributions = new Map<string, string[]>();
  const push = (name: string, grad: string): void => {
    const list = contributions.get(name) ?? [];
    list.push(grad);
    contributions.set(name, list);
  };
  const losses: string[] = [];

  for (const layer of [...layers].reverse()) {
    const incoming = contributions.get(layer.name);
    let grad = incoming ? g.sum(incoming) : undefined;
    const tap = tapsByLayer.get(layer.name);
    if (tap) {
      const [c, h, w] = shapes.get(layer.name)!;
      if (tap.mask.length !== h * w) throw new Error(`mask for ${layer.name} has ${tap.mask.length} values, layer grid is ${w}×${h}`);
      const mask = g.tensor(`mask_${layer.name}`, tap.mask, [1, 1, h, w]);
      const maskSum = sumOf(tap.mask);
      const feat = fwd.out.get(layer.name)!;
      // Backward meets the modules last-to-first; each one adds its own gradient to what came
      // from deeper and multiplies the sum by its mask: M⊙(ĝ_c + M⊙(ĝ_s + M⊙(ĝ_h + up))).
      for (const head of [...tap.heads].reverse()) {
        if (head.kind === 'maskOnly' || head.weight === 0) {
          // A module without a term of its own still masks what comes from deeper layers.
          if (grad) grad = g.mul(grad, mask);
          continue;
        }
        const r = head.kind === 'gram'
          ? head.mask
            ? emitGramHead(g, feat, g.tensor(`label_mask_${layer.name}`, checkedMask(head.mask, w, h, layer.name), [1, 1, h, w]), [c, h, w], sumOf(head.mask), head)
            : emitGramHead(g, feat, mask, [c, h, w], maskSum, head)
          : head.kind === 'content'
            ? emitContentHead(g, feat, mask, [c, h, w], head)
            : emitHistogramHead(g, feat, [c, h, w], head);
        losses.push(r.loss);
        const injected = spec.normalize ? g.l2Normalize(r.grad, head.weight) : g.scale(r.grad, head.weight);
        grad = g.mul(grad ? g.add(grad, injected) : injected, mask);
      }
    }
    if (!grad) continue; // nothing deeper depends on this layer
    for (const [input, gIn] of emitBackwardLayer({ g, fwd, shapes, weights }, layer, grad)) push(input, gIn);
  }

  const m0 = g.tensor('image_mask', spec.imageMask, [1, 1, H, W]);
  const netGrad = contributions.get('input');
  let total = netGrad ? g.sum(netGrad) : undefined;
  if (spec.tvWeight !== 0) {
    const tv = emitTotalVariationGrad(g, image, W, H);
    const tvInjected = spec.normalize ? g.l2Normalize(g.mul(tv, m0), spec.tvWeight) : g.scale(tv, spec.tvWeight);
    total = total ? g.add(total, tvInjected) : tvInjected;
  }
  if (!total) throw new Error('step graph has no loss term');
  let masked = g.mul(total, m0);
  if ((spec.imageMaskTimes ?? 1) === 2) masked = g.mul(masked, m0);
  g.name_(masked, STEP_GRAD);
  g.name_(losses.length > 0 ? g.sum(losses) : g.scalar(0), STEP_LOSS);
  g.output(STEP_GRAD, [1, 3, H, W]);
  g.output(STEP_LOSS, []);
  return g.toBytes();
}

export interface StepRunner {
  /**
   * Loss and image gradient at x (3 planes of the spec's size, in the network's space). The
   * gradient buffer is fresh per call: the caller may add to it.
   */
  evaluate(x: Float32Array): Promise<{ loss: number; grad: Float32Array }>;
  release(): Promise<void>;
}

/** The step graph of `spec` on the network's device. */
export async function openStep(net: Network, spec: StepSpec): Promise<StepRunner> {
  const session = await createSession(buildStepGraph(net.spec, net.weights, spec), net.device);
  const dims = [1, 3, spec.height, spec.width];
  return {
    async evaluate(x) {
      const out = await session.run({ [STEP_INPUT]: { data: x, dims } });
      return { loss: out[STEP_LOSS].data[0] as number, grad: out[STEP_GRAD].data as Float32Array };
    },
    release: () => session.release(),
  };
}

function sumOf(m: Float32Array): number {
  let s = 0;
  for (let i = 0; i < m.length; i++) s += m[i];
  return s;
}

function checkedMask(m: Float32Array, w: number, h: number, layer: string): Float32Array {
  if (m.length !== w * h) throw new Error(`head mask for ${layer} has ${m.length} values, layer grid is ${w}×${h}`);
  return m;
}
