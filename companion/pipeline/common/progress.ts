// Progress for a job of either pipeline: its stages (by id, shared/stages.ts), the iterations of
// its two optimisations (DPH's passes, photo style's stages), an ETA for the whole job, a small
// preview now and then (the one preview policy, PREVIEW_POLICY: at most one per interval, and one
// at the end of each optimisation), and notes for the user.
import type { Image } from '../../image/image.js';
import { resize } from '../../image/resize.js';
import { PREVIEW_POLICY, type StageId } from '../../../shared/stages.js';
import type { PipelineHooks, Progress } from '../types.js';

export interface ProgressPlan {
  /** Iterations of the first and second optimisation (the most each may run). */
  iterations: [number, number];
  /**
   * Iterations each is expected to run when a stopping rule may end it sooner (the ETA counts
   * these; default `iterations`). Past its expected count, a running one is expected to end
   * within `checkEvery` more iterations (its rule's window).
   */
  expected?: [number, number];
  checkEvery?: number;
  /** Cost of an iteration of the second relative to one of the first, until measured (default 1; 4 after a half-size first). */
  costRatio?: number;
  /** Estimated seconds of the work after them (post-processing, smoothing). */
  afterSeconds: number;
  /** The stage that does that work, whose ETA is `afterSeconds` (when it has no iterations). */
  afterStage?: StageId;
}

export class JobProgress {
  private stageName: StageId = 'loading-model';
  private stageStart = 0;
  private rate: [number, number] = [NaN, NaN];
  private lastPreview = -Infinity;

  private readonly emit: ((p: Progress) => void) | undefined;
  private readonly onNote: ((sentence: string) => void) | undefined;

  constructor(
    hooks: Pick<PipelineHooks, 'onProgress' | 'onNote'>,
    private readonly plan: ProgressPlan,
  ) {
    this.emit = hooks.onProgress;
    this.onNote = hooks.onNote;
  }

  stage(name: StageId): void {
    this.stageName = name;
    this.stageStart = performance.now();
    this.emit?.({ stage: name, iteration: 0, total: 0, etaSeconds: this.eta(0, 0) });
  }

  note(sentence: string): void {
    this.onNote?.(sentence);
  }

  /** After iteration `it` of optimisation `which`; `preview` is called only when a preview is due. */
  iteration(which: 1 | 2, it: number, total: number, preview: () => Image): void {
    if (!this.emit) return;
    const now = performance.now();
    this.rate[which - 1] = (now - this.stageStart) / 1000 / Math.max(1, it);
    const p: Progress = { stage: this.stageName, iteration: it, total, etaSeconds: this.eta(which, this.expectedLeft(which, it, total)) };
    if (now - this.lastPreview >= PREVIEW_POLICY.intervalMs || it === total) {
      this.lastPreview = now;
      p.preview = small(preview());
    }
    this.emit(p);
  }

  /**
   * Optimisation `which` stopped early, after iteration `it`: one last event shows it complete
   * (`it` of `it`) with its picture, and the ETA no longer counts its remaining iterations.
   */
  stoppedEarly(which: 1 | 2, it: number, preview: () => Image): void {
    if (!this.emit) return;
    this.lastPreview = performance.now();
    this.emit({ stage: this.stageName, iteration: it, total: it, etaSeconds: this.eta(which, 0), preview: small(preview()) });
  }

  /** A step with a known number of sub-steps but no preview (e.g. smoothing). */
  step(it: number, total: number, etaSeconds?: number): void {
    this.emit?.({ stage: this.stageName, iteration: it, total, etaSeconds });
  }

  done(): void {
    this.emit?.({ stage: 'done', iteration: 0, total: 0, etaSeconds: 0 });
  }

  /** Iterations optimisation `which` is expected to run after `it`: to its expected count, then up to its next check. */
  private expectedLeft(which: 1 | 2, it: number, total: number): number {
    const expected = this.plan.expected?.[which - 1] ?? total;
    if (it < expected) return expected - it;
    return Math.min(total - it, this.plan.checkEvery ?? total - it);
  }

  /** Seconds left: iterations at the measured rates (the second assumed `costRatio` × the first until measured), then the work after. */
  private eta(which: 0 | 1 | 2, leftInStage: number): number | undefined {
    const [t1, t2] = this.rate;
    if (!Number.isFinite(t1) && !Number.isFinite(t2)) return undefined;
    const r2 = Number.isFinite(t2) ? t2 : t1 * (this.plan.costRatio ?? 1);
    const { afterSeconds, afterStage } = this.plan;
    const second = this.plan.expected?.[1] ?? this.plan.iterations[1];
    if (which === 1) return leftInStage * t1 + second * r2 + afterSeconds;
    if (which === 2) return leftInStage * r2 + afterSeconds;
    if (afterStage !== undefined && this.stageName === afterStage) return afterSeconds;
    return undefined;
  }
}

/** At most PREVIEW_POLICY.maxSide on the longer side. */
function small(img: Image): Image {
  const side = PREVIEW_POLICY.maxSide;
  const m = Math.max(img.width, img.height);
  if (m <= side) return img;
  return resize(img, Math.max(1, Math.round((img.width * side) / m)), Math.max(1, Math.round((img.height * side) / m)));
}
