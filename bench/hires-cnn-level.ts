// CNN refinement of one level: pass 2 (§3) run again on this level's crop, with its matching,
// used set and Gram/histogram targets taken from the painting at this level's resolution, but
// starting from the level below (moved up) instead of the naive composite and for far fewer
// iterations. The crop is the canvas: the level never sees the rest of the document.
import { throwIfCancelled } from '../shared/errors.js';
import type { Image } from '../companion/image/image.js';
import type { Planar } from '../companion/image/planar.js';
import type { Network } from '../companion/compute/network.js';
import { allTaps } from '../companion/compute/backbones/index.js';
import { computeFeatures } from '../companion/compute/graphs/features.js';
import { fromNetworkSpace, toNetworkSpace } from '../companion/pipeline/common/network-space.js';
import type { DphContext } from '../companion/pipeline/harmonize/context.js';
import { dphMasks } from '../companion/pipeline/harmonize/masks.js';
import { fullRegion } from '../companion/pipeline/harmonize/region.js';
import { runPass } from '../companion/pipeline/harmonize/pass.js';
import { preparePass2 } from '../companion/pipeline/harmonize/pass2.js';

export interface CnnLevelInputs {
  /** The level below moved onto this crop (RGB). */
  start: Image;
  /** The naive composite, the tight and the dilated mask on this crop. */
  naive: Image;
  tight: Image;
  dilated: Image;
  /** The painting on a window of this level's canvas (what matching and the style targets see). */
  painting: Image;
}

export interface CnnLevelOptions {
  iterations: number;
  tau: number;
  /** The painting's noise at the paper's scale (§3.6), as the paper level measured it. */
  noise: number;
  signal?: AbortSignal;
  onStage?: DphContext['onStage'];
  onIteration?: (iteration: number, total: number) => void;
}

/** One CNN level; returns the optimised crop (RGB; the start image where the dilated mask is 0). */
export async function refineLevelCnn(net: Network, inp: CnnLevelInputs, opts: CnnLevelOptions): Promise<Image> {
  const { width, height } = inp.start;
  const pre = net.spec.preprocess;
  const paintingX = toNetworkSpace(inp.painting, pre);
  const paintingFeatures = await computeFeatures(net, paintingX, allTaps(net.spec));
  throwIfCancelled(opts.signal);
  const tight = plane(inp.tight);
  const dilated = plane(inp.dilated);
  const ctx: DphContext = {
    net, width, height, painting: inp.painting, naive: inp.naive,
    tight, dilated, masks: dphMasks(net.spec, dilated, tight), region: fullRegion(width, height), paintingFeatures, signal: opts.signal,
    onStage: opts.onStage,
    onIteration: (_pass, it, total) => opts.onIteration?.(it, total),
  };
  const startX = toNetworkSpace(inp.start, pre);
  const prepared = await preparePass2(ctx, toNetworkSpace(inp.naive, pre), startX, opts.tau, opts.noise);
  // Start from the level below, not from the naive composite as pass 2 does.
  prepared.x.data.set(startX.data);
  const done = await runPass(ctx, 2, prepared, opts.iterations);
  return fromNetworkSpace(done.x, pre);
}

function plane(img: Image): Planar {
  return { data: img.data, channels: 1, width: img.width, height: img.height };
}
