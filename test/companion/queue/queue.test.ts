// The studio queue against a real Redis (Debian's redis-server, started here): a worker and a
// client in this process with the fast stand-in pipelines, so each behaviour is checked exactly.
import { hostname } from 'node:os';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QueueClient, type RemoteJob } from '../../../companion/queue/client.js';
import { queueTarget } from '../../../companion/queue/connection.js';
import { QUEUE_PREFIX, queueName } from '../../../companion/queue/keys.js';
import { startWorker, type RunningWorker } from '../../../companion/queue/worker.js';
import { resolveOptions } from '../../../shared/options.js';
import type { ResolvedHarmonizeOptions, ResolvedPhotoStyleOptions } from '../../../shared/protocol.js';
import { queueRunners } from '../../../companion/queue/runners.js';
import type { Image } from '../../../companion/image/image.js';
import { expectedHarmonized, expectedPhotoStyled, FAKE_AUTO_TAU, fakeHarmonize, fakePhotoStyle } from '../../support/fake-runners.js';
import { composite, harmonizeOptions, mask, queueImage as image, queueJob } from '../../support/queue-job.js';
import { needsRedis, redisAvailable, startRedis, type TestRedis } from '../../support/redis.js';

const fast = { pollMs: 50, lockMs: 2000, ownerSeconds: 2 };
let redis: TestRedis;

const options = harmonizeOptions(6);
const job = (extra: Partial<RemoteJob> = {}): RemoteJob => ({ ...queueJob(options), ...extra });

beforeAll(async () => {
  if (redisAvailable) redis = await startRedis();
});
afterAll(async () => {
  await redis?.close();
});

describe.skipIf(!redisAvailable)(needsRedis('the studio queue'), () => {
  async function worker(runner = fakeHarmonize({ iterationMs: 5, previewEvery: 4 })): Promise<{ w: RunningWorker; runner: typeof runner }> {
    const w = await startWorker({ target: queueTarget(redis.url), backbones: ['squeezenet'], runners: { harmonize: runner }, device: 'cpu', name: 'test-worker', timings: fast });
    await w.ready;
    return { w, runner };
  }

  it('runs a job on a worker: the same result as the pipeline here, with started, progress and previews on the way', async () => {
    const { w, runner } = await worker();
    const client = new QueueClient({ target: queueTarget(redis.url), by: hostname(), timings: fast });
    const events: string[] = [];
    let previews = 0;
    const taus: unknown[] = [];
    const r = await client.run(job(), {
      onTau: (choice) => taus.push(choice),
      onStarted: (where) => events.push(`started ${where.worker} ${where.device}`),
      onProgress: (p) => {
        if (p.preview) previews++;
        if (!events.includes(p.stage)) events.push(p.stage);
      },
    });
    expect(Array.from(r.image.data)).toEqual(Array.from(expectedHarmonized(composite, mask).data));
    expect(r).toMatchObject({ worker: 'test-worker', device: 'cpu' });
    expect(events).toEqual(['started test-worker cpu', 'pass-1', 'pass-2']);
    expect(previews).toBeGreaterThan(0);
    // τ auto (the default): the worker's reading reaches the client, and the result says what ran.
    expect((runner.record.options[0] as { tau: unknown }).tau).toBe('auto');
    expect(taus).toEqual([FAKE_AUTO_TAU]);
    expect(r).toMatchObject({ tau: FAKE_AUTO_TAU.tau, auto: FAKE_AUTO_TAU });
    // The worker got the very floats the client had.
    const seen = runner.record.lastInputs as { composite: Image; mask: Image };
    expect(Array.from(seen.composite.data)).toEqual(Array.from(composite.data));
    expect(Array.from(seen.mask.data)).toEqual(Array.from(mask.data));
    await client.close();
    await w.close();
  });

  it('runs photo style and a harmonization in parts through queueRunners: the inputs arrive whole, places and alpha included', async () => {
    const style = fakePhotoStyle({ iterationMs: 1 });
    const harmonize = fakeHarmonize({ iterationMs: 1 });
    const w = await startWorker({ target: queueTarget(redis.url), backbones: ['vgg19'], runners: { harmonize, photoStyle: style }, device: 'cpu', name: 'test-worker', timings: fast });
    await w.ready;
    const client = new QueueClient({ target: queueTarget(redis.url), by: 'test', timings: fast });
    const runners = queueRunners(client);
    const content = image(10, 8, 3, (i) => ((i * 5) % 256) / 255);
    const ref = image(14, 9, 3, (i) => ((i * 3) % 256) / 255);
    const psOptions = { ...(resolveOptions({ mode: 'photo-style', backbone: 'vgg19', stage1Iters: 3, stage2Iters: 3 }) as ResolvedPhotoStyleOptions), device: 'cpu' };
    const styled = await runners.photoStyle!({ content, style: ref }, psOptions, {});
    expect(Array.from(styled.image.data)).toEqual(Array.from(expectedPhotoStyled(content, ref).data));
    expect(styled.device).toBe('cpu on test-worker');

    // A document in parts, as the panel sends it: the pasted layer keeps its alpha, each part its place.
    const doc = { width: 40, height: 30 };
    const parts = {
      document: doc,
      painting: image(40, 30, 3, (i) => ((i * 7) % 256) / 255),
      window: { region: { x0: 0, y0: 0, width: 40, height: 30 }, image: image(40, 30, 3, (i) => ((i * 11) % 256) / 255) },
      pasted: { region: { x0: 12, y0: 10, width: 8, height: 6 }, image: image(8, 6, 4, (i) => (i % 4 === 3 ? 1 : ((i * 13) % 256) / 255)) },
      mask: { region: { x0: 12, y0: 10, width: 8, height: 6 }, image: image(8, 6, 1, () => 1) },
    };
    const hOptions = { ...(resolveOptions({ mode: 'harmonize', backbone: 'vgg19', size: 32, pass1Iters: 2, pass2Iters: 2 }) as ResolvedHarmonizeOptions), device: 'cpu' };
    const r = await runners.harmonize!(parts, hOptions, {});
    const seen = harmonize.record.lastInputs as typeof parts;
    expect(seen.document).toEqual(doc);
    for (const k of ['window', 'pasted', 'mask'] as const) {
      expect(seen[k].region).toEqual(parts[k].region);
      expect(Array.from(seen[k].image.data)).toEqual(Array.from(parts[k].image.data));
    }
    expect(r.region).toBeDefined();
    await client.close();
    await w.close();
  });

  it('fails a malformed entry once, with a sentence, and the worker goes on', async () => {
    const { w } = await worker();
    const queue = new Queue(queueName('squeezenet'), { connection: queueTarget(redis.url).connection, prefix: QUEUE_PREFIX });
    const bad = await queue.add('harmonize', { v: 1, submit: { type: 'submit', jobId: 1, options: { mode: 'harmonize', tau: 'lots' }, planes: [] }, data: {}, owner: 'x', by: 'y' }, { attempts: 3 });
    await expect.poll(async () => (await queue.getJob(bad.id!))?.failedReason, { timeout: 10_000 }).toMatch(/^BAD_MESSAGE: .*tau/);
    expect((await queue.getJob(bad.id!))?.attemptsMade).toBe(1);
    const client = new QueueClient({ target: queueTarget(redis.url), by: 'test', timings: fast });
    await expect(client.run(job(), {})).resolves.toMatchObject({ worker: 'test-worker' });
    await client.close();
    await queue.close();
    await w.close();
  });
});
