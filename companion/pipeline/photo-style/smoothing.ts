// The post-process of photo style transfer: smooth local affine (spec §4), FastPhotoStyle's
// closed-form smoothing (§6), or none. Both filters are long synchronous loops (seconds at
// 700 px), so by default they run on a worker thread: the job's event loop stays free for
// progress and messages, and a cancel terminates the worker at once instead of waiting.
import { SMOOTHINGS, type Smoothing } from '../../../shared/protocol.js';
import { PainterlyError, isPainterlyError, throwIfCancelled, type ErrorCode } from '../../../shared/errors.js';
import type { Image } from '../../image/image.js';
import { spawnWorker } from '../../image/spawn-worker.js';
import { applyLocalAffine, bilateralSmoothAffine, fitLocalAffine } from './local-affine.js';
import { closedFormSmoothing } from './closed-form-smoothing.js';

export type SmoothingMode = Smoothing;
export const SMOOTHING_MODES: readonly SmoothingMode[] = SMOOTHINGS;

export interface SmoothingJob {
  mode: SmoothingMode;
  /** The stage-2 result and the content photo, RGB, same size. */
  output: Image;
  content: Image;
}

export interface SmoothingResult {
  image: Image;
  /** 'affine' only: the smoothed per-pixel 3×4 models (12 per pixel), for full-resolution output. */
  coefficients?: Float64Array;
}

export interface SmoothingRunOptions {
  signal?: AbortSignal;
  /** Sub-steps done: affine 3 (fit, filter, apply), closed-form 3 (one per colour channel). */
  onProgress?: (done: number, total: number) => void;
  /** 'worker' (default) or 'inline' (this thread; tests, and small images). */
  thread?: 'worker' | 'inline';
}

/** Rough cost on one CPU core, seconds per working-size pixel (this folder's README.md, "Cost"). */
export const SMOOTHING_SECONDS_PER_PIXEL: Readonly<Record<SmoothingMode, number>> = { affine: 4e-5, 'closed-form': 8e-5, none: 0 };

/** Runs the post-process in this thread. */
export function smoothInline(job: SmoothingJob, onProgress?: (done: number, total: number) => void, signal?: AbortSignal): SmoothingResult {
  const { mode, output, content } = job;
  if (mode === 'none') return { image: output };
  if (mode === 'affine') {
    onProgress?.(0, 3);
    const fitted = fitLocalAffine(output, content, { signal });
    onProgress?.(1, 3);
    const coefficients = bilateralSmoothAffine(fitted, content, { signal });
    onProgress?.(2, 3);
    const image = applyLocalAffine(coefficients, content);
    onProgress?.(3, 3);
    return { image, coefficients };
  }
  let channels = 0;
  onProgress?.(0, 3);
  const r = closedFormSmoothing(output, content, {
    signal,
    onIteration: (channel) => {
      if (channel > channels) onProgress?.((channels = channel), 3);
    },
  });
  onProgress?.(3, 3);
  return { image: r.image };
}

export async function runSmoothing(job: SmoothingJob, opts: SmoothingRunOptions = {}): Promise<SmoothingResult> {
  throwIfCancelled(opts.signal);
  if (job.mode === 'none') return { image: job.output };
  if (opts.thread === 'inline') return smoothInline(job, opts.onProgress, opts.signal);
  return new Promise<SmoothingResult>((resolve, reject) => {
    const worker = spawnWorker(import.meta.url, './smoothing-worker', job);
    let settled = false;
    const finish = (f: () => void): void => {
      if (settled) return;
      settled = true;
      opts.signal?.removeEventListener('abort', onAbort);
      void worker.terminate();
      f();
    };
    const onAbort = (): void => finish(() => reject(new PainterlyError('CANCELLED')));
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    worker.on('message', (m: WorkerMessage) => {
      if (m.type === 'progress') opts.onProgress?.(m.done, m.total);
      else if (m.type === 'done') finish(() => resolve(m.result));
      else finish(() => reject(m.code ? new PainterlyError(m.code, m.message) : new PainterlyError('INTERNAL', `Smoothing failed: ${m.message}`)));
    });
    worker.on('error', (e: Error) => finish(() => reject(isPainterlyError(e) ? e : new PainterlyError('INTERNAL', `The smoothing worker failed: ${e.message}`))));
    worker.on('exit', (code) => finish(() => reject(new PainterlyError('INTERNAL', `The smoothing worker exited early (code ${code}).`))));
  });
}

export type WorkerMessage =
  | { type: 'progress'; done: number; total: number }
  | { type: 'done'; result: SmoothingResult }
  | { type: 'error'; message: string; code?: ErrorCode };
