// The working-size state both passes share (§1): the images in network space, the region being
// optimised, the painting's features, and the composite of a crop (§2.4). Built once for the
// working size, and once more at half size when a schedule runs pass 1 there (schedule.ts).
import { firstChannel, toRgb, type Image } from '../../image/image.js';
import { resize, workingSize } from '../../image/resize.js';
import type { HarmonizeDocument } from '../types.js';
import { pastePlanar, type Planar, type Region, type Size } from '../../image/planar.js';
import type { Network } from '../../compute/network.js';
import { allTaps, minimumSide } from '../../compute/backbones/index.js';
import { computeFeatures } from '../../compute/graphs/features.js';
import { throwIfCancelled } from '../../../shared/errors.js';
import { fromNetworkSpace, toNetworkSpace } from '../common/network-space.js';
import { blurTightMaskTorch, dilateTightMask, dphMasks, type DphMasks } from './masks.js';
import { fullRegion, regionOfInterest } from './region.js';
import type { DphContext } from './context.js';

/** The inputs at one working size: RGB painting and naive composite, tight and dilated masks (1 channel). */
export interface WorkingImages {
  painting: Image;
  naive: Image;
  tight: Image;
  dilated: Image;
}

/** Longest side the original works at; dilated masks are made at most at this resolution (§1.2). */
const DILATION_SIDE = 700;

/** The working size of a document: Torch's size rule at `size`, never enlarging. */
export function workingSizeOf(doc: Size, size: number): Size {
  return Math.max(doc.width, doc.height) > size ? workingSize(doc.width, doc.height, size) : { width: doc.width, height: doc.height };
}

/** §1: the inputs of a whole document at the working size (never upscaled) with the loose mask made or checked. */
export function workingImages(inputs: HarmonizeDocument, size: number): WorkingImages {
  const { width: W, height: H } = workingSizeOf(inputs.composite, size);
  const painting = toRgb(resize(inputs.painting, W, H));
  const naive = toRgb(resize(inputs.composite, W, H));
  const tight = resize(firstChannel(inputs.mask), W, H);
  const dilated = inputs.dilatedMask ? resize(firstChannel(inputs.dilatedMask), W, H) : makeDilatedMask(firstChannel(inputs.mask), W, H);
  holdObject(tight, dilated);
  return { painting, naive, tight, dilated };
}

/**
 * The loose mask must contain the object: a tiny selection can vanish in the dilation's blur,
 * and a user-supplied loose mask may not cover the tight one. Where it does (≥ 0.5), its soft
 * values stay as they are, as in the original. In place.
 */
export function holdObject(tight: Image, dilated: Image): void {
  for (let i = 0; i < dilated.data.length; i++) if (tight.data[i] > 0.1 && dilated.data[i] < 0.5) dilated.data[i] = 1;
}

/** dilate_mask.m ran at the stored resolution (≤ 700 px): the size the loose mask is grown at, the document's or 700 px on its longer side. */
export function dilationSize(doc: Size): Size {
  return Math.max(doc.width, doc.height) > DILATION_SIDE ? workingSize(doc.width, doc.height, DILATION_SIDE) : { width: doc.width, height: doc.height };
}

/** The loose mask at W×H, grown from the tight mask at dilationSize (§1.2). */
export function looseMask(tightAtDilationSize: Image, W: number, H: number): Image {
  return resize(dilateTightMask(tightAtDilationSize), W, H);
}

function makeDilatedMask(tight: Image, W: number, H: number): Image {
  const small = dilationSize(tight);
  const at = small.width !== tight.width || small.height !== tight.height ? resize(tight, small.width, small.height) : tight;
  return looseMask(at, W, H);
}

export interface SetupOptions {
  /** Optimise the whole image instead of the region of interest. */
  region?: 'roi' | 'full';
  /** Extra context around what the losses read, in working-size pixels (default none). */
  margin?: number;
  signal?: AbortSignal;
  onStage?: DphContext['onStage'];
  onPrepared?: DphContext['onPrepared'];
  onIteration?: DphContext['onIteration'];
}

export interface DphSetup {
  ctx: DphContext;
  /** The naive composite and the painting in network space, whole working size. */
  naiveX: Planar;
  paintingX: Planar;
  /** §2.4: a crop pasted into the naive composite, inside the blurred tight mask, the painting outside. */
  composite(crop: Planar): Image;
}

export async function setUpDph(net: Network, images: WorkingImages, o: SetupOptions = {}): Promise<DphSetup> {
  const { painting, naive, tight, dilated } = images;
  const { width: W, height: H } = naive;
  const masks = dphMasks(net.spec, dilated, tight);
  const region = chooseRegion(net, masks, o);
  const paintingX = toNetworkSpace(painting, net.spec.preprocess);
  const naiveX = toNetworkSpace(naive, net.spec.preprocess);
  const paintingFeatures = await computeFeatures(net, paintingX, allTaps(net.spec));
  throwIfCancelled(o.signal);

  const blurredTight = firstChannel(blurTightMaskTorch(tight)).data;
  const composite = (crop: Planar): Image => {
    // §2.4: x inside the blurred tight mask, the painting outside, then deprocess and clamp.
    const full = { ...naiveX, data: naiveX.data.slice() };
    pastePlanar(full, region, crop);
    const n = W * H;
    const f = full.data;
    for (let c = 0; c < 3; c++) for (let i = 0; i < n; i++) f[c * n + i] = f[c * n + i] * blurredTight[i] + paintingX.data[c * n + i] * (1 - blurredTight[i]);
    return fromNetworkSpace(full, net.spec.preprocess);
  };
  const ctx: DphContext = {
    net, width: W, height: H, painting, naive, tight, dilated, masks, region, paintingFeatures, signal: o.signal,
    onStage: o.onStage, onPrepared: o.onPrepared, onIteration: o.onIteration,
  };
  return { ctx, naiveX, paintingX, composite };
}

/** The region of interest (or the whole image when asked, or when the crop is too small for the deepest taps). */
function chooseRegion(net: Network, masks: DphMasks, o: SetupOptions): Region {
  const { width: W, height: H } = masks.layers.get('input')!;
  if (o.region === 'full') return fullRegion(W, H);
  const region = regionOfInterest(net.spec, masks, o.margin);
  // A tiny object near a corner of a small image gives a crop too small for the deepest taps.
  const side = minimumSide(net.spec, allTaps(net.spec));
  return region.width < side || region.height < side ? fullRegion(W, H) : region;
}
