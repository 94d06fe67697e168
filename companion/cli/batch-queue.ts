// `painterly batch … --queue URL`: the batch's jobs run on a studio's workers. Jobs whose output
// exists are skipped; the others are submitted a window at a time (so Redis holds the pixels of a
// few jobs, not of thousands) under ids derived from the job itself, so that a rerun finds a job
// still queued or running and waits for it instead of sending it again. A line per job as its
// state changes: queued, running on which worker, done, failed.
import { createHash } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { mkdir, rename, unlink } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { formatDuration } from '../../shared/duration.js';
import { isPainterlyError, PainterlyError } from '../../shared/errors.js';
import type { Image } from '../image/image.js';
import type { QueueClient, RemoteJob } from '../queue/client.js';
import type { BatchJob } from './batch-jobs.js';
import { tempPath, type JobResult } from './batch-run.js';

export interface QueuedBatchOptions {
  client: QueueClient;
  force: boolean;
  signal: AbortSignal;
  /** Jobs in the queue at once, at most. */
  window: number;
  /** Reads a job's images as the pipeline takes them. */
  read(job: BatchJob): Promise<RemoteJob['planes']>;
  write(path: string, image: Image): Promise<void>;
  /** One line per state change (stderr). */
  print(line: string): void;
  now?: () => number;
}

/** A fingerprint of what a job's result depends on: its images (path, size, time), its options, where it writes. */
export function batchJobId(owner: string, job: BatchJob): string {
  const h = createHash('sha256').update(owner).update(JSON.stringify(job.options)).update(resolve(job.out));
  for (const file of [job.painting, job.composite, job.mask, job.dilatedMask]) {
    if (!file) continue;
    h.update(resolve(file));
    try {
      const st = statSync(file);
      h.update(`${st.size}:${st.mtimeMs}`);
    } catch {
      h.update('missing');
    }
  }
  return `batch-${h.digest('hex').slice(0, 32)}`;
}

function asError(e: unknown): PainterlyError {
  return isPainterlyError(e) ? e : new PainterlyError('INTERNAL', `Something went wrong: ${(e as Error)?.message ?? String(e)}`);
}

export async function runQueuedBatch(jobs: readonly BatchJob[], opts: QueuedBatchOptions): Promise<JobResult[]> {
  const now = opts.now ?? Date.now;
  const total = jobs.length;
  const results: JobResult[] = jobs.map((job) => ({ job, status: 'not run' }));
  const tagOf = (i: number) => `[${i + 1}/${total}] ${jobs[i].name}`;
  const pending: number[] = [];
  for (const [i, job] of jobs.entries()) {
    if (!opts.force && existsSync(job.out)) {
      results[i].status = 'skipped';
      opts.print(`${tagOf(i)}: skipped, ${job.out} exists`);
    } else pending.push(i);
  }

  const runOne = async (i: number) => {
    const job = jobs[i];
    const tag = tagOf(i);
    const start = now();
    const tmp = tempPath(job.out);
    try {
      if (job.problem) throw job.problem;
      const planes = await opts.read(job);
      const id = batchJobId(opts.client.owner, job);
      const before = await opts.client.state(job.options.backbone, id);
      if (before === 'waiting' || before === 'active' || before === 'delayed') opts.print(`${tag}: found in the queue (${before}), waiting for it`);
      let place = -1;
      const r = await opts.client.run(
        { id, options: job.options, planes },
        {
          signal: opts.signal,
          onQueued: (p) => {
            if (p !== place) opts.print(`${tag}: queued${p > 0 ? `, ${p} ahead` : ''}`);
            place = p;
          },
          onStarted: (where) => opts.print(`${tag}: running on ${where.worker} (${where.device})`),
        },
      );
      await mkdir(dirname(job.out), { recursive: true });
      await opts.write(tmp, r.image);
      await rename(tmp, job.out);
      const seconds = (now() - start) / 1000;
      results[i] = { job, status: 'done', seconds };
      opts.print(`${tag}: done in ${formatDuration(seconds)} on ${r.worker}${r.auto ? `, τ ${r.auto.tau} (auto)` : ''} → ${job.out}`);
    } catch (e) {
      await unlink(tmp).catch(() => {});
      const error = asError(e);
      const seconds = (now() - start) / 1000;
      if (error.code === 'CANCELLED' && opts.signal.aborted) {
        results[i] = { job, status: 'cancelled', seconds, error };
        return;
      }
      results[i] = { job, status: 'failed', seconds, error };
      opts.print(`${tag}: FAILED: ${error.code}: ${error.message.split('\n')[0]}`);
    }
  };

  // A window of jobs in the queue at once; each finished job lets the next one in.
  let next = 0;
  const lane = async () => {
    while (next < pending.length && !opts.signal.aborted) await runOne(pending[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(opts.window, pending.length) }, lane));
  return results;
}
