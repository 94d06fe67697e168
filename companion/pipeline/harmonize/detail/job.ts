// Native detail as one step of a harmonize job: whether the job has levels at all, what they are
// estimated to cost (for the ETA from the start), and running them with the job's progress.
import { toRgb, type Image } from '../../../image/image.js';
import type { Region, Size } from '../../../image/planar.js';
import type { JobProgress } from '../../common/progress.js';
import type { DocumentView } from '../document-view.js';
import { pasteImage, type DocRect } from './geometry.js';
import { levelPixels, objectRect, refineToNative, SECONDS_PER_MEGAPIXEL, type NativeSettings } from './native.js';
import { planLevels, type LevelPlan } from './plan.js';

export interface NativeDetailJob {
  plan: LevelPlan;
  rect: DocRect;
  /** Seconds the levels are expected to take before any has been timed. */
  estimateSeconds: number;
}

/** The job's levels, or undefined when the document is no larger than the working size (nothing to refine). */
export function planNativeDetail(doc: Size, size: number, mask: DocumentView): NativeDetailJob | undefined {
  const plan = planLevels(doc, size);
  if (plan.levels.length === 0) return undefined;
  const rect = objectRect(mask, plan);
  const pixels = levelPixels(plan, rect, doc).reduce((a, b) => a + b, 0);
  return { plan, rect, estimateSeconds: (pixels / 1e6) * SECONDS_PER_MEGAPIXEL };
}

/** Runs the levels as the stage `detail`: iteration k of n levels, with their ETA. Returns the object's rectangle (`job.rect`) refined. */
export async function runNativeDetail(job: NativeDetailJob, inputs: { painting: DocumentView; mask: DocumentView }, paper: Image, progress: JobProgress, signal?: AbortSignal, settings: NativeSettings = {}): Promise<{ region: Region; image: Image }> {
  progress.stage('detail');
  const n = job.plan.levels.length;
  const part = await refineToNative({ ...inputs, paper, plan: job.plan, rect: job.rect }, {
    signal,
    onLevel: (k, count, _level, eta) => progress.step(k, count, eta),
  }, settings);
  progress.step(n, n, 0);
  return part;
}

/** The whole document: a copy of its painting (RGB) with `part` pasted in. */
export function intoDocument(painting: Image, part: { region: Region; image: Image }): Image {
  const base = toRgb(painting);
  const out: Image = { ...base, data: base === painting ? base.data.slice() : base.data };
  pasteImage(out, part.region, part.image);
  return out;
}
