// Deep Painterly Harmonization (Luan et al. 2018), the paper's steps in order:
// inputs → working size and masks (§1) → pass 1 (§2) → pass 2 (§3) → composite → post (§5).
import { PainterlyError, throwIfCancelled } from '../../shared/errors.js';
import { firstChannel, toRgb, type Image } from '../image/image.js';
import { resize, workingSize } from '../image/resize.js';
import { encodeJpegRoundTrip } from '../image/io.js';
import { pastePlanar, type Planar, type Region } from '../image/planar.js';
import { loadNetwork, type Network } from '../compute/network.js';
import { allTaps, checkInputSize, minimumSide } from '../compute/backbones/index.js';
import { computeFeatures } from '../compute/graphs/features.js';
import { fromNetworkSpace, toNetworkSpace } from './common/network-space.js';
import { JobProgress } from './common/progress.js';
import { HARMONIZE_JOB_DEFAULTS } from '../../shared/options.js';
import { blurTightMaskTorch, dilateTightMask, dphMasks, type DphMasks } from './dph/masks.js';
import { postProcess, softCompositingMask } from './dph/post-process.js';
import { paintingNoise } from './dph/style-weights.js';
import type { DphContext } from './dph/context.js';
import { regionOfInterest, fullRegion } from './dph/region.js';
import { runPass } from './dph/pass.js';
import { preparePass1 } from './dph/pass1.js';
import { preparePass2 } from './dph/pass2.js';
import { planNativeDetail, runNativeDetail } from './detail/job.js';
import type { HarmonizeInputs, HarmonizeOptions, HarmonizeResult, PipelineHooks } from './types.js';

/** The option table's defaults (shared/options.ts); options arrive checked by the CLI or the protocol. */
export const HARMONIZE_DEFAULTS: Readonly<HarmonizeOptions> = Object.freeze({ ...HARMONIZE_JOB_DEFAULTS, device: 'auto' });

/** Longest side the original works at; dilated masks are made at most at this resolution (§1.2). */
const DILATION_SIDE = 700;
/** The painting's noise (which sets the TV/histogram balance, §3.6) is measured at the original's scale. */
const NOISE_SIDE = 700;
/** Estimated seconds of post-processing at 700 px, for the ETA. */
const POST_SECONDS = 3;

export interface HarmonizeInternals {
  /** Use this network instead of loading one (tests, benchmarks). */
  network?: Network;
  /** Optimise this region instead of the region of interest (tests compare crop vs whole). */
  region?: 'roi' | 'full';
  /** Extra context around what the losses read, in working-size pixels (default none). */
  margin?: number;
  /** Sees each pass before it is optimised (bench/tv-calibration.ts). */
  onPrepared?: DphContext['onPrepared'];
}

export async function harmonize(inputs: HarmonizeInputs, options: Partial<HarmonizeOptions> = {}, hooks: PipelineHooks = {}, internals: HarmonizeInternals = {}): Promise<HarmonizeResult> {
  const opts = { ...HARMONIZE_DEFAULTS, ...options };
  validateInputs(inputs);
  const { signal } = hooks;
  const { width: W0, height: H0 } = inputs.composite;
  // Native detail: levels from the working size up to the inputs' size (none for a small document).
  const native = opts.detail === 'native' ? planNativeDetail({ width: W0, height: H0 }, opts.size, inputs.mask) : undefined;
  const afterSeconds = (opts.postProcess ? POST_SECONDS : 0) + (native?.estimateSeconds ?? 0);
  const progress = new JobProgress(hooks.onProgress, { iterations: [opts.pass1Iters, opts.pass2Iters], afterSeconds });

  progress.stage('loading model');
  const net = internals.network ?? (await loadNetwork(opts.backbone, { weightsFile: opts.weightsFile, device: opts.device }));
  throwIfCancelled(signal);

  // §1: working size (never upscaled), masks.
  progress.stage('preparing');
  const { width: W, height: H } = Math.max(W0, H0) > opts.size ? workingSize(W0, H0, opts.size) : { width: W0, height: H0 };
  const painting = toRgb(resize(inputs.painting, W, H));
  const naive = toRgb(resize(inputs.composite, W, H));
  const tight = resize(firstChannel(inputs.mask), W, H);
  const dilated = inputs.dilatedMask ? resize(firstChannel(inputs.dilatedMask), W, H) : makeDilatedMask(firstChannel(inputs.mask), W, H);
  // The loose mask must contain the object: a tiny selection can vanish in the dilation's blur,
  // and a user-supplied loose mask may not cover the tight one. Where it does (≥ 0.5), its soft
  // values stay as they are, as in the original.
  for (let i = 0; i < dilated.data.length; i++) if (tight.data[i] > 0.1 && dilated.data[i] < 0.5) dilated.data[i] = 1;

  const taps = allTaps(net.spec);
  checkInputSize(net.spec, W, H, taps, 'image');
  const masks = dphMasks(net.spec, dilated, tight);
  const region = chooseRegion(net, masks, internals);
  const paintingX = toNetworkSpace(painting, net.spec.preprocess);
  const naiveX = toNetworkSpace(naive, net.spec.preprocess);
  const paintingFeatures = await computeFeatures(net, paintingX, taps);
  throwIfCancelled(signal);

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
    net, width: W, height: H, painting, naive, tight, dilated, masks, region, paintingFeatures, signal,
    onStage: (s) => progress.stage(s),
    onPrepared: internals.onPrepared,
    onIteration: (pass, it, total, x) => progress.iteration(pass, it, total, () => composite(x)),
  };

  const p1 = await runPass(ctx, 1, await preparePass1(ctx, naiveX), opts.pass1Iters);
  // The original saves pass 1 as a quality-75 JPEG, and that lossy image is what pass 2 reads.
  const pass1 = await encodeJpegRoundTrip(composite(p1.x), 75);
  throwIfCancelled(signal);
  const pass1X = toNetworkSpace(pass1, net.spec.preprocess);
  const noiseScale = workingSize(W0, H0, NOISE_SIDE);
  const noise = paintingNoise(resize(inputs.painting, noiseScale.width, noiseScale.height));
  const p2 = await runPass(ctx, 2, await preparePass2(ctx, naiveX, pass1X, opts.tau, noise), opts.pass2Iters);
  const pass2 = composite(p2.x);
  throwIfCancelled(signal);

  let final = pass2;
  if (opts.postProcess) {
    progress.stage('post-processing');
    final = await postProcess(pass2, naive, painting, tight, { signal, onProgress: (s) => progress.stage(`post-processing: ${s}`) });
  }
  throwIfCancelled(signal);

  const image = native ? await runNativeDetail(native, inputs, final, progress, signal)
    : W === W0 && H === H0 ? final : toInputResolution(final, inputs.painting, tight, W0, H0);
  progress.done();
  return { image, stages: { pass1, pass2, final }, device: net.device };
}

/** The region of interest (or the whole image when asked, or when the crop is too small for the deepest taps). */
function chooseRegion(net: Network, masks: DphMasks, internals: HarmonizeInternals): Region {
  const { width: W, height: H } = masks.layers.get('input')!;
  if (internals.region === 'full') return fullRegion(W, H);
  const region = regionOfInterest(net.spec, masks, internals.margin);
  // A tiny object near a corner of a small image gives a crop too small for the deepest taps.
  const side = minimumSide(net.spec, allTaps(net.spec));
  return region.width < side || region.height < side ? fullRegion(W, H) : region;
}

/** The working-size result placed into the full-resolution painting through a soft mask. */
export function toInputResolution(final: Image, painting: Image, tight: Image, W0: number, H0: number): Image {
  const up = resize(final, W0, H0);
  const soft = resize(softCompositingMask(tight), W0, H0).data;
  const base = toRgb(painting);
  const out = { width: W0, height: H0, channels: 3, data: new Float32Array(W0 * H0 * 3) };
  for (let i = 0; i < W0 * H0; i++) {
    const s = soft[i];
    for (let c = 0; c < 3; c++) out.data[i * 3 + c] = up.data[i * 3 + c] * s + base.data[i * 3 + c] * (1 - s);
  }
  return out;
}

function makeDilatedMask(tight: Image, W: number, H: number): Image {
  // dilate_mask.m ran at the stored resolution (≤ 700 px); grow at that scale, then resize.
  const side = Math.max(tight.width, tight.height);
  const small = side > DILATION_SIDE ? workingSize(tight.width, tight.height, DILATION_SIDE) : undefined;
  const at = small ? resize(tight, small.width, small.height) : tight;
  return resize(dilateTightMask(at), W, H);
}

export function validateInputs(inputs: HarmonizeInputs): void {
  const { painting, composite, mask, dilatedMask } = inputs;
  const size = (i: Image): string => `${i.width}×${i.height}`;
  for (const [name, img] of [['painting', painting], ['mask', mask], ['dilated mask', dilatedMask]] as const) {
    if (img && (img.width !== composite.width || img.height !== composite.height)) {
      throw new PainterlyError('SIZE_MISMATCH', `The ${name} is ${size(img)} but the composite is ${size(composite)}; they must be the same size.`);
    }
  }
  const m = firstChannel(mask).data;
  let on = 0;
  for (let i = 0; i < m.length; i++) if (m[i] > 0.5) on++;
  if (on === 0) throw new PainterlyError('EMPTY_MASK', 'The mask is empty: it must be white where the pasted object is.');
  if (on === m.length) throw new PainterlyError('FULL_MASK', 'The mask covers the whole image: it must cover only the pasted object.');
}
