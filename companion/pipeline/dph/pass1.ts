// Pass 1, robust coarse harmonization (§2): per-layer independent nearest-neighbour mapping by
// NCC, masked Gram + content + TV, fixed-step L-BFGS from the naive composite.
import { buildStepGraph, type StepGraphSpec, type TapSpec } from '../../compute/graphs/step.js';
import { matchPatches, type FeatureMap } from '../../compute/graphs/matching.js';
import { maskedGram } from '../../compute/graphs/gram.js';
import { createSession } from '../../compute/backends/onnx.js';
import { inferShapes } from '../../compute/backbones/types.js';
import type { LossHead } from '../../compute/losses/types.js';
import { PASS1_WEIGHTS } from './style-weights.js';
import { layerMasks } from './layer-masks.js';
import { computeFeatures, positionsWhere, type DphContext } from './context.js';
import { cropPlanar } from './region.js';
import { optimiseCrop } from './optimise.js';

export interface PassResult {
  /** The optimised crop in network space (planar BGR), region-sized. */
  x: Float32Array;
  iterations: number;
}

/** Φ_l: for every masked position p the painting vector at NN(p) (§2.1); zeros elsewhere. */
function matchedFeatures(painting: FeatureMap, size: number, positions: Int32Array, nn: Int32Array): Float32Array {
  const { channels: C } = painting;
  const ns = painting.height * painting.width;
  const out = new Float32Array(C * size);
  for (let k = 0; k < positions.length; k++) {
    for (let c = 0; c < C; c++) out[c * size + positions[k]] = painting.data[c * ns + nn[k]];
  }
  return out;
}

/** A pass ready to optimise: its step graph's description and the start point (crop, planar). */
export interface PreparedPass {
  step: StepGraphSpec;
  x: Float32Array;
  m0: Float32Array;
}

export async function runPass1(ctx: DphContext, naiveX: Float32Array, iterations: number): Promise<PassResult> {
  const prepared = await preparePass1(ctx, naiveX);
  await ctx.onPrepared?.(1, prepared);
  const { step: stepSpec, x, m0 } = prepared;
  const r = ctx.region;
  ctx.onStage?.('pass 1');
  const step = await createSession(buildStepGraph(stepSpec), ctx.net.device);
  try {
    const done = await optimiseCrop(step, x, m0, r.height, r.width, {
      iterations, lr: 1, tolFun: 1e-5, tolX: 1e-9, signal: ctx.signal,
      onIteration: (it, cur) => ctx.onIteration?.(1, it, iterations, cur),
    });
    return { x, iterations: done };
  } finally {
    await step.release();
  }
}

/** §2.1–2.2: masks, matching and targets of pass 1. */
export async function preparePass1(ctx: DphContext, naiveX: Float32Array): Promise<PreparedPass> {
  const { net, region: r } = ctx;
  const spec = net.spec;
  const x = cropPlanar(naiveX, 3, ctx.width, ctx.height, r);
  const m0 = cropPlanar(ctx.dilated, 1, ctx.width, ctx.height, r);
  const masks = layerMasks(spec, m0, r.height, r.width);
  const layers = [...new Set([...spec.pass1.style, spec.pass1.content])];
  const shapes = inferShapes(spec, r.height, r.width);
  const fullShapes = inferShapes(spec, ctx.height, ctx.width);
  const naiveFeatures = await computeFeatures(net, x, r.height, r.width, layers);

  ctx.onStage?.('matching (pass 1)');
  const taps: TapSpec[] = [];
  for (const layer of layers) {
    const [c, h, w] = shapes.get(layer)!;
    const mask = masks.get(layer)!;
    const heads: LossHead[] = [];
    if (layer === spec.pass1.content) {
      // Value unmasked, gradient masked (§2.2); the mean runs over the full image's grid so the
      // crop does not change the balance against the style terms.
      const [, fh, fw] = fullShapes.get(layer)!;
      heads.push({ kind: 'content', weight: PASS1_WEIGHTS.content, target: naiveFeatures.get(layer)!.data, maskedValue: false, count: c * fh * fw });
    }
    if (spec.pass1.style.includes(layer)) {
      const positions = positionsWhere(mask, (v) => v > 0);
      const painting = ctx.paintingFeatures.get(layer)!;
      const nn = await matchPatches(naiveFeatures.get(layer)!, positions, painting, { mode: 'ncc', borderRule: false, device: net.device, signal: ctx.signal });
      const target = await maskedGram(matchedFeatures(painting, h * w, positions, nn), c, mask, net.device);
      heads.push({ kind: 'gram', weight: PASS1_WEIGHTS.style, target });
    }
    taps.push({ layer, mask, heads });
  }

  return {
    step: { backbone: spec, weights: net.weights, height: r.height, width: r.width, taps, normalize: false, tvWeight: PASS1_WEIGHTS.tv * spec.tvScale.pass1, imageMask: m0 },
    x, m0,
  };
}
