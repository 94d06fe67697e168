// The stages of a job, once: what a pipeline reports (by id), what the panel and the CLI show
// (label, unit) and where a stage sits on the job's progress bar. Plain data and no imports: the
// panel bundles this file. A new stage is a row here; the pipelines emit only these ids.

export interface StageInfo {
  /** What the panel and the CLI show while the stage runs. */
  label: string;
  /** What its steps count, when it has steps: the CLI prints it after the count. */
  unit?: 'it' | 'levels' | 'steps';
  /** Where the stage begins on the job's bar (0..1). */
  start: number;
  /** The part of the bar it fills from `start` as its steps complete (0: it only marks a point). */
  share: number;
}

const TABLE = {
  'loading-model': { label: 'Loading the model', start: 0, share: 0 },
  preparing: { label: 'Preparing', start: 0, share: 0 },
  // Harmonization: the two passes fill the bar, half each.
  'matching-1': { label: 'Matching brush strokes', start: 0, share: 0 },
  'pass-1': { label: 'Pass 1 of 2: painting', unit: 'it', start: 0, share: 0.5 },
  'matching-2': { label: 'Matching brush strokes', start: 0.5, share: 0 },
  'pass-2': { label: 'Pass 2 of 2: refining', unit: 'it', start: 0.5, share: 0.5 },
  'post-processing': { label: 'Post-processing', unit: 'steps', start: 1, share: 0 },
  // Full quality's last phase gets a bar of its own, level by level: the passes' bar is full by then.
  detail: { label: 'Refining detail to the document’s resolution', unit: 'levels', start: 0, share: 1 },
  // Photo style: its two stages fill the bar, half each.
  'style-targets': { label: 'Style targets', start: 0, share: 0 },
  'stage-1': { label: 'Stage 1 of 2', unit: 'it', start: 0, share: 0.5 },
  'matting-laplacian': { label: 'Matting Laplacian', start: 0.5, share: 0 },
  'stage-2': { label: 'Stage 2 of 2', unit: 'it', start: 0.5, share: 0.5 },
  smoothing: { label: 'Smoothing', unit: 'steps', start: 1, share: 0 },
  done: { label: 'Finishing', start: 1, share: 0 },
} as const satisfies Record<string, StageInfo>;

export type StageId = keyof typeof TABLE;
export const STAGES: Readonly<Record<StageId, StageInfo>> = Object.freeze(TABLE);
export const STAGE_IDS = Object.freeze(Object.keys(STAGES) as StageId[]);

export function isStageId(s: unknown): s is StageId {
  return typeof s === 'string' && Object.hasOwn(STAGES, s);
}

/** The stage's row; a stage this build does not know (a newer companion) shows its id on an empty bar. */
export function stageInfo(id: string): StageInfo {
  return isStageId(id) ? STAGES[id] : { label: id, start: 0, share: 0 };
}

/** How far along the job is (0..1) at step `iteration` of `total` of a stage. */
export function jobFraction(id: string, iteration: number, total: number): number {
  const s = stageInfo(id);
  const within = total > 0 ? iteration / total : 0;
  return Math.min(1, s.start + s.share * within);
}

/**
 * Previews, one policy for every path: the pipeline makes at most one per `intervalMs` (and one at
 * the end of each optimisation), at most `maxSide` pixels on the longer side, 8-bit RGB on the wire.
 */
export const PREVIEW_POLICY = Object.freeze({ intervalMs: 2000, maxSide: 256 });
