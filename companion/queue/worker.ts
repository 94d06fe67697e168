// A studio worker: takes jobs from the queues of the backbones it serves, one at a time on its
// device, runs them through the same pipelines as the companion, and publishes progress,
// previews and the result. BullMQ does the queueing: holding a job while it runs (so a worker that
// dies gives it back), retries with backoff, stalled-job recovery. This module only turns a queue
// entry into a pipeline call and its outcome into BullMQ's terms: an error that retrying cannot
// fix (bad input, cancelled, abandoned) is unrecoverable; any other is retried.
import { UnrecoverableError, WaitingError, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import type { BackboneName } from '../../shared/catalogue.js';
import { isPainterlyError, PainterlyError } from '../../shared/errors.js';
import type { InputPlaneName } from '../../shared/frames.js';
import { DEFAULT_LIMITS, type Limits } from '../../shared/limits.js';
import type { Image } from '../image/image.js';
import type { Region } from '../image/planar.js';
import type { Runners } from '../pipeline/runners.js';
import type { PipelineHooks, Progress } from '../pipeline/types.js';
import { decodedChannels, harmonizeInputs, photoStyleInputs } from '../server/job-inputs.js';
import { planeSink, previewSamples } from '../server/planes.js';
import { queueAnswers, queueError, type QueueTarget } from './connection.js';
import { checkEntry, ENTRY_VERSION, type CheckedEntry, type QueueProgress, type QueueResult } from './entry.js';
import { cancelKey, DEFAULT_TIMINGS, ownerKey, planeKey, QUEUE_PREFIX, queueName, type QueueTimings } from './keys.js';
import { getSamples, putSamples } from './pixels.js';
import { failureText } from './failure.js';

export interface WorkerOptions {
  target: QueueTarget;
  /** The backbones whose queues this worker takes jobs from (their models loaded at start). */
  backbones: readonly BackboneName[];
  runners: Runners;
  /** The device the jobs run on (already probed). */
  device: string;
  weightsFile?: string;
  /** This worker's name in progress and logs (default: the host name). */
  name: string;
  timings?: Partial<QueueTimings>;
  limits?: Limits;
  log?: (line: string) => void;
}

export interface RunningWorker {
  /** Stops taking jobs; a job running is handed back to the queue (not counted as a failed try). */
  close(): Promise<void>;
  /** Resolves once every queue is being listened to. */
  ready: Promise<void>;
}

/** Error codes retrying cannot fix: the job fails at once with its sentence. */
const PERMANENT = new Set([
  'BAD_ARGUMENT', 'BAD_MESSAGE', 'BAD_FRAME', 'SIZE_MISMATCH', 'EMPTY_MASK', 'FULL_MASK', 'UNKNOWN_BACKBONE', 'IMAGE_TOO_SMALL',
  'IMAGE_TOO_LARGE', 'FRAME_TOO_LARGE', 'MODE_UNAVAILABLE', 'PROTOCOL_MISMATCH', 'UNKNOWN_MESSAGE', 'CANCELLED', 'MODEL_LAYERS_MISSING',
]);

/** One job at a time on the device, whichever queue it came from. */
function deviceLock(): <T>(fn: () => Promise<T>) => Promise<T> {
  let tail: Promise<unknown> = Promise.resolve();
  return (fn) => {
    const run = tail.then(fn, fn);
    tail = run.catch(() => {});
    return run;
  };
}

export async function startWorker(opts: WorkerOptions): Promise<RunningWorker> {
  const timings = { ...DEFAULT_TIMINGS, ...opts.timings };
  const limits = opts.limits ?? DEFAULT_LIMITS;
  const log = opts.log ?? (() => {});
  const store = new Redis({ ...opts.target.connection, lazyConnect: false });
  store.on('error', () => {}); // reconnects by itself; jobs see the errors
  // A refused login or an untrusted certificate never heals: say so now, rather than have the
  // queue's connections retry it for ever while `ready` never comes. A Redis not up yet is waited for.
  try {
    await queueAnswers(store, opts.target, Infinity, (e) => log(`queue: ${e.message} (waiting for ${opts.target.shown})`));
  } catch (e) {
    store.disconnect();
    throw e;
  }
  const exclusive = deviceLock();
  // While Redis is away every connection reports each retry: say each message once a minute.
  const said = new Map<string, number>();
  const sayOnce = (line: string) => {
    const now = Date.now();
    if (now - (said.get(line) ?? -Infinity) < 60_000) return;
    said.set(line, now);
    log(line);
  };
  let stopping = false;
  /** For each job running here, what to do when its lock is lost (the worker stalled, or Redis was away longer than the lock). */
  const onLockLost = new Map<string, () => void>();

  const processJob = async (job: Job, token: string | undefined, bullSignal: AbortSignal | undefined): Promise<QueueResult> => {
    const started = Date.now();
    let entry: CheckedEntry;
    try {
      entry = checkEntry(job.data, limits);
    } catch (e) {
      throw new UnrecoverableError(failureText(e));
    }
    const { checked, stored } = entry;
    const controller = new AbortController();
    const stop = (why: PainterlyError) => !controller.signal.aborted && controller.abort(why);
    bullSignal?.addEventListener('abort', () => stop(new PainterlyError('CANCELLED', 'The worker is stopping.')));
    let lockLost = false;
    onLockLost.set(job.id!, () => {
      lockLost = true;
      stop(new PainterlyError('CANCELLED', 'This worker lost its hold on the job; another worker takes it.'));
    });
    // Whoever submitted the job may cancel it or disappear: look now and then.
    const look = async () => {
      const [cancelled, alive] = await Promise.all([store.exists(cancelKey(job.id!)), store.exists(ownerKey(entry.owner))]);
      if (cancelled) stop(new PainterlyError('CANCELLED', 'Cancelled by whoever submitted it.'));
      else if (!alive) stop(new PainterlyError('CANCELLED', `Nobody waits for this job any more (its submitter ${entry.by} went away).`));
    };
    await look().catch((e) => {
      onLockLost.delete(job.id!);
      throw e;
    });
    // One look at a time: while Redis is away each would wait for it, and they would pile up.
    let looking = false;
    const timer = setInterval(() => {
      if (looking) return;
      looking = true;
      void look().catch(() => {}).finally(() => (looking = false));
    }, timings.pollMs);
    try {
      if (controller.signal.aborted) throw controller.signal.reason;
      const images = new Map<InputPlaneName, Image>();
      for (const [name, decl] of checked.planes) {
        const raw = await getSamples(store, stored.get(name)!, `'${name}' plane`);
        const { sink, image } = planeSink(decl, decodedChannels(decl));
        sink(raw, 0);
        images.set(name, image());
      }
      return await exclusive(async () => {
        if (controller.signal.aborted) throw controller.signal.reason;
        const progress = (p: QueueProgress) => job.updateProgress(p).catch(() => {});
        await progress({ kind: 'started', worker: opts.name, device: opts.device });
        log(`job ${job.id} started (${checked.options.mode}, ${checked.options.backbone}, from ${entry.by})`);
        const hooks: PipelineHooks = { signal: controller.signal, onProgress: progressPublisher(store, job.id!, progress, timings), onNote: (message) => void progress({ kind: 'note', message }), onTau: (choice) => void progress({ kind: 'tau', choice }) };
        const run = { device: opts.device, weightsFile: opts.weightsFile };
        let image: Image;
        let region: Region | undefined;
        let tau: Pick<QueueResult, 'tau' | 'auto'> = {};
        if (checked.options.mode === 'harmonize') {
          if (!opts.runners.harmonize) throw new PainterlyError('MODE_UNAVAILABLE', 'This worker does not offer harmonize.');
          const r = await opts.runners.harmonize(harmonizeInputs(checked, images), { ...checked.options, ...run }, hooks);
          image = r.image;
          region = r.region;
          tau = { tau: r.tau, ...(r.auto ? { auto: r.auto } : {}) };
        } else {
          if (!opts.runners.photoStyle) throw new PainterlyError('MODE_UNAVAILABLE', 'This worker does not offer photo-style.');
          image = (await opts.runners.photoStyle(photoStyleInputs(images), { ...checked.options, ...run }, hooks)).image;
        }
        images.clear();
        if (controller.signal.aborted) throw controller.signal.reason;
        const result = await putSamples(store, planeKey(`${job.id}`, `result-${job.attemptsMade}`), image.data as Float32Array, timings.dataSeconds);
        const seconds = (Date.now() - started) / 1000;
        log(`job ${job.id} done in ${seconds.toFixed(1)} s`);
        return { v: ENTRY_VERSION, result, width: image.width, height: image.height, channels: image.channels, ...(region ? { region } : {}), ...tau, device: opts.device, worker: opts.name, seconds };
      });
    } catch (e) {
      if (lockLost) {
        // Not ours any more: no failure to record (BullMQ would refuse it, the lock being gone).
        log(`job ${job.id} stopped here: this worker lost its hold on it, and another worker takes it`);
        throw new WaitingError();
      }
      if (stopping && bullSignal?.aborted && token) {
        // Stopping this worker is not the job's fault: it goes back to wait for another.
        await job.moveToWait(token);
        log(`job ${job.id} handed back to the queue`);
        throw new WaitingError();
      }
      const err = controller.signal.aborted && !(isPainterlyError(e) && e.code !== 'CANCELLED') ? (controller.signal.reason as PainterlyError) : e;
      log(`job ${job.id} failed: ${failureText(err)}`);
      if (isPainterlyError(err) && PERMANENT.has(err.code)) throw new UnrecoverableError(failureText(err));
      throw new Error(failureText(err));
    } finally {
      clearInterval(timer);
      onLockLost.delete(job.id!);
    }
  };

  const workers = opts.backbones.map(
    (b) =>
      new Worker(queueName(b), processJob, {
        connection: opts.target.connection,
        prefix: QUEUE_PREFIX,
        concurrency: 1,
        name: opts.name,
        lockDuration: timings.lockMs,
        stalledInterval: Math.max(1000, Math.round(timings.lockMs / 2)),
        maxStalledCount: 2,
      }),
  );
  for (const w of workers) {
    w.on('error', (e) => sayOnce(`queue: ${e.message}`));
    // BullMQ only reports a lost lock: the job has gone back to the queue (or to another worker)
    // while this one still runs it, and would run it to the end for nothing. Stop it.
    w.on('lockRenewalFailed', (ids: string[]) => ids.forEach((id) => onLockLost.get(id)?.()));
  }
  return {
    ready: Promise.all(workers.map((w) => w.waitUntilReady())).then(
      () => {},
      (e) => {
        throw queueError(opts.target, e);
      },
    ),
    async close() {
      stopping = true;
      for (const w of workers) w.cancelAllJobs('The worker is stopping.');
      const closed = Promise.all(workers.map((w) => w.close()));
      // With Redis away, closing waits for it (BullMQ quits politely). Past a lock's length a
      // running job is given back anyway, by its lock expiring: then the connections are dropped.
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), timings.lockMs)));
      if (await Promise.race([closed.then(() => false), late])) {
        log(`the queue at ${opts.target.shown} does not answer: stopping without it`);
        await Promise.all(workers.map((w) => w.disconnect().catch(() => {})));
        await closed;
      }
      clearTimeout(timer);
      store.disconnect();
    },
  };
}

/**
 * Progress to the queue: a new stage, a stage's last step and a preview always, other steps at
 * most every 250 ms (each is a write to Redis and an event to the submitter). A preview goes to
 * the store first, replacing the last one.
 */
function progressPublisher(store: Redis, jobId: string, publish: (p: QueueProgress) => Promise<void>, timings: QueueTimings): (p: Progress) => void {
  let lastAt = -Infinity;
  let lastStage = '';
  let chain = Promise.resolve();
  return (p) => {
    const now = Date.now();
    if (p.preview === undefined && p.stage === lastStage && p.iteration < p.total && now - lastAt < 250) return;
    lastAt = now;
    lastStage = p.stage;
    const base = { kind: 'progress' as const, stage: p.stage, iteration: p.iteration, total: p.total, ...(p.etaSeconds !== undefined && Number.isFinite(p.etaSeconds) ? { etaSeconds: Math.max(0, p.etaSeconds) } : {}) };
    const small = p.preview ? previewSamples(p.preview) : undefined;
    // In order: a preview's pixels are stored before the event that names them.
    chain = chain.then(async () => {
      if (!small) return publish(base);
      const key = planeKey(jobId, 'preview');
      await store.set(key, Buffer.from(small.data.buffer, small.data.byteOffset, small.data.byteLength), 'EX', Math.min(600, timings.dataSeconds));
      return publish({ ...base, preview: { key, width: small.width, height: small.height } });
    }).catch(() => {});
  };
}
