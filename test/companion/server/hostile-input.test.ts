// Bad input on a paired connection: every case gets an error with a stable code, and afterwards
// the same connection still completes a job (and the server serves new connections).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { encodeFrame, FRAME_HEADER_BYTES, planeFrames } from '../../../shared/frames.js';
import { PROTOCOL_VERSION } from '../../../shared/protocol.js';
import { fakeHarmonize } from '../../support/fake-runners.js';
import { harmonizePlanes, pairedSocket, runRawJob, startTestServer, TestSocket, type TestServer } from './harness.js';

let t: TestServer;
let s: TestSocket;
beforeEach(async () => {
  t = await startTestServer({ limits: { maxFrameBytes: 8192, maxJsonBytes: 1024, maxPlaneSide: 512, maxPlanePixels: 512 * 256 } });
  s = await pairedSocket(t);
});
afterEach(async () => {
  s.close();
  await t.close();
});

const small = () => harmonizePlanes(12, 10);
const decls = (planes: ReturnType<typeof small>['planes']) => planes.map(({ data: _d, ...d }) => d);

/** The connection still works: ping, then a whole job with a correct-size result. */
async function expectUsable(socket = s, jobId = 900): Promise<void> {
  socket.sendJson({ type: 'ping', nonce: jobId });
  expect(await socket.next('pong')).toMatchObject({ nonce: jobId });
  const { result } = await runRawJob(socket, jobId, small().planes);
  expect(result).toMatchObject({ jobId, width: 12, height: 10 });
}

describe('control messages', () => {
  it('answers malformed JSON with BAD_MESSAGE and stays usable', async () => {
    s.sendText('{"type": "submit", ');
    expect(await s.next('error')).toMatchObject({ code: 'BAD_MESSAGE', message: 'The message is not valid JSON.' });
    s.sendText('[1,2,3]');
    expect((await s.next('error')).code).toBe('BAD_MESSAGE');
    await expectUsable();
  });

  it('answers an unknown message type with UNKNOWN_MESSAGE naming the known ones', async () => {
    s.sendJson({ type: 'shell', command: 'rm -rf /' });
    const err = await s.next('error');
    expect(err.code).toBe('UNKNOWN_MESSAGE');
    expect(err.message).toContain('hello, submit, cancel, ping');
    await expectUsable();
  });

  it('refuses options that are not in the closed list, such as a file path', async () => {
    s.sendJson({ type: 'submit', jobId: 1, options: { mode: 'harmonize', weightsFile: '/etc/passwd' }, planes: decls(small().planes) });
    const err = await s.next('error');
    expect(err).toMatchObject({ code: 'BAD_MESSAGE' });
    expect(err.message).toContain('options.weightsFile');
    await expectUsable();
  });

  it('refuses option values out of range with BAD_ARGUMENT naming the option', async () => {
    s.sendJson({ type: 'submit', jobId: 1, options: { mode: 'harmonize', tau: 1e9 }, planes: decls(small().planes) });
    expect(await s.next('error')).toMatchObject({ jobId: 1, code: 'BAD_ARGUMENT', message: expect.stringContaining('options.tau') });
    s.sendJson({ type: 'submit', jobId: 2, options: { mode: 'harmonize', pass1Iters: 1e6 }, planes: decls(small().planes) });
    expect(await s.next('error')).toMatchObject({ jobId: 2, code: 'BAD_ARGUMENT' });
    await expectUsable();
  });

  it('answers a control message over maxJsonBytes with FRAME_TOO_LARGE', async () => {
    s.sendText(JSON.stringify({ type: 'ping', pad: 'x'.repeat(2000) }));
    expect((await s.next('error')).code).toBe('FRAME_TOO_LARGE');
    await expectUsable();
  });

  it('refuses a second hello and keeps the connection', async () => {
    s.sendJson({ type: 'hello', protocolVersion: PROTOCOL_VERSION, token: t.token });
    expect((await s.next('error')).code).toBe('BAD_MESSAGE');
    await expectUsable();
  });

  it('answers inconsistent plane dimensions with SIZE_MISMATCH before any pixels are sent', async () => {
    const d = decls(small().planes);
    d[2] = { ...d[2], width: 13 };
    s.sendJson({ type: 'submit', jobId: 3, options: { mode: 'harmonize' }, planes: d });
    expect(await s.next('error')).toMatchObject({ jobId: 3, code: 'SIZE_MISMATCH', message: expect.stringContaining("'mask' is 13×10") });
    await expectUsable();
  });

  it('refuses a missing plane, a foreign plane and a wrong channel count', async () => {
    const d = decls(small().planes);
    s.sendJson({ type: 'submit', jobId: 4, options: { mode: 'harmonize' }, planes: d.slice(0, 2) });
    expect(await s.next('error')).toMatchObject({ code: 'BAD_MESSAGE', message: "Mode 'harmonize' needs plane 'mask'." });
    s.sendJson({ type: 'submit', jobId: 5, options: { mode: 'harmonize' }, planes: [...d, { ...d[0], plane: 'style' }] });
    expect((await s.next('error')).code).toBe('BAD_MESSAGE');
    s.sendJson({ type: 'submit', jobId: 6, options: { mode: 'harmonize' }, planes: [d[0], d[1], { ...d[2], channels: 3 }] });
    expect((await s.next('error')).code).toBe('BAD_MESSAGE');
    await expectUsable();
  });

  it('refuses planes over the pixel limits with IMAGE_TOO_LARGE', async () => {
    const d = decls(small().planes).map((p) => ({ ...p, width: 512, height: 512 }));
    s.sendJson({ type: 'submit', jobId: 7, options: { mode: 'harmonize' }, planes: d });
    expect(await s.next('error')).toMatchObject({ jobId: 7, code: 'IMAGE_TOO_LARGE' });
    await expectUsable();
  });

  it('refuses a job id that is still open with DUPLICATE_JOB', async () => {
    s.sendJson({ type: 'submit', jobId: 8, options: { mode: 'harmonize' }, planes: decls(small().planes) });
    await s.next('accepted');
    s.sendJson({ type: 'submit', jobId: 8, options: { mode: 'harmonize' }, planes: decls(small().planes) });
    expect(await s.next('error')).toMatchObject({ jobId: 8, code: 'DUPLICATE_JOB' });
    await expectUsable();
  });

  it('answers a cancel for an unknown job with UNKNOWN_JOB', async () => {
    s.sendJson({ type: 'cancel', jobId: 77 });
    expect(await s.next('error')).toMatchObject({ jobId: 77, code: 'UNKNOWN_JOB' });
    await expectUsable();
  });

  it('refuses a backbone whose weights are missing with the command that fetches them', async () => {
    await t.close();
    t = await startTestServer({ capabilities: async () => ({ device: 'cpu', devices: ['cpu'], backbones: { present: ['squeezenet'], missing: [{ name: 'vgg19', fetchCommand: 'npx painterly models fetch vgg19' }] } }) });
    s = await pairedSocket(t);
    s.sendJson({ type: 'submit', jobId: 9, options: { mode: 'harmonize', backbone: 'vgg19' }, planes: decls(small().planes) });
    expect(await s.next('error')).toMatchObject({ jobId: 9, code: 'MODEL_MISSING', message: expect.stringContaining('npx painterly models fetch vgg19') });
    const { result } = await runRawJob(s, 10, small().planes, { mode: 'harmonize', backbone: 'squeezenet', pass1Iters: 1, pass2Iters: 1 });
    expect(result.jobId).toBe(10);
  });

  it('refuses a mode without a runner with MODE_UNAVAILABLE and leaves it out of welcome', async () => {
    await t.close();
    t = await startTestServer({ runners: { harmonize: fakeHarmonize() } });
    const sock = new TestSocket(t.server.url);
    await sock.opened;
    sock.sendJson({ type: 'hello', protocolVersion: PROTOCOL_VERSION, token: t.token });
    expect((await sock.next('welcome')).modes).toEqual(['harmonize']);
    sock.sendJson({ type: 'submit', jobId: 1, options: { mode: 'photo-style' }, planes: [] });
    expect(await sock.next('error')).toMatchObject({ jobId: 1, code: 'MODE_UNAVAILABLE' });
    s = sock;
    await expectUsable();
  });
});

describe('binary frames', () => {
  async function accepted(jobId: number) {
    const p = small();
    s.sendJson({ type: 'submit', jobId, options: { mode: 'harmonize', pass1Iters: 1, pass2Iters: 1 }, planes: decls(p.planes) });
    expect(await s.next('accepted')).toMatchObject({ jobId });
    return p;
  }

  it('answers a frame shorter than its header with BAD_FRAME', async () => {
    s.sendBinary(new Uint8Array(FRAME_HEADER_BYTES - 5));
    expect(await s.next('error')).toMatchObject({ code: 'BAD_FRAME', message: expect.stringContaining('shorter than its 32-byte header') });
    s.sendBinary(new Uint8Array(0));
    expect((await s.next('error')).code).toBe('BAD_FRAME');
    await expectUsable();
  });

  it('fails the job whose last chunk is truncated, and keeps the connection', async () => {
    const p = await accepted(11);
    const frames = [...planeFrames({ jobId: 11, plane: 'painting' }, p.planes[0], p.planes[0].data, 1 << 20)];
    s.sendBinary(frames[0].subarray(0, frames[0].length - 3 * 5));
    expect(await s.next('error')).toMatchObject({ jobId: 11, code: 'BAD_FRAME', message: expect.stringContaining('truncated') });
    // its remaining frames are dropped quietly
    for (const f of planeFrames({ jobId: 11, plane: 'composite' }, p.planes[1], p.planes[1].data, 1 << 20)) s.sendBinary(f);
    await expectUsable();
    expect(s.pending().filter((r) => r.kind === 'json' && r.msg.type === 'error')).toEqual([]);
  });

  it('answers a frame over maxFrameBytes with FRAME_TOO_LARGE and keeps the connection', async () => {
    s.sendBinary(new Uint8Array(8193));
    expect(await s.next('error')).toMatchObject({ code: 'FRAME_TOO_LARGE', message: expect.stringContaining('limit is 8192') });
    await expectUsable();
  });

  it('closes only that connection (1009) when a message passes the transport cap, before buffering it', async () => {
    s.sendBinary(new Uint8Array(2 * 8192 + 1));
    expect((await s.closed).code).toBe(1009);
    s = await pairedSocket(t);
    await expectUsable();
  });

  it('answers a frame that declares too many pixels with IMAGE_TOO_LARGE', async () => {
    s.sendBinary(encodeFrame({ jobId: 1, plane: 'painting', width: 600, height: 600, channels: 3, bitsPerChannel: 8, chunkIndex: 0, chunkCount: 1000, byteOffset: 0 }, new Uint8Array(300)));
    expect((await s.next('error')).code).toBe('IMAGE_TOO_LARGE');
    await expectUsable();
  });

  it('answers frames for a job that was never submitted with UNKNOWN_JOB', async () => {
    const p = small();
    for (const f of planeFrames({ jobId: 4242, plane: 'painting' }, p.planes[0], p.planes[0].data, 1 << 20)) s.sendBinary(f);
    expect(await s.next('error')).toMatchObject({ jobId: 4242, code: 'UNKNOWN_JOB' });
    await expectUsable();
  });

  it('fails a job with SIZE_MISMATCH when a frame disagrees with the declared plane', async () => {
    await accepted(12);
    const other = harmonizePlanes(10, 12);
    for (const f of planeFrames({ jobId: 12, plane: 'painting' }, other.planes[0], other.planes[0].data, 1 << 20)) s.sendBinary(f);
    expect(await s.next('error')).toMatchObject({ jobId: 12, code: 'SIZE_MISMATCH' });
    await expectUsable();
  });

  it('fails a job with BAD_FRAME when chunks arrive out of order or a plane was not declared', async () => {
    const p = await accepted(13);
    const frames = [...planeFrames({ jobId: 13, plane: 'painting' }, p.planes[0], p.planes[0].data, 200)];
    expect(frames.length).toBeGreaterThan(2);
    s.sendBinary(frames[1]);
    expect(await s.next('error')).toMatchObject({ jobId: 13, code: 'BAD_FRAME', message: expect.stringContaining('expected chunk 0') });
    const q = await accepted(14);
    for (const f of planeFrames({ jobId: 14, plane: 'dilatedMask' }, q.planes[2], q.planes[2].data, 1 << 20)) s.sendBinary(f);
    expect(await s.next('error')).toMatchObject({ jobId: 14, code: 'BAD_FRAME', message: expect.stringContaining("did not declare plane 'dilatedMask'") });
    await expectUsable();
  });

  it('fails a job whose runner throws with INTERNAL and runs the next job', async () => {
    await t.close();
    t = await startTestServer({}, { failAt: { iteration: 1, error: new TypeError('boom') } });
    s = await pairedSocket(t);
    const p = small();
    s.sendJson({ type: 'submit', jobId: 1, options: { mode: 'harmonize', pass1Iters: 3, pass2Iters: 0 }, planes: decls(p.planes) });
    await s.next('accepted');
    for (const pl of p.planes) for (const f of planeFrames({ jobId: 1, plane: pl.plane }, pl, pl.data, 1 << 20)) s.sendBinary(f);
    expect(await s.next('error')).toMatchObject({ jobId: 1, code: 'INTERNAL', message: expect.stringContaining('boom') });
    expect(t.server.stats.jobsFailed).toBe(1);
    s.sendJson({ type: 'ping', nonce: 1 });
    expect((await s.next('pong')).nonce).toBe(1);
  });
});
