// The studio queue's cost (issue 26): the same harmonize jobs (kit examples, the kit's SqueezeNet,
// the panel's Preview: 350 px, 200 + 200 iterations) run
//   (a) here, in this process, through pipelineRunners() (of the build, as the workers run it);
//   (b) through the queue with ONE worker: each job right after its local run (the pair's times
//       compared), then all of them at once (throughput);
//   (c) through the queue with TWO workers, all at once (throughput).
// Each worker is a real `painterly worker` child process (the built CLI, bin/painterly.js: run
// `npm run build` first) on a redis-server this bench starts on a loopback port
// (test/support/redis.ts); the jobs are submitted by a QueueClient here, with the very planes a
// gateway or a batch sends (companion/queue/runners.ts harmonizePlanes). Each side runs one
// untimed job first. Figures are ratios of this run alone.
//   npm run bench -- queue [--jobs 4] [--examples 16,2,1,3,5,9,10,0] [--size 350] [--iters 200]
//                          [--threads 1]
// Threads: every process gets PAINTERLY_CPU_THREADS=--threads (ONNX Runtime's intra-op threads),
// this one and each worker alike, so a local job and a worker's job have the same compute, and
// two workers of one thread each can use both cores of a 2-core machine. (PatchMatch, a small
// part of post-processing, runs on min(4, cores) worker threads in every case.)
// The last lines: queue-overhead-ratio ((queued − local) / local per job, one worker, mean),
// queue-own-time-ratio (the same without the noise between two runs of one job: the time outside
// the worker's hands plus the worker's own pixel transfers, / local), queue-transfer-ratio
// (storing the planes and fetching the result, / local), queue-start-latency-s (submit → the
// worker's start), queue-two-worker-throughput-ratio (jobs/s with two workers over one) and
// queue-max-abs-diff (every queued result against the local one: expected 0).
import { spawn, type ChildProcess } from 'node:child_process';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { resolveOptions } from '../shared/options.js';
import type { ResolvedHarmonizeOptions } from '../shared/protocol.js';
import type { Image } from '../companion/image/image.js';
import { QueueClient, type RemotePlane } from '../companion/queue/client.js';
import { queueTarget } from '../companion/queue/connection.js';
import { planeKey } from '../companion/queue/keys.js';
import { exactBits, floatImage, getSamples, putSamples, toSamples } from '../companion/queue/pixels.js';
import { harmonizePlanes } from '../companion/queue/runners.js';
import { decodedChannels } from '../companion/server/job-inputs.js';
import { planeSink } from '../companion/server/planes.js';
import { startRedis } from '../test/support/redis.js';
import { KIT, REPO_ROOT, kitWeights } from '../eval/shared-kit.js';
import { loadExample, mean, type KitExample } from './kit-examples.js';
import { fmt } from './util.js';

interface Job {
  name: string;
  ex: KitExample;
  options: ResolvedHarmonizeOptions;
  planes: RemotePlane[];
}

interface Queued {
  wall: number;
  /** From client.run to the worker's 'started' event. */
  startLatency: number;
  /** The worker's own time, from taking the job to storing its result. */
  workerSeconds: number;
  worker: string;
  image: Image;
}

const now = () => performance.now() / 1000;

function maxAbsDiff(a: Image, b: Image): number {
  if (a.width !== b.width || a.height !== b.height || a.channels !== b.channels) return Infinity;
  let m = 0;
  for (let i = 0; i < a.data.length; i++) m = Math.max(m, Math.abs(a.data[i] - b.data[i]));
  return m;
}

/** A `painterly worker` child process, ready once it says it serves the queue. */
async function startWorkerProcess(url: string, name: string, weights: string, threads: number): Promise<{ name: string; child: ChildProcess; stop(): Promise<void> }> {
  const args = [join(REPO_ROOT, 'bin', 'painterly.js'), 'worker', '--queue', url, '--backbone', 'squeezenet', '--weights', weights, '--device', 'cpu', '--name', name];
  const child = spawn(process.execPath, args, { env: { ...process.env, PAINTERLY_CPU_THREADS: String(threads) }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`worker ${name} did not start within 120 s:\n${output}`)), 120_000);
    const onData = (d: Buffer) => {
      output += d.toString();
      if (/Painterly worker .* serving/.test(output)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`worker ${name} exited with ${code}:\n${output}`));
    });
  });
  // Keep the pipes drained; show what a worker says about failures.
  child.stderr!.on('data', (d: Buffer) => {
    for (const line of d.toString().split('\n')) if (/failed|error/i.test(line)) console.error(`  [${name}] ${line}`);
  });
  return {
    name,
    child,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/**
 * The pipelines as built (build/, what `npm run build` makes), the very code the workers run. From
 * TypeScript source the local runs would be slower for no reason of the queue's: PatchMatch's
 * worker threads would each load tsx and compile their module, at every job.
 */
async function builtRunners(): Promise<ReturnType<typeof import('../companion/pipeline/runners.js').pipelineRunners>> {
  const url = pathToFileURL(join(REPO_ROOT, 'build', 'companion', 'pipeline', 'runners.js')).href;
  const built = (await import(url).catch((e: Error) => {
    throw new Error(`The companion is not built (${e.message}): run \`npm run build\` first.`);
  })) as typeof import('../companion/pipeline/runners.js');
  return built.pipelineRunners();
}

async function runQueued(client: QueueClient, job: Job): Promise<Queued> {
  const t0 = now();
  let started: number | undefined;
  const r = await client.run({ options: job.options, planes: job.planes }, { onStarted: () => (started ??= now()) });
  const wall = now() - t0;
  return { wall, startLatency: (started ?? NaN) - t0, workerSeconds: r.seconds, worker: r.worker, image: r.image };
}

/** All jobs at once; seconds until the last result is back. */
async function runAll(client: QueueClient, jobs: Job[]): Promise<{ seconds: number; results: Queued[] }> {
  const t0 = now();
  const results = await Promise.all(jobs.map((j) => runQueued(client, j)));
  return { seconds: now() - t0, results };
}

/**
 * The pixels' trips through Redis, replayed with the same functions as the client and the worker
 * (pixels.ts, the worker's plane decoding): the client stores the planes, the worker fetches and
 * decodes them, stores the result as float32, the client fetches it. Seconds of each.
 */
async function transfer(store: Redis, job: Job, result: Image, id: string): Promise<{ storePlanes: number; fetchPlanes: number; storeResult: number; fetchResult: number; storedBytes: number }> {
  const seconds = 3600;
  let t = now();
  const stored = [];
  for (const p of job.planes) {
    const bits = exactBits(p.image.data);
    stored.push({ p, bits, ref: await putSamples(store, planeKey(id, p.plane), toSamples(p.image, bits), seconds) });
  }
  const storePlanes = now() - t;
  t = now();
  for (const { p, bits, ref } of stored) {
    const decl = { plane: p.plane, width: p.image.width, height: p.image.height, channels: p.channels, bitsPerChannel: bits };
    const raw = await getSamples(store, ref, p.plane);
    const { sink, image } = planeSink(decl, decodedChannels(decl));
    sink(raw, 0);
    image();
  }
  const fetchPlanes = now() - t;
  t = now();
  const ref = await putSamples(store, planeKey(id, 'result-0'), result.data, seconds);
  const storeResult = now() - t;
  t = now();
  floatImage(await getSamples(store, ref, 'result'), result.width, result.height, result.channels);
  const fetchResult = now() - t;
  let storedBytes = await store.strlen(ref.key);
  for (const { ref: r } of stored) storedBytes += await store.strlen(r.key);
  await store.del(...job.planes.map((p) => planeKey(id, p.plane)), ref.key);
  return { storePlanes, fetchPlanes, storeResult, fetchResult, storedBytes };
}

export async function main(argv: string[]): Promise<void> {
  const { values: v } = parseArgs({
    args: argv,
    options: {
      jobs: { type: 'string', default: '4' }, examples: { type: 'string', default: '16,2,1,3,5,9,10,0' },
      size: { type: 'string', default: '350' }, iters: { type: 'string', default: '200' }, threads: { type: 'string', default: '1' },
    },
  });
  const n = Number(v.jobs), size = Number(v.size), iters = Number(v.iters), threads = Number(v.threads);
  const picks = v.examples!.split(',').map(Number);
  if (!(n >= 1 && n <= picks.length)) throw new Error(`--jobs must be 1 to ${picks.length} (the --examples listed).`);
  const weights = kitWeights('squeezenet');
  if (!weights) throw new Error(`No SqueezeNet weights in the kit (${join(KIT, 'weights')}).`);
  process.env.PAINTERLY_CPU_THREADS = String(threads); // read when each session is made: this process's local runs

  const jobs: Job[] = [];
  for (const k of picks.slice(0, n)) {
    const ex = await loadExample(k);
    const options = resolveOptions({ mode: 'harmonize', quality: 'preview', backbone: 'squeezenet', tau: ex.tau, size, pass1Iters: iters, pass2Iters: iters }) as ResolvedHarmonizeOptions;
    jobs.push({ name: `example ${k}`, ex, options, planes: harmonizePlanes(ex.inputs).planes });
  }
  console.log(`queue benchmark: ${n} harmonize jobs (examples ${picks.slice(0, n).join(', ')}), SqueezeNet (kit weights), ${size} px, ${iters} + ${iters} iterations (schedule ${jobs[0].options.schedule}), CPU, ${threads} ONNX Runtime thread(s) per process; load average ${loadavg()[0].toFixed(2)} (other work on the machine skews every figure)`);

  const redis = await startRedis();
  const workers: Awaited<ReturnType<typeof startWorkerProcess>>[] = [];
  const client = new QueueClient({ target: queueTarget(redis.url), by: 'bench' });
  const store = new Redis(redis.url);
  try {
    await client.ping();
    const local = await builtRunners();
    const run = { device: 'cpu', weightsFile: weights };
    // A listener for progress, as the companion has for the panel: previews are made only when
    // someone listens, and a worker always publishes them.
    const runLocal = async (job: Job) => {
      const t0 = now();
      const r = await local.harmonize(job.ex.inputs, { ...job.options, ...run }, { onProgress: () => {} });
      return { seconds: now() - t0, image: r.image };
    };
    // One untimed job each way first (the model loaded, the code warm), as a worker has run
    // jobs before in a studio.
    const [first] = await Promise.all([startWorkerProcess(redis.url, 'worker-1', weights, threads), local.preload('squeezenet', run)]);
    workers.push(first);
    await runLocal(jobs[0]);
    await runQueued(client, jobs[0]);

    // (a) and (b): each job here and then on the one worker, back to back, so that other work on
    // the machine weighs on both alike.
    const localTimes: number[] = [];
    const localImages: Image[] = [];
    const one: Queued[] = [];
    for (const job of jobs) {
      const l = await runLocal(job);
      localTimes.push(l.seconds);
      localImages.push(l.image);
      const q = await runQueued(client, job);
      one.push(q);
      console.log(`  ${job.name}: local ${fmt(l.seconds, 2)} s, queued ${fmt(q.wall, 2)} s (the worker's own ${fmt(q.workerSeconds, 2)} s, started ${fmt(q.startLatency, 3)} s after submit)`);
    }
    const allOne = await runAll(client, jobs);
    console.log(`  one worker, ${n} jobs at once: ${fmt(allOne.seconds, 1)} s`);

    // (c) Two workers: the second warmed by a pair of jobs (each idle worker takes one).
    workers.push(await startWorkerProcess(redis.url, 'worker-2', weights, threads));
    const warm = await runAll(client, [jobs[0], jobs[0]]);
    const allTwo = await runAll(client, jobs);
    console.log(`  two workers, ${n} jobs at once: ${fmt(allTwo.seconds, 1)} s (warm-up jobs on ${[...new Set(warm.results.map((r) => r.worker))].join(' and ')}; jobs per worker: ${workers.map((w) => `${w.name} ${allTwo.results.filter((r) => r.worker === w.name).length}`).join(', ')})`);

    // Every queued result against the local one.
    let diff = 0;
    for (const results of [one, allOne.results, allTwo.results]) results.forEach((q, i) => (diff = Math.max(diff, maxAbsDiff(q.image, localImages[i]))));

    const trips: Awaited<ReturnType<typeof transfer>>[] = [];
    for (const [i, job] of jobs.entries()) trips.push(await transfer(store, job, localImages[i], `bench-transfer-${i}`));

    const overhead = jobs.map((_, i) => (one[i].wall - localTimes[i]) / localTimes[i]);
    const clientTransfer = trips.map((t, i) => (t.storePlanes + t.fetchResult) / localTimes[i]);
    const allTransfer = trips.map((t, i) => (t.storePlanes + t.fetchPlanes + t.storeResult + t.fetchResult) / localTimes[i]);
    // The queue's own time, free of the noise between two runs of the same compute: what a job
    // spends outside the worker's hands, plus the worker's own fetching and storing of pixels.
    const ownTime = jobs.map((_, i) => one[i].wall - one[i].workerSeconds + trips[i].fetchPlanes + trips[i].storeResult);
    const workerVsLocal = jobs.map((_, i) => one[i].workerSeconds / localTimes[i]);
    const resultMiB = mean(localImages.map((im) => im.data.byteLength)) / 2 ** 20;
    console.log(`per job, means over ${n} jobs:`);
    console.log(`  local ${fmt(mean(localTimes), 2)} s; queued (one worker, one job at a time) ${fmt(mean(one.map((q) => q.wall)), 2)} s; the worker's own time ${fmt(mean(one.map((q) => q.workerSeconds)), 2)} s (×${fmt(mean(workerVsLocal), 3)} of local)`);
    console.log(`  the queue's own time: ${fmt(mean(ownTime), 3)} s (outside the worker's hands ${fmt(mean(one.map((q) => q.wall - q.workerSeconds)), 3)} s, plus the worker fetching planes and storing the result)`);
    console.log(`  submit → worker started: ${fmt(mean(one.map((q) => q.startLatency)), 3)} s`);
    console.log(`  transfer (replayed, pixels.ts): client stores planes ${fmt(mean(trips.map((t) => t.storePlanes)), 3)} s, worker fetches them ${fmt(mean(trips.map((t) => t.fetchPlanes)), 3)} s, ` +
      `worker stores result ${fmt(mean(trips.map((t) => t.storeResult)), 3)} s, client fetches it ${fmt(mean(trips.map((t) => t.fetchResult)), 3)} s (result ${fmt(resultMiB, 1)} MiB float32; a job's pixels take ${fmt(mean(trips.map((t) => t.storedBytes)) / 2 ** 20, 1)} MiB in Redis, deflated)`);
    console.log(`  throughput: one worker ${fmt(n / allOne.seconds, 4)} jobs/s, two workers ${fmt(n / allTwo.seconds, 4)} jobs/s; local one after the other ${fmt(n / localTimes.reduce((a, b) => a + b, 0), 4)} jobs/s`);
    console.log(`  load average at the end: ${loadavg().map((l) => l.toFixed(2)).join(', ')} (1, 5, 15 min)`);
    console.log(`queue-overhead-ratio: ${fmt(mean(overhead), 3)}`);
    console.log(`queue-own-time-ratio: ${fmt(mean(ownTime.map((t, i) => t / localTimes[i])), 3)}`);
    console.log(`queue-transfer-ratio: ${fmt(mean(clientTransfer), 3)} (client side: store planes + fetch result; with the worker's side ${fmt(mean(allTransfer), 3)})`);
    console.log(`queue-start-latency-s: ${fmt(mean(one.map((q) => q.startLatency)), 3)}`);
    console.log(`queue-two-worker-throughput-ratio: ${fmt(allOne.seconds / allTwo.seconds, 2)}`);
    console.log(`queue-max-abs-diff: ${diff}`);
    if (diff !== 0) process.exitCode = 1;
  } finally {
    await client.close();
    store.disconnect();
    await Promise.all(workers.map((w) => w.stop()));
    await redis.close();
  }
}
