// The job queue seen from clients: one job on the device at a time, places, cancel in every
// phase, disconnects, several clients, and memory over many jobs.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type WebSocketLike } from '../../../shared/client.js';
import { connectToCompanion } from '../../../shared/connect.js';
import { planeFrames } from '../../../shared/frames.js';
import { PROTOCOL_VERSION, type JobEvent } from '../../../shared/protocol.js';
import { expectedHarmonized, FAKE_AUTO_TAU } from '../../support/fake-runners.js';
import { harmonizePlanes, pairedSocket, quantise, runRawJob, startTestServer, TestSocket, type TestServer } from './harness.js';

const nodeSocket = (url: string) => new WebSocket(url, { perMessageDeflate: false }) as unknown as WebSocketLike;
const long = { mode: 'harmonize', pass1Iters: 1000, pass2Iters: 0 } as const;

let t: TestServer | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

async function until(cond: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('automatic τ', () => {
  it('tells the client the τ it read from the painting before the result, when τ is auto (the default)', async () => {
    t = await startTestServer();
    const client = await connectToCompanion({ url: t.server.url, token: t.token, createSocket: nodeSocket });
    const events: JobEvent[] = [];
    const job = client.submit({ options: { mode: 'harmonize', pass1Iters: 1, pass2Iters: 1 }, planes: harmonizePlanes(8, 8).planes }, (e) => events.push(e));
    await job.result;
    expect((t.harmonize.record.options[0] as { tau: unknown }).tau).toBe('auto');
    const tau = events.filter((e) => e.type === 'tau');
    expect(tau).toEqual([{ type: 'tau', jobId: job.jobId, ...FAKE_AUTO_TAU }]);
    expect(events.findIndex((e) => e.type === 'tau')).toBeLessThan(events.findIndex((e) => e.type === 'result'));

    const given: JobEvent[] = [];
    await client.submit({ options: { mode: 'harmonize', tau: 7, pass1Iters: 1, pass2Iters: 1 }, planes: harmonizePlanes(8, 8).planes }, (e) => given.push(e)).result;
    expect((t.harmonize.record.options[1] as { tau: unknown }).tau).toBe(7);
    expect(given.some((e) => e.type === 'tau')).toBe(false);
    client.close();
  });
});

describe('cancel', () => {
  it('stops a running job within one iteration and answers cancelled (running)', async () => {
    t = await startTestServer({}, { iterationMs: 5 });
    const client = await connectToCompanion({ url: t.server.url, token: t.token, createSocket: nodeSocket });
    const events: JobEvent[] = [];
    const job = client.submit({ options: long, planes: harmonizePlanes(16, 16).planes }, (e) => events.push(e));
    await t.harmonize.record.reached(3);
    job.cancel();
    await expect(job.result).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(events.at(-1)).toEqual({ type: 'cancelled', jobId: job.jobId, phase: 'running' });
    expect(t.harmonize.record.cancelled).toBe(1);
    expect(t.harmonize.record.iterationsAfterAbort[0]).toBeLessThanOrEqual(1);
    // the device is free again
    const next = await client.submit({ options: { mode: 'harmonize', pass1Iters: 1, pass2Iters: 1 }, planes: harmonizePlanes(8, 8).planes }).result;
    expect(next.width).toBe(8);
    client.close();
  });

  it('takes a queued job out of the queue without running it', async () => {
    t = await startTestServer({}, { iterationMs: 2 });
    const client = await connectToCompanion({ url: t.server.url, token: t.token, createSocket: nodeSocket });
    const first = client.submit({ options: long, planes: harmonizePlanes(8, 8).planes });
    first.result.catch(() => {});
    const secondEvents: JobEvent[] = [];
    const second = client.submit({ options: long, planes: harmonizePlanes(8, 8).planes }, (e) => secondEvents.push(e));
    await until(() => secondEvents.some((e) => e.type === 'queued'), 'the second job is queued');
    expect(secondEvents.find((e) => e.type === 'queued')).toMatchObject({ place: 1 });
    second.cancel();
    await expect(second.result).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(secondEvents.at(-1)).toMatchObject({ type: 'cancelled', phase: 'queued' });
    first.cancel();
    await expect(first.result).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(t.harmonize.record.started).toBe(1);
    client.close();
  });

  it('cancels a job while it uploads and drops its late frames quietly', async () => {
    t = await startTestServer();
    const s = await pairedSocket(t);
    const { planes } = harmonizePlanes(10, 10);
    s.sendJson({ type: 'submit', jobId: 5, options: { mode: 'harmonize' }, planes: planes.map(({ data: _d, ...d }) => d) });
    await s.next('accepted');
    s.sendJson({ type: 'cancel', jobId: 5 });
    expect(await s.next('cancelled')).toEqual({ type: 'cancelled', jobId: 5, phase: 'uploading' });
    for (const p of planes) for (const f of planeFrames({ jobId: 5, plane: p.plane }, p, p.data, 1 << 20)) s.sendBinary(f);
    s.sendJson({ type: 'cancel', jobId: 5 }); // a second cancel for a job just ended is not an error either
    s.sendJson({ type: 'ping', nonce: 1 });
    await s.next('pong');
    expect(s.pending()).toEqual([]);
    expect(t.harmonize.record.started).toBe(0);
    s.close();
  });
});

describe('disconnect', () => {
  it('cancels the running job of a client that disconnects, and serves the next client', async () => {
    t = await startTestServer({}, { iterationMs: 5 });
    const a = await connectToCompanion({ url: t.server.url, token: t.token, createSocket: nodeSocket });
    const job = a.submit({ options: long, planes: harmonizePlanes(16, 16).planes });
    job.result.catch(() => {});
    await t.harmonize.record.reached(2);
    a.close();
    await until(() => t!.harmonize.record.cancelled === 1, 'the runner saw the abort');
    expect(t.harmonize.record.iterationsAfterAbort[0]).toBeLessThanOrEqual(1);
    await until(() => t!.server.stats.jobsCancelled === 1, 'the server counted the cancel');
    const b = await connectToCompanion({ url: t.server.url, token: t.token, createSocket: nodeSocket });
    const out = await b.submit({ options: { mode: 'harmonize', pass1Iters: 1, pass2Iters: 1 }, planes: harmonizePlanes(8, 8).planes }).result;
    expect(out.width).toBe(8);
    b.close();
  });

  it('drops the queued jobs of a client that disconnects without running them', async () => {
    t = await startTestServer({}, { iterationMs: 5 });
    const a = await connectToCompanion({ url: t.server.url, token: t.token, createSocket: nodeSocket });
    const queued: JobEvent[] = [];
    const jobs = [a.submit({ options: long, planes: harmonizePlanes(8, 8).planes }), a.submit({ options: long, planes: harmonizePlanes(8, 8).planes }, (e) => queued.push(e))];
    for (const j of jobs) j.result.catch(() => {});
    await until(() => queued.some((e) => e.type === 'queued'), 'the second job is queued');
    a.close();
    await until(() => t!.server.stats.jobsCancelled === 2, 'both jobs were cancelled');
    expect(t.harmonize.record.started).toBe(1);
  });
});

describe('several clients', () => {
  it('runs two clients’ jobs one after the other, each getting its own correct result', async () => {
    t = await startTestServer({}, { iterationMs: 1 });
    const [a, b] = await Promise.all([1, 2].map(() => connectToCompanion({ url: t!.server.url, token: t!.token, createSocket: nodeSocket })));
    const pa = harmonizePlanes(20, 12);
    const pb = harmonizePlanes(9, 21, 16);
    const eventsB: JobEvent[] = [];
    const [ra, rb] = await Promise.all([
      a.submit({ options: { mode: 'harmonize', pass1Iters: 20, pass2Iters: 5 }, planes: pa.planes }).result,
      b.submit({ options: { mode: 'harmonize', pass1Iters: 20, pass2Iters: 5 }, planes: pb.planes }, (e) => eventsB.push(e)).result,
    ]);
    expect(Array.from(ra.data)).toEqual(Array.from(quantise(expectedHarmonized(pa.composite, pa.mask), 8)));
    expect(Array.from(rb.data)).toEqual(Array.from(quantise(expectedHarmonized(pb.composite, pb.mask), 16)));
    expect(t.harmonize.record.maxConcurrent).toBe(1);
    expect(t.harmonize.record.started).toBe(2);
    a.close();
    b.close();
  });

  it('tells a waiting job its place each time it moves up', async () => {
    t = await startTestServer({}, { iterationMs: 1 });
    const client = await connectToCompanion({ url: t.server.url, token: t.token, createSocket: nodeSocket });
    const places: number[] = [];
    const short = { mode: 'harmonize', pass1Iters: 3, pass2Iters: 0 } as const;
    // The first job runs until cancelled, so the other two are surely waiting behind it.
    const first = client.submit({ options: long, planes: harmonizePlanes(8, 8).planes });
    first.result.catch(() => {});
    const second = client.submit({ options: short, planes: harmonizePlanes(8, 8).planes });
    const third = client.submit({ options: short, planes: harmonizePlanes(8, 8).planes }, (e) => e.type === 'queued' && places.push(e.place));
    await until(() => places.length === 1, 'the third job is queued');
    first.cancel();
    await Promise.all([second.result, third.result]);
    // 2 ahead, then 1 (the job running); when that one ends this job starts at once.
    expect(places).toEqual([2, 1]);
    client.close();
  });

  it('refuses more open jobs per connection than the limit with BUSY', async () => {
    t = await startTestServer({ limits: { maxJobsPerConnection: 1 } });
    const s = await pairedSocket(t);
    const decl = harmonizePlanes(8, 8).planes.map(({ data: _d, ...d }) => d);
    s.sendJson({ type: 'submit', jobId: 1, options: { mode: 'harmonize' }, planes: decl });
    await s.next('accepted');
    s.sendJson({ type: 'submit', jobId: 2, options: { mode: 'harmonize' }, planes: decl });
    expect(await s.next('error')).toMatchObject({ jobId: 2, code: 'BUSY' });
    s.close();
  });

  it('refuses paired connections beyond maxConnections with BUSY (4429), at hello', async () => {
    t = await startTestServer({ limits: { maxConnections: 1 } });
    const first = await pairedSocket(t);
    const second = new TestSocket(t.server.url);
    await second.opened;
    second.sendJson({ type: 'hello', protocolVersion: PROTOCOL_VERSION, token: t.token });
    expect(await second.next('error')).toMatchObject({ code: 'BUSY', closing: true });
    expect((await second.closed).code).toBe(4429);
    first.sendJson({ type: 'ping', nonce: 3 });
    expect((await first.next('pong')).nonce).toBe(3);
    first.close();
  });
});

/** A gc function when V8 lets us have one (it does in Node: the flag can be set at run time). */
function gcFunction(): (() => void) | undefined {
  try {
    setFlagsFromString('--expose-gc');
    return runInNewContext('gc') as () => void;
  } catch {
    return undefined;
  }
}

describe('memory', () => {
  it('returns the memory of 50 sequential jobs: heap plus array-buffer growth stays under 24 MB while each job holds ~2.9 MB of planes', async () => {
    t = await startTestServer();
    const gc = gcFunction();
    const s = await pairedSocket(t);
    const { planes } = harmonizePlanes(320, 320); // 7 channels: 0.7 MB as bytes, 2.9 MB as float32 inside the companion
    const settle = async () => {
      await new Promise((r) => setTimeout(r, 20));
      gc?.();
      gc?.();
      const m = process.memoryUsage();
      return m.heapUsed + m.arrayBuffers; // typed-array storage lives outside the JS heap
    };
    for (let i = 1; i <= 5; i++) await runRawJob(s, i, planes, undefined, 1 << 20);
    const before = await settle();
    for (let i = 6; i <= 55; i++) await runRawJob(s, i, planes, undefined, 1 << 20);
    const after = await settle();
    const growthMB = (after - before) / 2 ** 20;
    console.log(`heap growth over 50 jobs: ${growthMB.toFixed(1)} MB (forced gc: ${gc !== undefined})`);
    // Without a forced gc the bound is looser: V8 may not have collected yet.
    expect(growthMB).toBeLessThan(gc ? 24 : 120);
    expect(t.server.stats.jobsCompleted).toBe(55);
    s.close();
  });
});
