// Runs a batch's jobs in order: skips those whose output exists (unless forced), keeps going past
// a job that fails, writes each result to a temporary file renamed into place (an interrupted job
// leaves no half-written output), one progress line per job with the batch's time left, and a
// summary table at the end.
import { existsSync } from 'node:fs';
import { mkdir, rename, unlink } from 'node:fs/promises';
import { basename, dirname, extname, join, relative } from 'node:path';
import { formatDuration } from '../../shared/duration.js';
import { isPainterlyError, PainterlyError } from '../../shared/errors.js';
import type { TauChoice } from '../../shared/protocol.js';
import type { Image } from '../image/image.js';
import type { PipelineHooks } from '../pipeline/types.js';
import type { BatchJob } from './batch-jobs.js';
import { jobProgressText } from './job-progress.js';
import type { ProgressStream } from './progress-bar.js';

export type JobStatus = 'done' | 'skipped' | 'failed' | 'cancelled' | 'not run';

export interface JobResult {
  job: BatchJob;
  status: JobStatus;
  seconds?: number;
  error?: PainterlyError;
}

export interface BatchRunOptions {
  /** Redo jobs whose output exists. */
  force: boolean;
  signal: AbortSignal;
  /** Reads a job's images and harmonizes them with the loaded model; `tau` when it was read from the painting. */
  harmonizeJob(job: BatchJob, hooks: PipelineHooks): Promise<{ image: Image; tau?: TauChoice }>;
  write(path: string, image: Image): Promise<void>;
  /** Where progress lines go (stderr): redrawn in place on a terminal, one line per job elsewhere. */
  progress: ProgressStream;
  now?: () => number;
}

/** Seconds left for the batch: the current job's estimate plus the jobs still to run at the mean time of those done. */
function batchLeft(current: number | undefined, pending: number, durations: number[], currentGuess?: number): number | undefined {
  const mean = durations.length ? durations.reduce((a, b) => a + b, 0) / durations.length : currentGuess;
  if (mean === undefined) return current;
  return (current ?? 0) + pending * mean;
}

function asError(e: unknown): PainterlyError {
  return isPainterlyError(e) ? e : new PainterlyError('INTERNAL', `Something went wrong: ${(e as Error)?.message ?? String(e)}`);
}

/** Where the result is written until it is complete: beside the output, hidden, same extension (the format follows it). */
export function tempPath(out: string): string {
  return join(dirname(out), `.${basename(out, extname(out))}.partial-${process.pid}${extname(out)}`);
}

export async function runBatch(jobs: readonly BatchJob[], opts: BatchRunOptions): Promise<JobResult[]> {
  const now = opts.now ?? Date.now;
  const tty = opts.progress.isTTY === true;
  const width = () => (opts.progress.columns ?? 80) - 1;
  const results: JobResult[] = jobs.map((job) => ({ job, status: 'not run' }));
  const toRun = new Set(jobs.filter((j) => opts.force || !existsSync(j.out)));
  const durations: number[] = [];
  const total = jobs.length;
  let lastDraw = -Infinity;

  const line = (text: string, final: boolean) => {
    const cut = text.length > width() ? `${text.slice(0, width() - 1)}…` : text;
    if (tty) opts.progress.write(`\r${cut}\x1b[K${final ? '\n' : ''}`);
    else if (final) opts.progress.write(`${text}\n`);
  };

  for (const [i, job] of jobs.entries()) {
    const tag = `[${i + 1}/${total}] ${job.name}`;
    if (opts.signal.aborted) break;
    if (!toRun.has(job)) {
      results[i].status = 'skipped';
      line(`${tag}: skipped, ${job.out} exists`, true);
      continue;
    }
    toRun.delete(job);
    const start = now();
    const tmp = tempPath(job.out);
    try {
      if (job.problem) throw job.problem;
      const { image, tau } = await opts.harmonizeJob(job, {
        signal: opts.signal,
        onProgress: (p) => {
          if (!tty || now() - lastDraw < 100) return;
          lastDraw = now();
          const elapsed = (now() - start) / 1000;
          const left = batchLeft(p.etaSeconds, toRun.size, durations, p.etaSeconds !== undefined ? elapsed + p.etaSeconds : undefined);
          line(`${tag}: ${jobProgressText(p)}${left !== undefined ? ` · batch about ${formatDuration(left)} left` : ''}`, false);
        },
      });
      await mkdir(dirname(job.out), { recursive: true });
      await opts.write(tmp, image);
      await rename(tmp, job.out);
      const seconds = (now() - start) / 1000;
      durations.push(seconds);
      results[i] = { job, status: 'done', seconds };
      const left = batchLeft(undefined, toRun.size, durations);
      line(`${tag}: done in ${formatDuration(seconds)}${tau ? `, τ ${tau.tau} (auto)` : ''} → ${job.out}${toRun.size && left !== undefined ? ` · batch about ${formatDuration(left)} left` : ''}`, true);
    } catch (e) {
      await unlink(tmp).catch(() => {});
      const error = asError(e);
      const seconds = (now() - start) / 1000;
      if (error.code === 'CANCELLED') {
        results[i] = { job, status: 'cancelled', seconds, error };
        line(`${tag}: cancelled (no output written)`, true);
        break;
      }
      results[i] = { job, status: 'failed', seconds, error };
      line(`${tag}: FAILED: ${error.code}: ${error.message.split('\n')[0]}`, true);
    }
  }
  return results;
}

/** A path as short as it reads well: relative to the working folder when inside it. */
function shown(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith('..') ? rel : path;
}

/** The table printed at the end: counts, then one row per job. */
export function summaryLines(results: readonly JobResult[], seconds: number): string[] {
  const count = (s: JobStatus) => results.filter((r) => r.status === s).length;
  const parts = (['done', 'skipped', 'failed', 'cancelled', 'not run'] as const).filter((s) => count(s) > 0 || s === 'done' || s === 'failed').map((s) => `${count(s)} ${s}`);
  const rows = results.map((r) => {
    const time = r.seconds !== undefined && r.status !== 'skipped' ? formatDuration(r.seconds) : '';
    const what =
      r.status === 'done' ? shown(r.job.out)
      : r.status === 'skipped' ? `${shown(r.job.out)} exists (--force redoes it)`
      : r.error ? `${r.error.code}: ${r.error.message.split('\n')[0]}`
      : '';
    return [r.job.name, r.status === 'failed' ? 'FAILED' : r.status, time, what];
  });
  const header = ['job', 'result', 'time', 'output or error'];
  const widths = [0, 1, 2].map((c) => Math.max(header[c].length, ...rows.map((r) => r[c].length)));
  const fmt = (r: string[]) => `  ${r.slice(0, 3).map((cell, c) => cell.padEnd(widths[c])).join('  ')}  ${r[3]}`.trimEnd();
  return [`Batch: ${parts.join(', ')} (${results.length} jobs, ${formatDuration(seconds)})`, fmt(header), ...rows.map(fmt)];
}
