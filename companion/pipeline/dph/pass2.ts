// Pass 2, high-quality refinement (§3): one mapping at the reference layer (relu4_1's role) on
// the pass-1 result, the 5×5 consistency refinement on painting colours, the deduplicated set
// of used painting positions carried to every layer, then Gram + content + histogram + TV with
// each term's gradient L2-normalised, fixed-step L-BFGS (lr 0.1) from the naive composite.
import { buildStepGraph, type TapSpec } from '../../compute/graphs/step.js';
import { matchPatches } from '../../compute/graphs/matching.js';
import { maskedGram } from '../../compute/graphs/gram.js';
import { createSession } from '../../compute/backends/onnx.js';
import { inferShapes } from '../../compute/backbones/types.js';
import { histogramReference, rankToValueTable } from '../../compute/losses/histogram-remap.js';
import type { LossHead } from '../../compute/losses/types.js';
import { resize } from '../../image/resize.js';
import { binarize, nearestResize } from './masks.js';
import { refineNnf } from './refine.js';
import { buildUsedSet, usedSetForLayer } from './used-set.js';
import { pass2Weights, type LossWeights } from './style-weights.js';
import { layerMasks, layerStrides } from './layer-masks.js';
import { computeFeatures, positionsWhere, type DphContext } from './context.js';
import { cropPlanar } from './region.js';
import { optimiseCrop } from './optimise.js';
import type { PassResult, PreparedPass } from './pass1.js';

/**
 * The histogram term is dropped when its weight is this small relative to the style weight:
 * smooth paintings get w_h ≈ 3e-6·τ from the noise switch (§3.6), where it cannot matter but
 * its per-iteration sort would still cost time.
 */
const HISTOGRAM_NEGLIGIBLE = 1e-3;

export interface Pass2Details {
  weights: LossWeights;
  noise: number;
  histogramUsed: boolean;
  usedPositions: number;
}

/**
 * `noise` is the painting's noise estimate (§3.6) measured at the original's 700-px scale: the
 * switch around 2.5e-3 is sharp, and measuring at a preview size flips it for some paintings
 * (example 1: 1.5e-3 at 700 px, 2.9e-3 at 350 px), which would turn TV off and the histogram on.
 */
export async function runPass2(ctx: DphContext, naiveX: Float32Array, pass1X: Float32Array, iterations: number, tau: number, noise: number): Promise<PassResult & { details: Pass2Details }> {
  const prepared = await preparePass2(ctx, naiveX, pass1X, tau, noise);
  await ctx.onPrepared?.(2, prepared);
  const { step: stepSpec, x, m0, details } = prepared;
  const r = ctx.region;
  ctx.onStage?.('pass 2');
  const step = await createSession(buildStepGraph(stepSpec), ctx.net.device);
  try {
    const done = await optimiseCrop(step, x, m0, r.height, r.width, {
      iterations, lr: 0.1, tolFun: -1, tolX: -1, signal: ctx.signal,
      onIteration: (it, cur) => ctx.onIteration?.(2, it, iterations, cur),
    });
    return { x, iterations: done, details };
  } finally {
    await step.release();
  }
}

/** §3.1–3.6: matching at the reference layer, refinement, used set, targets and weights of pass 2. */
export async function preparePass2(ctx: DphContext, naiveX: Float32Array, pass1X: Float32Array, tau: number, noise: number): Promise<PreparedPass & { details: Pass2Details }> {
  const { net, region: r } = ctx;
  const spec = net.spec;
  const ref = spec.pass2.reference;
  const shapes = inferShapes(spec, r.height, r.width);
  const fullShapes = inferShapes(spec, ctx.height, ctx.width);
  const m0 = cropPlanar(ctx.dilated, 1, ctx.width, ctx.height, r);
  const masks = layerMasks(spec, m0, r.height, r.width);

  // §3.2: match the pass-1 result's reference-layer features against the painting's.
  ctx.onStage?.('matching (pass 2)');
  const [, hr, wr] = shapes.get(ref)!;
  const tightCrop = cropPlanar(ctx.tight, 1, ctx.width, ctx.height, r);
  const tRef = nearestResize(binarize(tightCrop, 0.1), r.height, r.width, hr, wr);
  const A = (await computeFeatures(net, cropPlanar(pass1X, 3, ctx.width, ctx.height, r), r.height, r.width, [ref])).get(ref)!;
  const S = ctx.paintingFeatures.get(ref)!;
  // The refinement reads NN at every neighbour within 2 of a masked position, so match those too.
  const needed = dilateBinary(tRef, hr, wr, 2);
  const positions = positionsWhere(needed, (v) => v > 0);
  const stride = layerStrides(spec).get(ref)!;
  const nn = await matchPatches(A, positions, S, {
    mode: 'cosine', borderRule: true, device: net.device, signal: ctx.signal,
    queryFrame: { x0: r.x0 / stride, y0: r.y0 / stride, fullWidth: fullShapes.get(ref)![2], fullHeight: fullShapes.get(ref)![1] },
  });
  const nnf = new Int32Array(hr * wr);
  positions.forEach((p, k) => (nnf[p] = nn[k]));

  // §3.3–3.4: refine on painting colours at the reference grid, then the used set U.
  const guide = resize(ctx.painting, S.width, S.height, 'bilinear').data;
  const refined = refineNnf({ nnf, h: hr, w: wr, tight: tRef, guide, hs: S.height, ws: S.width });
  const used = buildUsedSet(refined, tRef, S.height, S.width, 1);
  const usedCount = used.reduce((a, b) => a + b, 0);

  const weights = pass2Weights(tau, noise);
  const histogramUsed = weights.histogram > HISTOGRAM_NEGLIGIBLE * weights.style;
  const layers = [...new Set([...spec.pass2.style, spec.pass2.content, ...(histogramUsed ? spec.pass2.histogram : [])])];
  const naiveCrop = cropPlanar(naiveX, 3, ctx.width, ctx.height, r);
  const contentTarget = (await computeFeatures(net, naiveCrop, r.height, r.width, [spec.pass2.content])).get(spec.pass2.content)!;

  const taps: TapSpec[] = [];
  for (const layer of layers) {
    const [c, h, w] = shapes.get(layer)!;
    const mask = masks.get(layer)!;
    const painting = ctx.paintingFeatures.get(layer)!;
    const usedHere = usedSetForLayer(used, S.height, S.width, painting.height, painting.width);
    // Module order content, style, histogram: backward meets them in reverse (§3.5).
    const heads: LossHead[] = [];
    if (layer === spec.pass2.content) heads.push({ kind: 'content', weight: weights.content, target: contentTarget.data, maskedValue: true });
    if (spec.pass2.style.includes(layer)) heads.push({ kind: 'gram', weight: weights.style, target: await maskedGram(painting.data, c, usedHere, net.device) });
    if (histogramUsed && spec.pass2.histogram.includes(layer)) {
      const inside = positionsWhere(mask, (v) => v > 0.1);
      const refPositions = positionsWhere(usedHere, (v) => v > 0);
      if (inside.length > 0 && refPositions.length > 0) {
        const ns = painting.height * painting.width;
        const J = new Float32Array(c * refPositions.length);
        for (let ch = 0; ch < c; ch++) for (let k = 0; k < refPositions.length; k++) J[ch * refPositions.length + k] = painting.data[ch * ns + refPositions[k]];
        const stats = histogramReference(J, c, refPositions.length, inside.length);
        heads.push({ kind: 'histogram', weight: weights.histogram, positions: inside, table: rankToValueTable(stats, inside.length) });
      }
    }
    void h; void w;
    taps.push({ layer, mask, heads });
  }

  return {
    step: { backbone: spec, weights: net.weights, height: r.height, width: r.width, taps, normalize: true, tvWeight: weights.tv * spec.tvScale.pass2, imageMask: m0 },
    // §3.7: pass 2 starts from the naive composite, not the pass-1 result.
    x: naiveCrop, m0,
    details: { weights, noise, histogramUsed, usedPositions: usedCount },
  };
}

function dilateBinary(m: Float32Array, h: number, w: number, r: number): Float32Array {
  const out = new Float32Array(h * w);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    if (m[y * w + x] === 0) continue;
    for (let dy = -r; dy <= r; dy++) for (let dx = -r; dx <= r; dx++) {
      const yy = y + dy, xx = x + dx;
      if (yy >= 0 && yy < h && xx >= 0 && xx < w) out[yy * w + xx] = 1;
    }
  }
  return out;
}
