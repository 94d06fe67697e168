// Deep Painterly Harmonization (Luan et al. 2018), the paper's steps in order:
// inputs → working size and masks (§1) → pass 1 (§2) → pass 2 (§3) → composite → post (§5).
import { PainterlyError, throwIfCancelled } from '../../../shared/errors.js';
import { firstChannel, toRgb, type Image } from '../../image/image.js';
import { resize, workingSize } from '../../image/resize.js';
import { loadNetwork, type Network } from '../../compute/network.js';
import { allTaps, checkInputSize } from '../../compute/backbones/index.js';
import { JobProgress } from '../common/progress.js';
import { HARMONIZE_JOB_DEFAULTS } from '../../../shared/options.js';
import { postProcess, softCompositingMask } from './post-process.js';
import { paintingNoise } from './style-weights.js';
import type { DphContext } from './context.js';
import { setUpDph, workingImages } from './setup.js';
import { planPasses, runPasses, type PassPlan } from './schedule.js';
import { planNativeDetail, runNativeDetail } from './detail/job.js';
import type { HarmonizeInputs, HarmonizeOptions, HarmonizeResult, PipelineHooks, PipelineOptions } from '../types.js';

/** The option table's defaults (shared/options.ts); options arrive checked by the CLI or the protocol. */
export const HARMONIZE_DEFAULTS: Readonly<HarmonizeOptions> = Object.freeze({ ...HARMONIZE_JOB_DEFAULTS, device: 'auto' });

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
  /** Changes the schedule's plans (bench/schedule.ts: fixed counts on synthetic weights, whose stopping point means nothing). */
  plans?: (planned: [PassPlan, PassPlan]) => [PassPlan, PassPlan];
}

export async function harmonize(inputs: HarmonizeInputs, options: PipelineOptions<HarmonizeOptions> = {}, hooks: PipelineHooks = {}, internals: HarmonizeInternals = {}): Promise<HarmonizeResult> {
  const opts: HarmonizeOptions = { ...HARMONIZE_DEFAULTS, ...options };
  validateInputs(inputs);
  const { signal } = hooks;
  const { width: W0, height: H0 } = inputs.composite;
  const planned = planPasses(opts.schedule, opts.pass1Iters, opts.pass2Iters, Math.min(opts.size, Math.max(W0, H0)));
  const plans = internals.plans ? internals.plans(planned) : planned;
  // Native detail: levels from the working size up to the inputs' size (none for a small document).
  const native = opts.detail === 'native' ? planNativeDetail({ width: W0, height: H0 }, opts.size, inputs.mask) : undefined;
  const afterSeconds = (opts.postProcess ? POST_SECONDS : 0) + (native?.estimateSeconds ?? 0);
  const progress = new JobProgress(hooks, {
    iterations: [plans[0].iterations, plans[1].iterations], expected: [plans[0].expected, plans[1].expected],
    checkEvery: plans[1].stop?.window, costRatio: plans[0].scale === 0.5 ? 4 : 1, afterSeconds,
  });

  progress.stage('loading-model');
  const net = internals.network ?? (await loadNetwork(opts.backbone, { weightsFile: opts.weightsFile, device: opts.device }));
  throwIfCancelled(signal);

  // §1: working size (never upscaled), masks.
  progress.stage('preparing');
  const images = workingImages(inputs, opts.size);
  const { painting, naive, tight, dilated } = images;
  const { width: W, height: H } = naive;

  checkInputSize(net.spec, W, H, allTaps(net.spec), 'image');
  const setup = await setUpDph(net, images, {
    region: internals.region, margin: internals.margin, signal,
    onStage: (s) => progress.stage(s),
    onPrepared: internals.onPrepared,
  });

  const noiseScale = workingSize(W0, H0, NOISE_SIDE);
  const noise = paintingNoise(resize(inputs.painting, noiseScale.width, noiseScale.height));
  const { pass1, pass2, restarts } = await runPasses(setup, images, {
    plans, tau: opts.tau, noise,
    onIteration: (pass, it, total, preview) => progress.iteration(pass, it, total, preview),
    onEarlyStop: (pass, it, preview) => progress.stoppedEarly(pass, it, preview),
  });
  throwIfCancelled(signal);

  let final = pass2;
  if (opts.postProcess) {
    progress.stage('post-processing');
    final = await postProcess(pass2, naive, painting, tight, { signal, onStep: (done, total) => progress.step(done, total) });
  }
  throwIfCancelled(signal);

  const image = native ? await runNativeDetail(native, inputs, final, progress, signal)
    : W === W0 && H === H0 ? final : toInputResolution(final, inputs.painting, tight, W0, H0);
  progress.done();
  return { image, stages: { pass1, pass2, final }, device: net.device, restarts };
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
