// The studio queue when things go wrong, against a real Redis (Debian's redis-server, started
// here) with workers and clients in this process and the fast stand-in pipelines: cancelling,
// a submitter that goes away, failures that retrying fixes and ones it cannot, workers that die
// or lose their hold on a job, and Redis restarting under them.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Queue, QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { QueueClient, type QueueClientOptions, type RemoteJob } from '../../../companion/queue/client.js';
import { queueTarget } from '../../../companion/queue/connection.js';
import { ENTRY_VERSION, type QueueEntry } from '../../../companion/queue/entry.js';
import { ownerKey, planeKey, QUEUE_PREFIX, queueName } from '../../../companion/queue/keys.js';
import { putSamples, toSamples } from '../../../companion/queue/pixels.js';
import { startWorker, type RunningWorker } from '../../../companion/queue/worker.js';
import { PainterlyError } from '../../../shared/errors.js';
import type { PlaneDeclaration } from '../../../shared/protocol.js';
import type { Runners } from '../../../companion/pipeline/runners.js';
import { fakeHarmonize } from '../../support/fake-runners.js';
import { composite, harmonized, harmonizeOptions as options, mask, painting, queueJob } from '../../support/queue-job.js';
import { needsRedis, redisAvailable, startRedis, type TestRedis } from '../../support/redis.js';

const fast = { pollMs: 50, lockMs: 2000, ownerSeconds: 2 };
const repo = path.resolve(__dirname, '../../..');

const job = (id: string, iters = 6): RemoteJob => queueJob(options(iters), id);

let redis: TestRedis;
let admin: Redis;
let queue: Queue;
const cleanups: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  if (!redisAvailable) return;
  redis = await startRedis();
  admin = new Redis(queueTarget(redis.url).connection);
  admin.on('error', () => {});
  queue = new Queue(queueName('squeezenet'), { connection: queueTarget(redis.url).connection, prefix: QUEUE_PREFIX });
  queue.on('error', () => {});
});
afterEach(async () => {
  for (const close of cleanups.splice(0).reverse()) await close().catch(() => {});
  await admin?.flushall();
});
afterAll(async () => {
  await queue?.close();
  admin?.disconnect();
  await redis?.close();
});

async function worker(name: string, runner = fakeHarmonize({ iterationMs: 5 })): Promise<RunningWorker> {
  const w = await startWorker({ target: queueTarget(redis.url), backbones: ['squeezenet'], runners: { harmonize: runner } as Runners, device: 'cpu', name, timings: fast });
  cleanups.push(() => w.close());
  await w.ready;
  return w;
}
function client(extra: Partial<QueueClientOptions> = {}): QueueClient {
  const c = new QueueClient({ target: queueTarget(redis.url), by: 'test', timings: fast, ...extra });
  cleanups.push(() => c.close());
  return c;
}
async function info(id: string) {
  const j = await queue.getJob(id);
  return j && { state: await j.getState(), failedReason: j.failedReason, attemptsMade: j.attemptsMade };
}
/** Each job's events (completed, failed, removed), as every submitter hears them. */
async function heard(): Promise<(id: string) => string[]> {
  const events = new QueueEvents(queueName('squeezenet'), { connection: queueTarget(redis.url).connection, prefix: QUEUE_PREFIX });
  events.on('error', () => {});
  cleanups.push(() => events.close());
  await events.waitUntilReady();
  const seen = new Map<string, string[]>();
  for (const name of ['completed', 'failed', 'removed'] as const) events.on(name, ({ jobId }: { jobId: string }) => seen.set(jobId, [...(seen.get(jobId) ?? []), name]));
  return (id) => seen.get(id) ?? [];
}
/** A job added as a submitter would, by hand: `owner`'s liveness key is the test's to keep or drop. */
async function enqueue(id: string, owner: string, iters: number): Promise<void> {
  const data: QueueEntry['data'] = {};
  const planes: PlaneDeclaration[] = [];
  for (const [plane, img, channels] of [['painting', painting, 3], ['composite', composite, 3], ['mask', mask, 1]] as const) {
    data[plane] = await putSamples(admin, planeKey(id, plane), toSamples(img, 8), 600);
    planes.push({ plane, width: img.width, height: img.height, channels, bitsPerChannel: 8 });
  }
  const entry: QueueEntry = { v: ENTRY_VERSION, submit: { type: 'submit', jobId: 1, options: options(iters), planes }, data, owner, by: 'a vanished laptop' };
  await queue.add('harmonize', entry, { jobId: id, attempts: 3 });
}

describe.skipIf(!redisAvailable)(needsRedis('the studio queue, when things go wrong'), () => {
  describe('cancelling', () => {
    it('takes a waiting job out of the queue with its pixels; the run rejects CANCELLED and a worker started later never runs it', async () => {
      const c = client();
      const abort = new AbortController();
      const places: number[] = [];
      const run = c.run(job('wait-1'), { signal: abort.signal, onQueued: (n) => places.push(n) });
      await expect.poll(() => places).toEqual([0]);
      expect((await info('wait-1'))?.state).toBe('waiting');
      abort.abort();
      await expect(run).rejects.toMatchObject({ code: 'CANCELLED' });
      await expect.poll(() => info('wait-1')).toBeUndefined();
      await expect.poll(() => admin.keys(planeKey('wait-1', '*'))).toEqual([]);
      const runner = fakeHarmonize({ iterationMs: 1 });
      await worker('late', runner);
      expect((await c.run(job('wait-2'), {})).worker).toBe('late');
      expect(runner.record.started).toBe(1);
    });

    it('refuses a run whose signal is already aborted, and queues nothing', async () => {
      const c = client();
      await expect(c.run(job('pre-1'), { signal: AbortSignal.abort() })).rejects.toMatchObject({ code: 'CANCELLED' });
      expect(await info('pre-1')).toBeUndefined();
      expect(await admin.keys(planeKey('pre-1', '*'))).toEqual([]);
    });

    it('stops a running job within an iteration, fails it once as CANCELLED, and the worker takes the next job', async () => {
      const runner = fakeHarmonize({ iterationMs: 20 });
      await worker('w1', runner);
      const c = client();
      const abort = new AbortController();
      const run = c.run(job('run-1', 200), { signal: abort.signal });
      await runner.record.reached(3);
      const t0 = Date.now();
      abort.abort();
      await expect(run).rejects.toMatchObject({ code: 'CANCELLED' });
      await expect.poll(() => info('run-1')).toEqual({ state: 'failed', failedReason: 'CANCELLED: Cancelled by whoever submitted it.', attemptsMade: 1 });
      expect(Date.now() - t0).toBeLessThan(2000); // a look at the mark (50 ms) and an iteration (20 ms), not the job's 8 s
      expect(runner.record).toMatchObject({ cancelled: 1, finished: 0 });
      expect(runner.record.iterationsAfterAbort[0]).toBeLessThanOrEqual(1);
      const next = await c.run(job('run-2'), {});
      expect(Array.from(next.image.data)).toEqual(harmonized);
      expect(runner.record).toMatchObject({ started: 2, finished: 1, maxConcurrent: 1 });
    });
  });

  describe('a submitter that goes away', () => {
    it('stops the job of a client that closes while it runs, and its run rejects CANCELLED', async () => {
      const runner = fakeHarmonize({ iterationMs: 20 });
      await worker('w1', runner);
      const c = client();
      const run = c.run(job('gone-1', 200), {});
      const rejected = expect(run).rejects.toMatchObject({ code: 'CANCELLED' });
      await runner.record.reached(3);
      await c.close();
      await rejected;
      await expect.poll(() => info('gone-1')).toMatchObject({ state: 'failed', failedReason: expect.stringMatching(/^CANCELLED: /), attemptsMade: 1 });
      expect(runner.record).toMatchObject({ cancelled: 1, finished: 0 });
      expect(await admin.exists(ownerKey(c.owner))).toBe(0);
      expect(await admin.keys(planeKey('gone-1', '*'))).toEqual([]);
    });

    it('stops the jobs of a submitter whose liveness key expired (its heartbeat stopped): the running one, and the waiting one without starting it', async () => {
      const runner = fakeHarmonize({ iterationMs: 20 });
      await worker('w1', runner);
      await admin.set(ownerKey('laptop-7'), 'test', 'EX', fast.ownerSeconds); // one beat, never renewed
      const t0 = Date.now();
      await enqueue('ghost-1', 'laptop-7', 200);
      await enqueue('ghost-2', 'laptop-7', 200);
      const nobody = { state: 'failed', failedReason: 'CANCELLED: Nobody waits for this job any more (its submitter a vanished laptop went away).', attemptsMade: 1 };
      await expect.poll(() => info('ghost-1'), { timeout: 6000 }).toEqual(nobody);
      const stoppedAfter = Date.now() - t0;
      await expect.poll(() => info('ghost-2')).toEqual(nobody);
      expect(stoppedAfter).toBeGreaterThan(fast.ownerSeconds * 1000 - 500); // ran while the key lived
      expect(stoppedAfter).toBeLessThan(fast.ownerSeconds * 1000 + 2500); // and not to its 8 s end
      expect(runner.record).toMatchObject({ started: 1, cancelled: 1, finished: 0 });
    });
  });

  describe('failures', () => {
    it.each([
      ['a plain Error', new Error('the device was lost')],
      ['a PainterlyError retrying can fix (INTERNAL)', new PainterlyError('INTERNAL', 'A hiccup.')],
    ])('retries %s with backoff, and the job succeeds on its second try', async (_, error) => {
      const runner = fakeHarmonize({ iterationMs: 1, failAt: { iteration: 3, error }, failTimes: 1 });
      await worker('w1', runner);
      const t0 = Date.now();
      const r = await client({ attempts: 3 }).run(job('flaky-1'), {});
      expect(Date.now() - t0).toBeGreaterThanOrEqual(1900); // the client's backoff: 2 s before the second try
      expect(Array.from(r.image.data)).toEqual(harmonized);
      expect(runner.record).toMatchObject({ failed: 1, started: 2, finished: 1 });
      expect(await info('flaky-1')).toMatchObject({ state: 'completed', attemptsMade: 2 });
    });

    it('fails a permanent error (EMPTY_MASK) once: the run rejects with its code and sentence, and its pixels go', async () => {
      const runner = fakeHarmonize({ iterationMs: 1, failAt: { iteration: 2, error: new PainterlyError('EMPTY_MASK', 'The mask of “Cat” is empty.') } });
      await worker('w1', runner);
      await expect(client({ attempts: 3 }).run(job('perm-1'), {})).rejects.toMatchObject({ code: 'EMPTY_MASK', message: 'The mask of “Cat” is empty.' });
      expect(await info('perm-1')).toMatchObject({ state: 'failed', attemptsMade: 1 });
      expect(runner.record.started).toBe(1);
      expect(await admin.keys(planeKey('perm-1', '*'))).toEqual([]);
    });
  });

  describe('several workers', () => {
    it('share one queue, one job at a time each', async () => {
      const a = fakeHarmonize({ iterationMs: 10 });
      const b = fakeHarmonize({ iterationMs: 10 });
      await worker('A', a);
      await worker('B', b);
      const c = client();
      const results = await Promise.all(['s1', 's2', 's3', 's4'].map((id) => c.run(job(id, 10), {})));
      for (const r of results) expect(Array.from(r.image.data)).toEqual(harmonized);
      expect(new Set(results.map((r) => r.worker))).toEqual(new Set(['A', 'B']));
      expect(a.record.finished + b.record.finished).toBe(4);
      expect([a.record.maxConcurrent, b.record.maxConcurrent]).toEqual([1, 1]);
    });

    it('hand a job on when a worker stops: the other finishes it, the stop not counted as a failed try', async () => {
      const a = fakeHarmonize({ iterationMs: 20 });
      const first = await worker('A', a);
      const c = client();
      const seen: string[] = [];
      const run = c.run(job('handed-1', 40), { onStarted: (w) => seen.push(w.worker) });
      await a.record.reached(3);
      const b = fakeHarmonize({ iterationMs: 1 });
      await worker('B', b);
      await first.close();
      expect((await run).worker).toBe('B');
      expect(seen).toEqual(['A', 'B']);
      expect(await info('handed-1')).toMatchObject({ state: 'completed', attemptsMade: 1 });
      expect([a.record.cancelled, b.record.finished]).toEqual([1, 1]);
    });

    it('finish the job of a worker killed with SIGKILL, and the result comes once', async () => {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'painterly-doomed-'));
      cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
      const src = (rel: string) => JSON.stringify(pathToFileURL(path.join(repo, rel)).href);
      writeFileSync(path.join(dir, 'doomed.mts'), [
        `import { startWorker } from ${src('companion/queue/worker.ts')};`,
        `import { queueTarget } from ${src('companion/queue/connection.ts')};`,
        `import { fakeHarmonize } from ${src('test/support/fake-runners.ts')};`,
        `const w = await startWorker({ target: queueTarget(process.argv[2]), backbones: ['squeezenet'], runners: { harmonize: fakeHarmonize({ iterationMs: 20 }) }, device: 'cpu', name: 'doomed', timings: ${JSON.stringify(fast)}, log: (l) => console.log(l) });`,
        `await w.ready;`,
        `console.log('ready');`,
      ].join('\n'));
      const child = spawn(process.execPath, [path.join(repo, 'scripts/run-ts.mjs'), path.join(dir, 'doomed.mts'), redis.url], { stdio: ['ignore', 'pipe', 'inherit'] });
      const exited = new Promise((r) => child.once('exit', r));
      cleanups.push(async () => (child.kill('SIGKILL'), exited));
      let out = '';
      child.stdout!.on('data', (d) => (out += d));
      await expect.poll(() => out, { timeout: 20_000 }).toMatch(/^ready$/m);

      const events = await heard();
      const c = client();
      const seen: string[] = [];
      const run = c.run(job('orphan-1', 100), { onStarted: (w) => seen.push(w.worker) });
      await expect.poll(() => out).toMatch(/job orphan-1 started/);
      const b = fakeHarmonize({ iterationMs: 1 });
      await worker('B', b); // idle while the doomed worker holds the job
      child.kill('SIGKILL');
      await exited;
      const r = await run;
      expect(r.worker).toBe('B');
      expect(Array.from(r.image.data)).toEqual(harmonized);
      expect(seen).toEqual(['doomed', 'B']);
      await expect.poll(() => events('orphan-1')).toEqual(['completed']);
      expect(b.record.finished).toBe(1);
    });

    it('stop a job whose lock a worker lost while alive: another worker runs it, and only once to the end', async () => {
      const runners = { A: fakeHarmonize({ iterationMs: 20 }), B: fakeHarmonize({ iterationMs: 20 }) };
      await worker('A', runners.A);
      await worker('B', runners.B);
      const events = await heard();
      const seen: string[] = [];
      const run = client().run(job('lost-1', 30), { onStarted: (w) => seen.push(w.worker) });
      await expect.poll(() => seen.length).toBe(1);
      // As if the worker had stalled past its lock: the lock goes, BullMQ gives the job back.
      await admin.del(`${QUEUE_PREFIX}:${queueName('squeezenet')}:lost-1:lock`);
      const r = await run;
      expect(Array.from(r.image.data)).toEqual(harmonized);
      expect(seen).toHaveLength(2);
      const all = Object.values(runners).map((x) => x.record);
      expect(all.reduce((n, x) => n + x.finished, 0)).toBe(1); // without stopping it, the first would have run it to the end too
      expect(all.reduce((n, x) => n + x.cancelled, 0)).toBe(1);
      expect(all.flatMap((x) => x.iterationsAfterAbort)).toEqual([expect.any(Number)]);
      expect(all.flatMap((x) => x.iterationsAfterAbort)[0]).toBeLessThanOrEqual(1);
      await expect.poll(() => events('lost-1')).toEqual(['completed']);
    });
  });

  describe('Redis restarting', () => {
    it('a job running through a restart completes, and its submitter gets the result', async () => {
      const runner = fakeHarmonize({ iterationMs: 20 });
      await worker('w1', runner);
      const c = client();
      const run = c.run(job('restart-1', 40), {});
      await runner.record.reached(5);
      await redis.stop();
      await redis.start();
      const r = await run;
      expect(Array.from(r.image.data)).toEqual(harmonized);
      expect(await info('restart-1')).toMatchObject({ state: 'completed' });
    });

    it('a job submitted while Redis is down waits for it and then completes; ping says it is down; a cancel while down is immediate', async () => {
      const runner = fakeHarmonize({ iterationMs: 1 });
      await worker('w1', runner);
      const events = await heard();
      const c = client();
      await c.ping();
      await redis.stop();
      const run = c.run(job('down-1'), {});
      const abort = new AbortController();
      const cancelled = c.run(job('down-2'), { signal: abort.signal });
      abort.abort();
      await expect(cancelled).rejects.toMatchObject({ code: 'CANCELLED' });
      await expect(c.ping(300)).rejects.toMatchObject({ code: 'COMPANION_UNREACHABLE', message: expect.stringMatching(/does not answer/) });
      await redis.start();
      const r = await run;
      expect(Array.from(r.image.data)).toEqual(harmonized);
      // The cancelled one, added once Redis was back, is taken out again (or failed by its mark, if a worker was quicker).
      await expect.poll(() => events('down-2')).toEqual([expect.stringMatching(/^(removed|failed)$/)]);
      expect(runner.record.started).toBe(1);
    });

    it('a worker and a client close while Redis is down, within a lock\'s length', async () => {
      const w = await worker('w1');
      const c = client();
      await c.ping();
      await redis.stop();
      cleanups.push(() => redis.start()); // for the next test
      const t0 = Date.now();
      await Promise.all([c.close(), w.close()]);
      expect(Date.now() - t0).toBeLessThan(fast.lockMs + 2000); // not for ever
    });
  });
});
