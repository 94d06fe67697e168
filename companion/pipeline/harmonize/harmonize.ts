// Deep Painterly Harmonization (Luan et al. 2018), the paper's steps in order:
// inputs → working size and masks (§1) → pass 1 (§2) → pass 2 (§3) → composite → post (§5).
// The inputs are a whole document, or a document in parts (the panel's, parts.ts); the result is
// the whole document, or for parts the object's rectangle.
import { PainterlyError, throwIfCancelled } from '../../../shared/errors.js';
import { NOISE_SIDE } from '../../../shared/native-window.js';
import { firstChannel, type Image } from '../../image/image.js';
import type { Region, Size } from '../../image/planar.js';
import { resize, workingSize } from '../../image/resize.js';
import { loadNetwork, type Network } from '../../compute/network.js';
import { allTaps, checkInputSize } from '../../compute/backbones/index.js';
import { JobProgress } from '../common/progress.js';
import { HARMONIZE_JOB_DEFAULTS } from '../../../shared/options.js';
import { postProcess } from './post-process.js';
import { paintingNoise } from './style-weights.js';
import type { DphContext } from './context.js';
import { setUpDph, workingImages } from './setup.js';
import { planPasses, runPasses, type PassPlan } from './schedule.js';
import { wholeDocument, type DocumentView } from './document-view.js';
import { toInputResolution, toInputResolutionOver } from './enlarge.js';
import { partsViews, partsWorkingImages } from './parts.js';
import { chooseTau } from './auto-tau.js';
import { validateParts } from './parts-checks.js';
import { intoDocument, planNativeDetail, runNativeDetail, type NativeDetailJob } from './detail/job.js';
import { cropImage } from './detail/geometry.js';
import { objectRect } from './detail/native.js';
import { planLevels } from './detail/plan.js';
import { isParts, type HarmonizeDocument, type HarmonizeInputs, type HarmonizeOptions, type HarmonizeResult, type PipelineHooks, type PipelineOptions } from '../types.js';

/** The option table's defaults (shared/options.ts); options arrive checked by the CLI or the protocol. */
export const HARMONIZE_DEFAULTS: Readonly<HarmonizeOptions> = Object.freeze({ ...HARMONIZE_JOB_DEFAULTS, device: 'auto' });

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
  const parts = isParts(inputs);
  if (parts) validateParts(inputs, opts.size, opts.detail);
  else validateInputs(inputs);
  const { signal } = hooks;
  const doc: Size = parts ? inputs.document : { width: inputs.composite.width, height: inputs.composite.height };
  const { width: W0, height: H0 } = doc;
  const views = parts ? partsViews(inputs) : { painting: wholeDocument(inputs.painting), mask: wholeDocument(inputs.mask) };
  const planned = planPasses(opts.schedule, opts.pass1Iters, opts.pass2Iters, Math.min(opts.size, Math.max(W0, H0)));
  const plans = internals.plans ? internals.plans(planned) : planned;
  // Native detail: levels from the working size up to the document's size (none for a small document).
  const native = opts.detail === 'native' ? planNativeDetail(doc, opts.size, views.mask) : undefined;
  const afterSeconds = (opts.postProcess ? POST_SECONDS : 0) + (native?.estimateSeconds ?? 0);
  const progress = new JobProgress(hooks, {
    iterations: [plans[0].iterations, plans[1].iterations], expected: [plans[0].expected, plans[1].expected],
    checkEvery: plans[1].stop?.window, costRatio: plans[0].scale === 0.5 ? 4 : 1, afterSeconds,
  });

  progress.stage('loading-model');
  const net = internals.network ?? (await loadNetwork(opts.backbone, { weightsFile: opts.weightsFile, device: opts.device }));
  throwIfCancelled(signal);

  // §1: working size (never upscaled), masks; τ, when it is read from the painting.
  progress.stage('preparing');
  const { tau, auto } = chooseTau(opts.tau, inputs.painting, hooks);
  const images = parts ? partsWorkingImages(inputs, opts.size) : workingImages(inputs, opts.size);
  const { painting, naive, tight } = images;
  const { width: W, height: H } = naive;

  checkInputSize(net.spec, W, H, allTaps(net.spec), 'image');
  const setup = await setUpDph(net, images, {
    region: internals.region, margin: internals.margin, signal,
    onStage: (s) => progress.stage(s),
    onPrepared: internals.onPrepared,
  });

  // The whole painting, the document's or the panel's (on a canvas of at least 700 px when the document is).
  const noiseScale = workingSize(W0, H0, NOISE_SIDE);
  const noise = paintingNoise(resize(inputs.painting, noiseScale.width, noiseScale.height));
  const { pass1, pass2, restarts } = await runPasses(setup, images, {
    plans, tau, noise,
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

  const result = await atDocumentResolution(inputs, { final, tight, views, native, size: opts.size }, progress, signal);
  progress.done();
  return { ...result, stages: { pass1, pass2, final }, device: net.device, restarts, tau, ...(auto ? { auto } : {}) };
}

interface Step8 {
  /** The working-size result and tight mask. */
  final: Image;
  tight: Image;
  views: { painting: DocumentView; mask: DocumentView };
  native?: NativeDetailJob;
  size: number;
}

/** Step 8 (§5): the result at the document's resolution — the whole document, or for parts the object's rectangle and where it lies. */
async function atDocumentResolution(inputs: HarmonizeInputs, s: Step8, progress: JobProgress, signal?: AbortSignal): Promise<{ image: Image; region?: Region }> {
  const { final, tight, views, native } = s;
  const doc = views.painting.doc;
  const atWorkingSize = final.width === doc.width && final.height === doc.height;
  if (!isParts(inputs)) {
    if (native) return { image: intoDocument(inputs.painting, await runNativeDetail(native, views, final, progress, signal)) };
    return { image: atWorkingSize ? final : toInputResolution(final, inputs.painting, tight, doc.width, doc.height) };
  }
  if (native) return runNativeDetail(native, views, final, progress, signal);
  const rect = objectRect(views.mask, planLevels(doc, s.size));
  return { image: atWorkingSize ? cropImage(final, rect) : toInputResolutionOver(final, views.painting, tight, rect), region: rect };
}

/** Throws SIZE_MISMATCH, EMPTY_MASK or FULL_MASK unless a whole document can be harmonized (parts: parts-checks.ts). */
export function validateInputs(inputs: HarmonizeDocument): void {
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
