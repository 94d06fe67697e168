// Pass 2, high-quality refinement (§3): one mapping at the reference layer (relu4_1's role) on
// the pass-1 result, the 5×5 consistency refinement on painting colours, the deduplicated set
// of used painting positions carried to every layer, then Gram + content + histogram + TV with
// each term's gradient L2-normalised, fixed-step L-BFGS (lr 0.1) from the naive composite.
import type { TapSpec } from '../../compute/graphs/step.js';
import { computeFeatures } from '../../compute/graphs/features.js';
import { matchPatches } from '../../compute/graphs/matching.js';
import { maskedGram } from '../../compute/graphs/gram.js';
import { inferShapes, layerStrides } from '../../compute/backbones/types.js';
import { histogramReference, rankToValueTable } from '../../compute/losses/histogram-remap.js';
import type { LossHead } from '../../compute/losses/types.js';
import { resize } from '../../image/resize.js';
import { cropPlanar, type Planar } from '../../image/planar.js';
import { cutLayerGrid, cutLayerMasks } from './region.js';
import { refineNnf } from './refine.js';
import { buildUsedSet, countUsed, usedSetForLayer } from './used-set.js';
import { pass2Weights, type LossWeights } from './style-weights.js';
import { positionsWhere, type DphContext } from './context.js';
import type { PreparedPass } from './context.js';

/**
 * The histogram term is not computed when its weight is this small relative to the style
 * weight: smooth paintings get w_h ≈ 3e-6·τ from the noise switch (§3.6), where it cannot
 * matter but its per-iteration sort would still cost time. Its module stays (mask only): the
 * original's still multiplies the gradient from deeper layers by its mask.
 */
const HISTOGRAM_NEGLIGIBLE = 1e-3;

export interface Pass2Details {
  weights: LossWeights;
  noise: number;
  histogramUsed: boolean;
  usedPositions: number;
}

/**
 * §3.1–3.6: matching at the reference layer, refinement, used set, targets and weights of pass 2.
 * `noise` is the painting's noise estimate (§3.6) measured at the original's 700-px scale: the
 * switch around 2.5e-3 is sharp, and measuring at a preview size flips it for some paintings
 * (example 1: 1.5e-3 at 700 px, 2.9e-3 at 350 px), which would turn TV off and the histogram on.
 */
export async function preparePass2(ctx: DphContext, naiveX: Planar, pass1X: Planar, tau: number, noise: number): Promise<PreparedPass & { details: Pass2Details }> {
  const { net, region: r } = ctx;
  const spec = net.spec;
  const ref = spec.pass2.reference;
  const fullShapes = inferShapes(spec, ctx.width, ctx.height);
  const masks = cutLayerMasks(spec, ctx.masks.layers, r);
  const m0 = masks.get('input')!;

  // §3.2: match the pass-1 result's reference-layer features against the painting's.
  ctx.onStage?.('matching-2');
  const tRef = cutLayerGrid(spec, ref, ctx.masks.tightRef, r);
  const A = (await computeFeatures(net, cropPlanar(pass1X, r), [ref])).get(ref)!;
  const S = ctx.paintingFeatures.get(ref)!;
  // The refinement reads NN at every neighbour within 2 of a masked position, so match those too.
  const positions = positionsWhere(dilateBinary(tRef, 2), (v) => v > 0);
  const stride = layerStrides(spec).get(ref)!;
  const [, fullHeight, fullWidth] = fullShapes.get(ref)!;
  const nn = await matchPatches(net, A, positions, S, {
    mode: 'cosine', borderRule: true, signal: ctx.signal,
    queryFrame: { x0: r.x0 / stride, y0: r.y0 / stride, fullWidth, fullHeight },
  });
  const nnf = new Int32Array(tRef.width * tRef.height);
  positions.forEach((p, k) => (nnf[p] = nn[k]));

  // §3.3–3.4: refine on painting colours at the reference grid, then the used set U.
  const guide = resize(ctx.painting, S.width, S.height, 'bilinear').data;
  const refined = refineNnf({ nnf, h: tRef.height, w: tRef.width, tight: tRef.data, guide, hs: S.height, ws: S.width });
  const used = buildUsedSet(refined, tRef.data, S, 1);

  const weights = pass2Weights(tau, noise);
  const histogramUsed = weights.histogram > HISTOGRAM_NEGLIGIBLE * weights.style;
  const layers = [...new Set([...spec.pass2.style, spec.pass2.content, ...spec.pass2.histogram])];
  const naiveCrop = cropPlanar(naiveX, r);
  const contentTarget = (await computeFeatures(net, naiveCrop, [spec.pass2.content])).get(spec.pass2.content)!;

  const taps: TapSpec[] = [];
  for (const layer of layers) {
    const mask = masks.get(layer)!;
    const painting = ctx.paintingFeatures.get(layer)!;
    const usedHere = usedSetForLayer(used, painting);
    // Module order content, style, histogram: backward meets them in reverse (§3.5).
    const heads: LossHead[] = [];
    if (layer === spec.pass2.content) heads.push({ kind: 'content', weight: weights.content, target: contentTarget.data, maskedValue: true });
    if (spec.pass2.style.includes(layer)) heads.push({ kind: 'gram', weight: weights.style, target: await maskedGram(net, painting, usedHere.data) });
    if (spec.pass2.histogram.includes(layer)) {
      // A negligible or empty histogram term is not computed, but its module's mask stays.
      const head = histogramUsed ? histogramHead(painting, mask, usedHere, weights.histogram) : undefined;
      heads.push(head ?? { kind: 'maskOnly', weight: 0 });
    }
    taps.push({ layer, mask: mask.data, heads });
  }

  return {
    // The TV module masks the whole image gradient and feval masks it again: M₀² (§3.5).
    step: { width: r.width, height: r.height, taps, normalize: true, tvWeight: weights.tv * spec.tvScale.pass2, imageMask: m0.data, imageMaskTimes: 2 },
    // §3.7: pass 2 starts from the naive composite, not the pass-1 result.
    x: naiveCrop, m0,
    details: { weights, noise, histogramUsed, usedPositions: countUsed(used) },
  };
}

/** §3.5: the histogram head at one layer, remapping I = {mask > 0.1} onto the painting's values at U; none when either set is empty. */
function histogramHead(painting: Planar, mask: Planar, usedHere: Planar, weight: number): LossHead | undefined {
  const c = painting.channels;
  // Torch's gt on a float mask compares with 0.1 rounded to float32.
  const inside = positionsWhere(mask, (v) => v > Math.fround(0.1));
  const refPositions = positionsWhere(usedHere, (v) => v > 0);
  if (inside.length === 0 || refPositions.length === 0) return undefined;
  const ns = painting.height * painting.width;
  const J = new Float32Array(c * refPositions.length);
  for (let ch = 0; ch < c; ch++) for (let k = 0; k < refPositions.length; k++) J[ch * refPositions.length + k] = painting.data[ch * ns + refPositions[k]];
  const stats = histogramReference(J, c, refPositions.length, inside.length);
  return { kind: 'histogram', weight, positions: inside, table: rankToValueTable(stats, inside.length) };
}

/** 1 within `r` (a square) of every non-zero value. */
function dilateBinary(m: Planar, r: number): Planar {
  const { width: w, height: h } = m;
  const out = new Float32Array(h * w);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    if (m.data[y * w + x] === 0) continue;
    for (let dy = -r; dy <= r; dy++) for (let dx = -r; dx <= r; dx++) {
      const yy = y + dy, xx = x + dx;
      if (yy >= 0 && yy < h && xx >= 0 && xx < w) out[yy * w + xx] = 1;
    }
  }
  return { data: out, channels: 1, width: w, height: h };
}
