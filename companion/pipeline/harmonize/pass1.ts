// Pass 1, robust coarse harmonization (§2): per-layer independent nearest-neighbour mapping by
// NCC, masked Gram + content + TV, fixed-step L-BFGS from the naive composite.
import type { TapSpec } from '../../compute/graphs/step.js';
import { computeFeatures, type FeatureMap } from '../../compute/graphs/features.js';
import { matchPatches } from '../../compute/graphs/matching.js';
import { maskedGram } from '../../compute/graphs/gram.js';
import { inferShapes } from '../../compute/backbones/types.js';
import type { LossHead } from '../../compute/losses/types.js';
import { cropPlanar, type Planar } from '../../image/planar.js';
import { cutLayerMasks } from './region.js';
import { PASS1_WEIGHTS } from './style-weights.js';
import { positionsWhere, type DphContext } from './context.js';
import type { PreparedPass } from './context.js';

/** Φ_l: for every masked position p the painting vector at NN(p) (§2.1); zeros elsewhere, on the query's grid. */
function matchedFeatures(painting: FeatureMap, grid: Planar, positions: Int32Array, nn: Int32Array): FeatureMap {
  const { channels: C } = painting;
  const size = grid.width * grid.height;
  const ns = painting.height * painting.width;
  const out = new Float32Array(C * size);
  for (let k = 0; k < positions.length; k++) {
    for (let c = 0; c < C; c++) out[c * size + positions[k]] = painting.data[c * ns + nn[k]];
  }
  return { data: out, channels: C, width: grid.width, height: grid.height };
}

/**
 * §2.1–2.2: masks, matching and targets of pass 1. Each loss module of `neural_gram.lua` masks
 * its own gradient and the upstream one once, M⊙(u + up), so the heads hand back u unmasked.
 */
export async function preparePass1(ctx: DphContext, naiveX: Planar): Promise<PreparedPass> {
  const { net, region: r } = ctx;
  const spec = net.spec;
  const x = cropPlanar(naiveX, r);
  const masks = cutLayerMasks(spec, ctx.masks.layers, r);
  const m0 = masks.get('input')!;
  const layers = [...new Set([...spec.pass1.style, spec.pass1.content])];
  const fullShapes = inferShapes(spec, ctx.width, ctx.height);
  const naiveFeatures = await computeFeatures(net, x, layers);

  ctx.onStage?.('matching-1');
  const taps: TapSpec[] = [];
  for (const layer of layers) {
    const mask = masks.get(layer)!;
    const heads: LossHead[] = [];
    if (layer === spec.pass1.content) {
      // Value unmasked, gradient masked (§2.2); the mean runs over the full image's grid so the
      // crop does not change the balance against the style terms.
      const [c, fh, fw] = fullShapes.get(layer)!;
      heads.push({ kind: 'content', weight: PASS1_WEIGHTS.content, target: naiveFeatures.get(layer)!.data, maskedValue: false, count: c * fh * fw, maskOwnGradient: false });
    }
    if (spec.pass1.style.includes(layer)) {
      const positions = positionsWhere(mask, (v) => v > 0);
      const painting = ctx.paintingFeatures.get(layer)!;
      const nn = await matchPatches(net, naiveFeatures.get(layer)!, positions, painting, { mode: 'ncc', borderRule: false, signal: ctx.signal });
      const target = await maskedGram(net, matchedFeatures(painting, mask, positions, nn), mask.data);
      heads.push({ kind: 'gram', weight: PASS1_WEIGHTS.style, target, maskOwnGradient: false });
    }
    taps.push({ layer, mask: mask.data, heads });
  }

  return {
    step: { width: r.width, height: r.height, taps, normalize: false, tvWeight: PASS1_WEIGHTS.tv * spec.tvScale.pass1, imageMask: m0.data },
    x, m0,
  };
}
