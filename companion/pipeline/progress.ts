// Progress and ETA for a harmonization job: stage names, iterations of both passes, and a small
// preview image now and then (at most every PREVIEW_INTERVAL_MS).
import type { Image } from '../image/image.js';
import { resize } from '../image/resize.js';
import type { Progress } from './types.js';

const PREVIEW_INTERVAL_MS = 2000;
const PREVIEW_SIDE = 256;

export class ProgressTracker {
  private stageName = 'starting';
  private passStart = 0;
  private perIteration: [number, number] = [NaN, NaN];
  private lastPreview = 0;

  constructor(
    private readonly emit: ((p: Progress) => void) | undefined,
    private readonly pass1Iters: number,
    private readonly pass2Iters: number,
    private readonly post: boolean,
  ) {}

  stage(name: string): void {
    this.stageName = name;
    this.passStart = performance.now();
    this.emit?.({ stage: name, iteration: 0, total: 0, etaSeconds: this.eta(0, 0) });
  }

  iteration(pass: 1 | 2, it: number, total: number, preview: () => Image): void {
    if (!this.emit) return;
    const now = performance.now();
    this.perIteration[pass - 1] = (now - this.passStart) / 1000 / Math.max(1, it);
    const p: Progress = { stage: this.stageName, iteration: it, total, etaSeconds: this.eta(pass, total - it) };
    if (now - this.lastPreview > PREVIEW_INTERVAL_MS || it === total) {
      this.lastPreview = now;
      p.preview = small(preview());
    }
    this.emit(p);
  }

  done(): void {
    this.emit?.({ stage: 'done', iteration: 0, total: 0, etaSeconds: 0 });
  }

  /** Seconds left: remaining iterations at the measured rate (pass 2 assumed like pass 1 until measured). */
  private eta(pass: 0 | 1 | 2, leftInPass: number): number | undefined {
    const [t1, t2] = this.perIteration;
    const rate2 = Number.isFinite(t2) ? t2 : t1;
    if (!Number.isFinite(t1) && !Number.isFinite(t2)) return undefined;
    let s = 0;
    if (pass === 1) s = leftInPass * t1 + this.pass2Iters * rate2;
    else if (pass === 2) s = leftInPass * rate2;
    else return undefined;
    // Post-processing is a few seconds at 700 px.
    return s + (this.post ? 3 : 0);
  }
}

function small(img: Image): Image {
  const m = Math.max(img.width, img.height);
  if (m <= PREVIEW_SIDE) return img;
  return resize(img, Math.max(1, Math.round((img.width * PREVIEW_SIDE) / m)), Math.max(1, Math.round((img.height * PREVIEW_SIDE) / m)));
}
