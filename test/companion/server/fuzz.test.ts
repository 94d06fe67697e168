// 14,000 random and mutated messages (over 10,000 of them binary frames) on one paired connection (seeded, so a failure replays):
// the companion answers, never crashes, and afterwards still completes a valid job exactly.
import { mulberry32 } from '../../../shared/seeded-random.js';
import { afterEach, expect, it } from 'vitest';
import { encodeFrame, FRAME_HEADER_BYTES, planeFrames, PLANE_IDS, type PlaneName } from '../../../shared/frames.js';
import { expectedHarmonized } from '../../support/fake-runners.js';
import { harmonizePlanes, pairedSocket, quantise, runRawJob, startTestServer, type TestServer } from './harness.js';

const prng = mulberry32;

let t: TestServer;
afterEach(async () => {
  await t.close();
});

it('survives 14,000 random (over 10,000 binary) and mutated frames and messages, then completes a valid job', async () => {
  t = await startTestServer({ limits: { maxFrameBytes: 4096, maxJobsPerConnection: 4 } });
  const s = await pairedSocket(t);
  const rand = prng(20240611);
  const int = (n: number) => Math.floor(rand() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)];
  const { planes } = harmonizePlanes(12, 10);
  const valid = planes.flatMap((p) => [...planeFrames({ jobId: 1, plane: p.plane }, p, p.data, 200)]);
  const planeNames = Object.keys(PLANE_IDS) as PlaneName[];
  const texts = ['{', '{}', 'null', '[]', '{"type":1}', '{"type":"submit"}', '{"type":"cancel","jobId":-1}', '{"type":"submit","jobId":3,"options":{"mode":"harmonize"},"planes":"x"}'];
  const declarations = planes.map(({ data: _d, ...d }) => d);

  const N = 14_000;
  let binary = 0;
  for (let i = 0; i < N; i++) {
    const kind = int(10);
    let msg: Uint8Array | string;
    if (kind === 0) {
      // raw noise, sometimes starting with the magic
      msg = Uint8Array.from({ length: int(120) }, () => int(256));
      if (rand() < 0.5 && msg.length >= 4) msg.set([0x50, 0x4e, 0x54, 0x52]);
    } else if (kind <= 4) {
      // a valid frame with a few bytes flipped, truncated or extended
      const base = valid[int(valid.length)].slice();
      const flips = 1 + int(4);
      for (let k = 0; k < flips; k++) base[int(rand() < 0.7 ? FRAME_HEADER_BYTES : base.length)] = int(256);
      const cut = rand();
      msg = cut < 0.2 ? base.subarray(0, int(base.length)) : cut < 0.3 ? Uint8Array.from([...base, ...new Uint8Array(1 + int(20))]) : base;
    } else if (kind <= 7) {
      // a well-formed header with random fields for random jobs (some submitted below)
      const channels = 1 + int(4);
      const width = 1 + int(20);
      const height = 1 + int(20);
      const bits = rand() < 0.5 ? 8 : 16;
      const bpp = channels * (bits / 8);
      const chunkCount = 1 + int(3);
      msg = encodeFrame(
        { jobId: 1 + int(6), plane: pick(planeNames), width, height, channels, bitsPerChannel: bits, chunkIndex: int(chunkCount), chunkCount, byteOffset: bpp * int(width * height) },
        new Uint8Array(bpp * (1 + int(width * height))),
      );
    } else if (kind === 8) {
      // submissions, valid and not, so that mutated frames meet real uploads
      msg = JSON.stringify({ type: 'submit', jobId: 1 + int(6), options: { mode: pick(['harmonize', 'photo-style', 'x']), pass1Iters: 0, pass2Iters: 0 }, planes: rand() < 0.8 ? declarations : declarations.slice(1) });
    } else {
      msg = rand() < 0.5 ? pick(texts) : JSON.stringify({ type: 'cancel', jobId: 1 + int(6) });
    }
    if (typeof msg !== 'string') binary++;
    s.ws.send(msg);
    // pace the sender so the socket buffer stays small
    if (i % 500 === 499) {
      s.sendJson({ type: 'ping', nonce: i });
      await s.next('pong', 20_000);
    }
  }
  s.sendJson({ type: 'ping', nonce: -1 });
  expect(await s.next('pong', 20_000)).toMatchObject({ nonce: -1 });
  expect(binary).toBeGreaterThan(10_000);
  expect(t.server.stats.framesRejected).toBeGreaterThan(5000);
  // Cancel whatever the fuzz left open, then run a real job on the same connection.
  for (let id = 1; id <= 6; id++) s.sendJson({ type: 'cancel', jobId: id });
  s.sendJson({ type: 'ping', nonce: -2 });
  await s.next('pong', 20_000);
  await new Promise((r) => setTimeout(r, 50));
  // Every answer to the fuzz is an error, a cancel/accept/queue event or a pong, never a crash.
  const kinds = new Set(s.pending().map((r) => (r.kind === 'json' ? r.msg.type : r.frame.header.plane)));
  expect([...kinds].every((k) => ['error', 'accepted', 'cancelled', 'queued', 'started', 'progress', 'result', 'pong'].includes(k))).toBe(true);
  expect(kinds.has('error')).toBe(true);
  s.clear();
  const fresh = harmonizePlanes(15, 11);
  const { result, frames } = await runRawJob(s, 100, fresh.planes);
  expect(result).toMatchObject({ width: 15, height: 11, channels: 3, bitsPerChannel: 8 });
  const bytes = new Uint8Array(frames.reduce((n, f) => n + f.payload.length, 0));
  let at = 0;
  for (const f of frames) {
    bytes.set(f.payload, at);
    at += f.payload.length;
  }
  expect(Array.from(bytes)).toEqual(Array.from(quantise(expectedHarmonized(fresh.composite, fresh.mask), 8)));
  // and a fresh connection is served too
  const s2 = await pairedSocket(t);
  s2.close();
  s.close();
});
