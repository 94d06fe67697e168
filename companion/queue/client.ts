// The submitting side of the studio queue, used by the companion as a gateway and by `painterly
// batch --queue`: puts a job's pixels in Redis, adds the job to its backbone's queue (or finds it
// there again, for a batch that resumes), follows its events, and gives back the result checked
// against its digest. While it runs it keeps its owner key alive; a job whose owner disappears
// is stopped by its worker, so nothing runs for nobody.
import { randomUUID } from 'node:crypto';
import { Queue, QueueEvents, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import type { BackboneName } from '../../shared/catalogue.js';
import { PainterlyError } from '../../shared/errors.js';
import type { InputPlaneName } from '../../shared/frames.js';
import { PAINTING_KINDS, type PlaneDeclaration, type ResolvedJobOptions, type TauChoice } from '../../shared/protocol.js';
import { STAGES, type StageId } from '../../shared/stages.js';
import { isObject } from '../../shared/validate.js';
import type { Image } from '../image/image.js';
import type { Region } from '../image/planar.js';
import type { PipelineHooks } from '../pipeline/types.js';
import { queueAnswers, type QueueTarget } from './connection.js';
import { ENTRY_VERSION, type QueueEntry, type QueueProgress, type QueueResult } from './entry.js';
import { failureError } from './failure.js';
import { cancelKey, DEFAULT_TIMINGS, ownerKey, planeKey, QUEUE_PREFIX, queueName, type QueueTimings } from './keys.js';
import { exactBits, floatImage, getSamples, putSamples, toSamples, type StoredSamples } from './pixels.js';

/** One plane of a job: its declaration (without the depth, chosen here) and its image. */
export interface RemotePlane {
  plane: InputPlaneName;
  image: Image;
  /** Channels to send (the image may hold fewer, e.g. a grey mask, or as many). */
  channels: number;
  left?: number;
  top?: number;
}

export interface RemoteJob {
  /** Names the job in the queue; the same id finds the same job again (a batch that resumes). Default: a new one. */
  id?: string;
  options: ResolvedJobOptions;
  planes: RemotePlane[];
  document?: { width: number; height: number };
}

export interface RemoteResult {
  image: Image;
  region?: Region;
  /** A harmonization's τ, and what an `auto` τ took the painting for. */
  tau?: number;
  auto?: TauChoice;
  device: string;
  worker: string;
  seconds: number;
}

export interface QueueClientOptions {
  target: QueueTarget;
  /** Whose liveness keeps the jobs wanted (a batch uses one derived from its output folder, so a rerun takes its jobs back). */
  owner?: string;
  /** Who submits, for the workers' logs. */
  by: string;
  timings?: Partial<QueueTimings>;
  /** Tries per job when it fails for a reason retrying can fix (a worker's device error, a lost connection). */
  attempts?: number;
}

interface Waiter {
  backbone: BackboneName;
  hooks: PipelineHooks;
  settle(result: QueueResult | PainterlyError): void;
  lastHeard: number;
}

export class QueueClient {
  readonly owner: string;
  private readonly timings: QueueTimings;
  private readonly store: Redis;
  private readonly queues = new Map<BackboneName, { queue: Queue; events: QueueEvents }>();
  private readonly waiters = new Map<string, Waiter>();
  private readonly heartbeat: NodeJS.Timeout;
  private readonly poller: NodeJS.Timeout;
  private closed = false;

  constructor(private readonly opts: QueueClientOptions) {
    this.owner = opts.owner ?? `gateway-${randomUUID()}`;
    this.timings = { ...DEFAULT_TIMINGS, ...opts.timings };
    this.store = new Redis({ ...opts.target.connection });
    this.store.on('error', () => {}); // ioredis reconnects by itself; each call reports its own failure
    const beat = () => void this.store.set(ownerKey(this.owner), opts.by, 'EX', this.timings.ownerSeconds).catch(() => {});
    beat();
    this.heartbeat = setInterval(beat, Math.max(200, (this.timings.ownerSeconds * 1000) / 3));
    // Events can be missed across a Redis restart: a job not heard of for a while is looked at directly.
    this.poller = setInterval(() => void this.pollQuiet().catch(() => {}), 2000);
  }

  /**
   * Checks that Redis answers (at start, for a clear error instead of a silent wait): a refused
   * login (UNAUTHORIZED) or an untrusted certificate says so at once, a silent Redis after `timeoutMs`.
   */
  async ping(timeoutMs = 5000): Promise<void> {
    await queueAnswers(this.store, this.opts.target, timeoutMs);
  }

  private lane(backbone: BackboneName) {
    let lane = this.queues.get(backbone);
    if (!lane) {
      const connection = this.opts.target.connection;
      const queue = new Queue(queueName(backbone), { connection, prefix: QUEUE_PREFIX });
      const events = new QueueEvents(queueName(backbone), { connection, prefix: QUEUE_PREFIX });
      queue.on('error', () => {});
      events.on('error', () => {});
      events.on('progress', ({ jobId, data }) => this.onProgress(jobId, data));
      events.on('completed', ({ jobId, returnvalue }) => this.finish(jobId, parseResult(returnvalue)));
      events.on('failed', ({ jobId, failedReason }) => void this.onFailed(jobId, failedReason));
      lane = { queue, events };
      this.queues.set(backbone, lane);
    }
    return lane;
  }

  /** Runs a job on the queue: adds it (or finds it again by id), waits for its result. `hooks.signal` cancels it. */
  async run(job: RemoteJob, hooks: PipelineHooks): Promise<RemoteResult> {
    if (this.closed) throw new PainterlyError('CANCELLED', 'The queue client is closed.');
    // An abort listener added to a signal already aborted never fires: the job would run for nobody.
    if (hooks.signal?.aborted) throw new PainterlyError('CANCELLED');
    const backbone = job.options.backbone;
    const id = job.id ?? randomUUID();
    // Listening before the first await: a cancel while the job is being added (with Redis away,
    // that waits for Redis) must not go unheard.
    const outcome = new Promise<QueueResult | PainterlyError>((resolve) => this.waiters.set(id, { backbone, hooks, settle: resolve, lastHeard: Date.now() }));
    const onAbort = () => void this.cancel(id, backbone);
    hooks.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const { queue, events } = this.lane(backbone);
      const added = (async () => {
        await events.waitUntilReady();
        await this.addOrAttach(queue, id, job);
        // Cancelled while it was being added: the cancel may have missed the job, so once more now it is there.
        if (hooks.signal?.aborted) await this.cancel(id, backbone);
        void this.reportPlace(queue, id, hooks);
      })();
      // A cancel or close ends the run at once, even while the job is still being added.
      await Promise.race([added, outcome.then((o) => { if (o instanceof PainterlyError) throw o; })]);
      const settled = await outcome;
      if (settled instanceof PainterlyError) throw settled;
      const raw = await getSamples(this.store, settled.result, 'result');
      await this.forget(id, settled.result.key);
      return {
        image: floatImage(raw, settled.width, settled.height, settled.channels),
        ...(settled.region ? { region: settled.region } : {}),
        ...(typeof settled.tau === 'number' ? { tau: settled.tau } : {}),
        ...(settled.auto ? { auto: settled.auto } : {}),
        device: settled.device,
        worker: settled.worker,
        seconds: settled.seconds,
      };
    } finally {
      this.waiters.delete(id);
      hooks.signal?.removeEventListener('abort', onAbort);
    }
  }

  /** A job's state in the queue, for a batch's listing ('unknown' when there is none). */
  async state(backbone: BackboneName, id: string): Promise<string> {
    const job = await this.lane(backbone).queue.getJob(id);
    return job ? job.getState() : 'unknown';
  }

  private async addOrAttach(queue: Queue, id: string, job: RemoteJob): Promise<void> {
    const existing = await queue.getJob(id);
    if (existing) {
      const state = await existing.getState();
      if (state === 'completed') {
        const result = parseResult(existing.returnvalue);
        if (!(result instanceof PainterlyError) && (await this.store.exists(result.result.key))) return this.finish(id, result);
      }
      if (state === 'waiting' || state === 'active' || state === 'delayed' || state === 'prioritized' || state === 'waiting-children') {
        // Taken back: keep it wanted under this owner (the worker checks the key the entry names).
        return;
      }
      await existing.remove().catch(() => {});
    }
    const entry = await this.entry(id, job);
    await queue.add(job.options.mode, entry, {
      jobId: id,
      attempts: this.opts.attempts ?? 3,
      backoff: { type: 'exponential', delay: 2000 },
      removeOnComplete: { age: this.timings.dataSeconds },
      removeOnFail: { age: this.timings.dataSeconds },
    });
  }

  private async entry(id: string, job: RemoteJob): Promise<QueueEntry> {
    const decls: PlaneDeclaration[] = [];
    const data: QueueEntry['data'] = {};
    for (const p of job.planes) {
      const bits = exactBits(p.image.data);
      const image = p.channels === p.image.channels ? p.image : withChannels(p.image, p.channels);
      data[p.plane] = await putSamples(this.store, planeKey(id, p.plane), toSamples(image, bits), this.timings.dataSeconds);
      decls.push({ plane: p.plane, width: image.width, height: image.height, channels: p.channels, bitsPerChannel: bits, ...(p.left !== undefined ? { left: p.left, top: p.top } : {}) });
    }
    return { v: ENTRY_VERSION, submit: { type: 'submit', jobId: 1, options: job.options, planes: decls, ...(job.document ? { document: job.document } : {}) }, data, owner: this.owner, by: this.opts.by };
  }

  /** Tells the panel how many jobs are ahead while the job waits (one look a second). */
  private async reportPlace(queue: Queue, id: string, hooks: PipelineHooks): Promise<void> {
    if (!hooks.onQueued) return;
    const client = this.store;
    const waitKey = `${QUEUE_PREFIX}:${queue.name}:wait`;
    let last = -1;
    while (this.waiters.has(id) && !hooks.signal?.aborted) {
      const [index, length] = await Promise.all([client.lpos(waitKey, id), client.llen(waitKey)]).catch(() => [null, 0] as const);
      if (index === null) {
        if ((await queue.getJob(id).then((j) => j?.getState()).catch(() => undefined)) !== 'waiting') return; // taken by a worker, or gone
      } else if (length - 1 - index !== last) {
        last = length - 1 - index;
        hooks.onQueued(last);
      }
      await new Promise((r) => setTimeout(r, 1000));
    }
  }

  private onProgress(jobId: string, data: unknown): void {
    const w = this.waiters.get(jobId);
    if (!w || !isObject(data)) return;
    w.lastHeard = Date.now();
    const p = data as QueueProgress;
    if (p.kind === 'started' && typeof p.worker === 'string' && typeof p.device === 'string') w.hooks.onStarted?.({ worker: p.worker.slice(0, 100), device: p.device.slice(0, 40) });
    else if (p.kind === 'note' && typeof p.message === 'string') w.hooks.onNote?.(p.message.slice(0, 500));
    else if (p.kind === 'tau' && isObject(p.choice) && Number.isFinite(p.choice.tau) && (PAINTING_KINDS as readonly unknown[]).includes(p.choice.kind)) w.hooks.onTau?.({ tau: p.choice.tau, kind: p.choice.kind, words: String(p.choice.words).slice(0, 200) });
    else if (p.kind === 'progress' && Object.hasOwn(STAGES, p.stage) && Number.isFinite(p.iteration) && Number.isFinite(p.total)) {
      const base = { stage: p.stage as StageId, iteration: p.iteration, total: p.total, ...(typeof p.etaSeconds === 'number' ? { etaSeconds: p.etaSeconds } : {}) };
      if (!p.preview || !w.hooks.onProgress) return w.hooks.onProgress?.(base);
      const { key, width, height } = p.preview;
      void this.store.getBuffer(key).then((buf) => {
        if (!buf || buf.byteLength !== width * height * 3 || !this.waiters.has(jobId)) return w.hooks.onProgress?.(base);
        const data = new Float32Array(buf.byteLength);
        for (let i = 0; i < data.length; i++) data[i] = buf[i] / 255;
        w.hooks.onProgress?.({ ...base, preview: { width, height, channels: 3, data } });
      }).catch(() => w.hooks.onProgress?.(base));
    }
  }

  private async onFailed(jobId: string, reason: string): Promise<void> {
    const w = this.waiters.get(jobId);
    if (!w) return;
    // A failed try that will be retried is not the end: the job is back in the queue.
    const job = await this.lane(w.backbone).queue.getJob(jobId).catch(() => undefined);
    const state = job ? await job.getState().catch(() => 'unknown') : 'unknown';
    if (state === 'failed' || state === 'unknown') await this.failed(jobId, failureError(reason));
  }

  /** A job the queue gave up on: its pixels go now (they would stay until they expire), then its run rejects. */
  private async failed(jobId: string, error: PainterlyError): Promise<void> {
    if (!this.waiters.has(jobId)) return;
    await this.forget(jobId);
    this.finish(jobId, error);
  }

  private finish(jobId: string, outcome: QueueResult | PainterlyError): void {
    this.waiters.get(jobId)?.settle(outcome);
  }

  /** Looks directly at jobs not heard of for a while (an event lost across a Redis restart). */
  private async pollQuiet(): Promise<void> {
    const now = Date.now();
    const quiet = [...this.waiters.entries()].filter(([, w]) => now - w.lastHeard > 5000).slice(0, 50);
    for (const [id, w] of quiet) {
      w.lastHeard = now;
      const job: Job | undefined = await this.lane(w.backbone).queue.getJob(id);
      const state = job ? await job.getState() : 'unknown';
      if (state === 'completed') this.finish(id, parseResult(job!.returnvalue));
      else if (state === 'failed') await this.failed(id, failureError(job!.failedReason));
      else if (state === 'unknown') this.finish(id, new PainterlyError('INTERNAL', 'The job is no longer in the queue (removed by someone else, or Redis lost it).'));
    }
  }

  /** Cancels a job: out of the queue if it waits, a mark its worker sees if it runs. */
  async cancel(id: string, backbone: BackboneName): Promise<void> {
    this.finish(id, new PainterlyError('CANCELLED'));
    await this.store.set(cancelKey(id), '1', 'EX', this.timings.dataSeconds).catch(() => {});
    const job = await this.lane(backbone).queue.getJob(id).catch(() => undefined);
    await job?.remove().catch(() => {}); // refused while a worker holds it: the mark stops it
    await this.forget(id);
  }

  /** Deletes a job's pixels (they expire anyway). */
  private async forget(id: string, resultKey?: string): Promise<void> {
    const keys = ['painting', 'composite', 'mask', 'dilatedMask', 'paintingWindow', 'pasted', 'content', 'style', 'contentLabels', 'styleLabels', 'preview'].map((p) => planeKey(id, p));
    await this.store.del(...keys, ...(resultKey ? [resultKey] : [])).catch(() => {});
  }

  /**
   * Stops: the owner key goes, so workers stop this client's running jobs, and the waiting ones
   * are cancelled; pending runs reject with CANCELLED. `keepJobs` (a batch that will resume)
   * leaves its jobs in the queue, wanted until the owner key expires.
   */
  async close(opts: { keepJobs?: boolean } = {}): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.heartbeat);
    clearInterval(this.poller);
    const pending = [...this.waiters.entries()];
    for (const [id] of pending) this.finish(id, new PainterlyError('CANCELLED', 'Stopped.'));
    if (!opts.keepJobs) {
      // Waiting jobs leave the queue now, with their pixels (the owner key alone stops them only
      // once a worker takes them). Bounded: with Redis away, commands wait for it, and closing must not.
      const cleanUp = Promise.all([...pending.map(([id, w]) => this.cancel(id, w.backbone)), this.store.del(ownerKey(this.owner))]).catch(() => {});
      await Promise.race([cleanUp, new Promise((r) => setTimeout(r, 2000).unref())]);
    }
    // A queue whose connection failed (a refused permission) may reject its close: closing goes on.
    await Promise.all([...this.queues.values()].flatMap(({ queue, events }) => [queue.close().catch(() => {}), events.close().catch(() => {})]));
    this.store.disconnect();
  }
}

/** A result from BullMQ (an object, or its JSON), checked for shape. */
function parseResult(value: unknown): QueueResult | PainterlyError {
  let v = value;
  if (typeof v === 'string') {
    try {
      v = JSON.parse(v);
    } catch {
      return new PainterlyError('BAD_MESSAGE', 'A worker returned a result that is not JSON.');
    }
  }
  if (!isObject(v) || v.v !== ENTRY_VERSION || !isObject(v.result) || typeof v.width !== 'number' || typeof v.height !== 'number' || typeof v.channels !== 'number') {
    return new PainterlyError('BAD_MESSAGE', 'A worker returned a result Painterly cannot read: are the worker and this machine the same version?');
  }
  const r = v.result as unknown as StoredSamples;
  if (typeof r.key !== 'string' || !r.key.startsWith(`${QUEUE_PREFIX}:data:`) || r.encoding !== 'f32' || r.bytes !== v.width * v.height * v.channels * 4) {
    return new PainterlyError('BAD_MESSAGE', 'A worker returned a result whose pixels do not match its size.');
  }
  return v as unknown as QueueResult;
}

/** The image with `channels` channels: a grey plane repeated, or channels dropped. */
function withChannels(img: Image, channels: number): Image {
  const n = img.width * img.height;
  const data = new Float32Array(n * channels);
  for (let i = 0; i < n; i++) for (let c = 0; c < channels; c++) data[i * channels + c] = img.data[i * img.channels + Math.min(c, img.channels - 1)];
  return { width: img.width, height: img.height, channels, data };
}
