// Memory stays bounded before and during uploads: before pairing only a hello-sized message is
// accepted (a larger one is refused from its frame header, never buffered), an upload that stalls
// fails and frees its memory, and a companion-wide budget is checked when a job is submitted.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterEach, describe, expect, it } from 'vitest';
import { planeFrames } from '../../../shared/frames.js';
import { DEFAULT_LIMITS } from '../../../shared/limits.js';
import { PROTOCOL_VERSION } from '../../../shared/protocol.js';
import { harmonizePlanes, pairedSocket, runRawJob, startTestServer, type TestServer } from './harness.js';
import { RawClient, until } from './raw-client.js';

let t: TestServer | undefined;
const held: RawClient[] = [];
afterEach(async () => {
  for (const c of held.splice(0)) c.destroy();
  await t?.close();
  t = undefined;
});

const MiB = 1024 * 1024;

function gcFunction(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

describe('before pairing', () => {
  it('refuses a message over maxHelloBytes from its header (1009) without buffering it: 8 connections × 16 MiB sent, array buffers grow < 8 MiB', async () => {
    t = await startTestServer(); // default limits: 128 MiB messages once paired, 4 KiB before
    const gc = gcFunction();
    const port = t.server.port;
    const clients = Array.from({ length: 8 }, () => new RawClient(port)); // as many as may wait to pair
    held.push(...clients);
    await Promise.all(clients.map((c) => c.status));
    const chunk = Buffer.alloc(MiB); // one buffer, written again and again: the sender holds 1 MiB
    gc();
    const before = process.memoryUsage().arrayBuffers;
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().arrayBuffers)), 1);
    try {
      await Promise.all(
        clients.map(async (c) => {
          // A binary frame declaring 120 MiB (under the paired cap), then 16 MiB of its payload.
          c.socket.write(RawClient.frameHeader(2, 120 * MiB));
          for (let i = 0; i < 16 && !c.isClosed; i++) {
            if (!c.socket.write(chunk)) await Promise.race([new Promise((r) => c.socket.once('drain', r)), c.closed]);
          }
          await c.closed;
        }),
      );
    } finally {
      clearInterval(sampler);
    }
    peak = Math.max(peak, process.memoryUsage().arrayBuffers);
    if (process.env.PAINTERLY_PRINT_MEMORY) console.log(`pre-pairing oversize: array buffers grew ${((peak - before) / MiB).toFixed(2)} MiB while 8 × 16 MiB were sent`);
    expect((peak - before) / MiB).toBeLessThan(8);
    for (const c of clients) expect(c.closeCode()).toBe(1009);
    expect(t.server.stats.unpairedConnections).toBe(0);
    // The companion is fine: a real client pairs and runs a job.
    const s = await pairedSocket(t);
    const { result } = await runRawJob(s, 1, harmonizePlanes(8, 8).planes);
    expect(result.type).toBe('result');
    s.close();
  });

  it('still accepts a hello right under the cap, and large frames once paired', async () => {
    t = await startTestServer({ limits: { maxFrameBytes: 1 * MiB } });
    const c = new RawClient(t.server.port);
    held.push(c);
    await c.status;
    const hello = JSON.stringify({ type: 'hello', protocolVersion: PROTOCOL_VERSION, token: t.token, client: { name: 'p'.repeat(3900), version: '1' } });
    expect(hello.length).toBeLessThanOrEqual(DEFAULT_LIMITS.maxHelloBytes);
    c.sendText(hello);
    await until(() => c.messages().length > 0, 2000, 'an answer to hello');
    expect(c.messages()[0]).toMatchObject({ type: 'welcome' });
    const s = await pairedSocket(t);
    const { planes } = harmonizePlanes(256, 256); // 256 KiB planes sent in one frame each
    const { result } = await runRawJob(s, 1, planes, undefined, 1 * MiB);
    expect(result.type).toBe('result');
    s.close();
  });
});

describe('uploads', () => {
  it('fails an upload that stalls with UPLOAD_TIMEOUT naming what is missing, frees its memory and keeps the connection', async () => {
    t = await startTestServer({ limits: { uploadIdleTimeoutMs: 300 } });
    const s = await pairedSocket(t);
    const { planes } = harmonizePlanes(64, 64);
    s.sendJson({ type: 'submit', jobId: 1, options: { mode: 'harmonize' }, planes: planes.map(({ data: _d, ...d }) => d) });
    await s.next('accepted');
    expect(t.server.stats.heldBytes).toBe(64 * 64 * (3 + 3 + 1) * 4);
    const [painting, composite] = planes;
    for (const f of planeFrames({ jobId: 1, plane: 'painting' }, painting, painting.data, 4096)) s.sendBinary(f);
    s.sendBinary([...planeFrames({ jobId: 1, plane: 'composite' }, composite, composite.data, 4096)][0]);
    const err = await s.next('error', 5000);
    expect(err).toMatchObject({ jobId: 1, code: 'UPLOAD_TIMEOUT' });
    expect(err.message).toContain('still missing: composite, mask');
    expect(t.server.stats.heldBytes).toBe(0);
    s.discardJob(1);
    const { result } = await runRawJob(s, 1, harmonizePlanes(8, 8).planes);
    expect(result.type).toBe('result');
    s.close();
  });

  it('keeps an upload alive while its frames keep coming, even when the whole upload takes longer than the idle limit', async () => {
    t = await startTestServer({ limits: { uploadIdleTimeoutMs: 400 } });
    const s = await pairedSocket(t);
    const { planes } = harmonizePlanes(32, 32);
    s.sendJson({ type: 'submit', jobId: 1, options: { mode: 'harmonize', pass1Iters: 1, pass2Iters: 1 }, planes: planes.map(({ data: _d, ...d }) => d) });
    await s.next('accepted');
    const started = Date.now();
    for (const p of planes) {
      for (const f of planeFrames({ jobId: 1, plane: p.plane }, p, p.data, 512)) {
        s.sendBinary(f);
        await new Promise((r) => setTimeout(r, 40));
      }
    }
    expect(Date.now() - started).toBeGreaterThan(400);
    expect(await s.next('result', 5000)).toMatchObject({ jobId: 1 });
    s.close();
  });
});

describe('memory budget', () => {
  it('refuses a job that can never fit with IMAGE_TOO_LARGE, saying how big a job can be (and a job that size fits)', async () => {
    t = await startTestServer({ limits: { maxHeldBytes: 1 * MiB } });
    const s = await pairedSocket(t);
    const decl = (w: number, h: number) => harmonizePlanes(w, h).planes.map(({ data: _d, ...d }) => d);
    s.sendJson({ type: 'submit', jobId: 1, options: { mode: 'harmonize' }, planes: decl(512, 256) });
    const err = await s.next('error');
    expect(err).toMatchObject({ jobId: 1, code: 'IMAGE_TOO_LARGE' });
    expect(err.message).toMatch(/would take 3\.5 MiB|would take 4 MiB/);
    expect(err.message).toContain('at most 1 MiB for all jobs together');
    const [, w, h] = /at most about (\d+) × (\d+) px/.exec(err.message)!.map(Number);
    expect(w / h).toBeCloseTo(2, 1);
    s.sendJson({ type: 'submit', jobId: 2, options: { mode: 'harmonize' }, planes: decl(w, h) });
    expect(await s.next()).toMatchObject({ type: 'accepted', jobId: 2 });
    s.close();
  });

  it('refuses with BUSY while other jobs hold the memory, then accepts once they end', async () => {
    const jobBytes = 64 * 64 * 7 * 4;
    t = await startTestServer({ limits: { maxHeldBytes: Math.floor(jobBytes * 1.5) } });
    const a = await pairedSocket(t);
    const b = await pairedSocket(t);
    const decl = harmonizePlanes(64, 64).planes.map(({ data: _d, ...d }) => d);
    a.sendJson({ type: 'submit', jobId: 1, options: { mode: 'harmonize' }, planes: decl });
    await a.next('accepted');
    b.sendJson({ type: 'submit', jobId: 1, options: { mode: 'harmonize' }, planes: decl });
    const busy = await b.next('error');
    expect(busy).toMatchObject({ jobId: 1, code: 'BUSY' });
    expect(busy.message).toMatch(/Other jobs hold 112 KiB .* this job needs 112 KiB: wait for them to finish, or send a smaller job \(at most about \d+ × \d+ px/);
    a.sendJson({ type: 'cancel', jobId: 1 });
    await a.next('cancelled');
    expect(t.server.stats.heldBytes).toBe(0);
    b.sendJson({ type: 'submit', jobId: 1, options: { mode: 'harmonize' }, planes: decl });
    await b.next('accepted');
    a.close();
    b.close();
  });

  it('gives the memory back when jobs finish, fail or their connection closes', async () => {
    t = await startTestServer();
    const s = await pairedSocket(t);
    await runRawJob(s, 1, harmonizePlanes(16, 16).planes);
    expect(t.server.stats.heldBytes).toBe(0);
    s.sendJson({ type: 'submit', jobId: 2, options: { mode: 'harmonize' }, planes: harmonizePlanes(16, 16).planes.map(({ data: _d, ...d }) => d) });
    await s.next('accepted');
    expect(t.server.stats.heldBytes).toBeGreaterThan(0);
    s.close();
    await until(() => t!.server.stats.heldBytes === 0, 2000, 'the memory to be released');
  });
});
