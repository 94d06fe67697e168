// Deep Photo Style Transfer (Luan et al. 2017), the steps in order
// (docs/algorithm/photo-style.md): inputs and labels at working size (§0, §2.1) →
// content and per-label style targets (§2.2, §2.3) → stage 1 from noise (§3) → stage 2 with the
// matting-Laplacian photorealism term (§1) → smoothing (§4 or §6) → the content's resolution.
import { PainterlyError, throwIfCancelled } from '../../../shared/errors.js';
import { toRgb, type Image } from '../../image/image.js';
import type { Planar } from '../../image/planar.js';
import { loadNetwork, type Network } from '../../compute/network.js';
import { checkInputSize, photoTaps } from '../../compute/backbones/index.js';
import { fromNetworkSpace, toNetworkSpace } from '../common/network-space.js';
import { JobProgress } from '../common/progress.js';
import { PHOTO_STYLE_JOB_DEFAULTS } from '../../../shared/options.js';
import { prepareInputs } from './prepare.js';
import { buildPhotoTaps } from './targets.js';
import { noiseInit, runStage, type StageSpec } from './stages.js';
import { mattingLaplacianOperator } from './matting-laplacian.js';
import { PHOTO_STYLE_WEIGHTS } from './weights.js';
import { runSmoothing, SMOOTHING_MODES, SMOOTHING_SECONDS_PER_PIXEL } from './smoothing.js';
import { toContentResolution } from './full-resolution.js';
import type { PhotoStyleInputs, PhotoStyleOptions, PhotoStyleResult, PipelineHooks, PipelineOptions } from '../types.js';

/** The option table's defaults (shared/options.ts); options arrive checked by the CLI or the protocol. */
export const PHOTO_STYLE_DEFAULTS: Readonly<PhotoStyleOptions> = Object.freeze({ ...PHOTO_STYLE_JOB_DEFAULTS, device: 'auto' });

export interface PhotoStyleInternals {
  /** Use this network instead of loading one (tests, benchmarks). */
  network?: Network;
  /** Stage-1 noise seed (default 612, the original's). */
  seed?: number;
  /** Photorealism weight λ (default 1e4, scaled like TV for backbones other than VGG). */
  lambda?: number;
  /** L-BFGS history size (default: 100, fewer when it would not fit 1 GiB). */
  history?: number;
  /** Where smoothing runs: a worker thread (default) or this thread. */
  smoothingThread?: 'worker' | 'inline';
}

export interface PhotoStyleOutcome extends PhotoStyleResult {
  /** Sentences for the user, e.g. a label found in only one image (also sent as progress notes). */
  notes: string[];
  /** Working-size results: stage 1 (8-bit, as stage 2 reads it), stage 2, and after smoothing. */
  stages: { stage1: Image; stage2: Image; final: Image };
}

export async function photoStyle(
  inputs: PhotoStyleInputs,
  options: PipelineOptions<PhotoStyleOptions> = {},
  hooks: PipelineHooks = {},
  internals: PhotoStyleInternals = {},
): Promise<PhotoStyleOutcome> {
  const opts: PhotoStyleOptions = { ...PHOTO_STYLE_DEFAULTS, ...options };
  const { signal } = hooks;

  const prepared = prepareInputs(inputs, opts.size);
  const { content, style } = prepared;
  const { width: W, height: H } = content;
  const progress = new JobProgress(hooks, {
    iterations: [opts.stage1Iters, opts.stage2Iters], afterSeconds: SMOOTHING_SECONDS_PER_PIXEL[opts.smoothing] * W * H, afterStage: 'smoothing',
  });
  for (const note of prepared.notes) progress.note(note);

  progress.stage('loading-model');
  const net = internals.network ?? (await loadNetwork(opts.backbone, { weightsFile: opts.weightsFile, device: opts.device }));
  checkInputSize(net.spec, content.width, content.height, photoTaps(net.spec), 'content photo');
  checkInputSize(net.spec, style.width, style.height, photoTaps(net.spec), 'style photo');
  throwIfCancelled(signal);
  const pre = net.spec.preprocess;

  progress.stage('style-targets');
  const { taps } = await buildPhotoTaps(net, {
    contentX: toNetworkSpace(content, pre), styleX: toNetworkSpace(style, pre),
    contentLabels: prepared.contentLabels, styleLabels: prepared.styleLabels, used: prepared.pairing.used,
  });
  throwIfCancelled(signal);

  // TV and λ are image-space regularisers tuned against VGG's gradients; other backbones scale
  // them as their TV is scaled (the photo weights are the pass-1 weights of harmonization).
  const regScale = net.spec.tvScale.pass1;
  const stage: StageSpec = { taps, width: W, height: H, tvWeight: PHOTO_STYLE_WEIGHTS.tv * regScale };
  const planes = (x: Float32Array): Planar => ({ data: x, channels: 3, width: W, height: H });
  const image = (x: Float32Array): Image => fromNetworkSpace(planes(x), pre);

  progress.stage('stage-1');
  const s1 = await runStage(net, stage, noiseInit(3 * W * H, internals.seed), {
    iterations: opts.stage1Iters, history: internals.history, signal,
    onIteration: (it, x) => progress.iteration(1, it, opts.stage1Iters, () => image(x)),
  });
  // The original saves stage 1 as a PNG and stage 2 reads it back: clamped and 8-bit.
  const stage1 = quantise8(image(s1.x));
  throwIfCancelled(signal);

  let stage2 = stage1;
  const restarts: [number, number] = [s1.restarts, 0];
  if (opts.stage2Iters > 0) {
    progress.stage('matting-laplacian');
    const laplacian = mattingLaplacianOperator(content);
    progress.stage('stage-2');
    const photorealism = { laplacian, lambda: internals.lambda ?? PHOTO_STYLE_WEIGHTS.photorealism * regScale };
    const s2 = await runStage(net, { ...stage, photorealism }, toNetworkSpace(stage1, pre).data, {
      iterations: opts.stage2Iters, history: internals.history, signal,
      onIteration: (it, x) => progress.iteration(2, it, opts.stage2Iters, () => image(x)),
    });
    stage2 = image(s2.x);
    restarts[1] = s2.restarts;
    throwIfCancelled(signal);
  }

  let final = stage2;
  let coefficients: Float64Array | undefined;
  if (opts.smoothing !== 'none') {
    progress.stage('smoothing');
    const smoothed = await runSmoothing({ mode: opts.smoothing, output: stage2, content }, {
      signal, thread: internals.smoothingThread, onProgress: (done, total) => progress.step(done, total),
    });
    final = smoothed.image;
    coefficients = smoothed.coefficients;
  }
  throwIfCancelled(signal);

  const full = toContentResolution(final, coefficients, content, toRgb(inputs.content));
  progress.done();
  return { image: full, device: net.device, restarts, notes: prepared.notes, stages: { stage1, stage2, final } };
}

/** Clamped to [0, 1] and rounded to 8-bit levels, as writing and re-reading a PNG does. */
export function quantise8(img: Image): Image {
  const data = new Float32Array(img.data.length);
  for (let i = 0; i < data.length; i++) data[i] = Math.round(Math.min(1, Math.max(0, img.data[i])) * 255) / 255;
  return { ...img, data };
}


