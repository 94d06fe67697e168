// The protocol client against a scripted socket with the standard WebSocket shape (what UXP and
// browsers provide): no network, every message visible.
import { describe, expect, it } from 'vitest';
import { type CompanionClient, type WebSocketLike } from '../../shared/client.js';
import { connectToCompanion } from '../../shared/connect.js';
import { decodeFrame, planeFrames } from '../../shared/frames.js';
import { DEFAULT_LIMITS } from '../../shared/limits.js';
import { PROTOCOL_VERSION, type WelcomeMessage } from '../../shared/protocol.js';

class ScriptedSocket implements WebSocketLike {
  binaryType = 'blob';
  readyState = 0;
  bufferedAmount = 0;
  onopen: ((ev: unknown) => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  onclose: ((ev: { code: number; reason: string }) => void) | null = null;
  onerror: ((ev: unknown) => void) | null = null;
  readonly sent: (string | Uint8Array)[] = [];
  constructor(readonly url: string) {}
  send(data: string | ArrayBuffer | ArrayBufferView): void {
    this.sent.push(typeof data === 'string' ? data : new Uint8Array(ArrayBuffer.isView(data) ? data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) : data));
  }
  close(code = 1000, reason = ''): void {
    if (this.readyState === 3) return;
    this.readyState = 3;
    this.onclose?.({ code, reason });
  }
  open(): void {
    this.readyState = 1;
    this.onopen?.({});
  }
  reply(msg: object): void {
    this.onmessage?.({ data: JSON.stringify(msg) });
  }
  replyBinary(bytes: Uint8Array): void {
    this.onmessage?.({ data: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) });
  }
  json(i: number): Record<string, unknown> {
    return JSON.parse(this.sent[i] as string);
  }
}

const welcome: WelcomeMessage = {
  type: 'welcome',
  protocolVersion: PROTOCOL_VERSION,
  companionVersion: '0.1.0',
  device: 'cpu',
  devices: ['cpu'],
  backbones: { present: ['vgg19'], missing: [] },
  modes: ['harmonize'],
  limits: { ...DEFAULT_LIMITS },
};

async function connected(opts: { maxInFlightBytes?: number; chunkBytes?: number } = {}): Promise<{ socket: ScriptedSocket; client: CompanionClient }> {
  let socket!: ScriptedSocket;
  const pending = connectToCompanion({ url: 'ws://127.0.0.1:1', token: 'secret', createSocket: (u) => (socket = new ScriptedSocket(u)), ...opts });
  socket.open();
  socket.reply(welcome);
  return { socket, client: await pending };
}

const planes = () => [
  { plane: 'painting' as const, width: 2, height: 2, channels: 3, bitsPerChannel: 8 as const, data: new Uint8Array(12) },
  { plane: 'composite' as const, width: 2, height: 2, channels: 3, bitsPerChannel: 8 as const, data: new Uint8Array(12).fill(9) },
  { plane: 'mask' as const, width: 2, height: 2, channels: 1, bitsPerChannel: 8 as const, data: new Uint8Array(4) },
];

const tick = () => new Promise((r) => setTimeout(r, 0));

describe('connectToCompanion', () => {
  it('asks for ArrayBuffers, says hello with the token and protocol version, and resolves on welcome', async () => {
    const { socket, client } = await connected();
    expect(socket.binaryType).toBe('arraybuffer');
    expect(socket.json(0)).toEqual({ type: 'hello', protocolVersion: PROTOCOL_VERSION, token: 'secret' });
    expect(client.welcome.device).toBe('cpu');
    expect(client.isOpen).toBe(true);
  });

  it('rejects with the companion’s error code when it refuses the hello', async () => {
    let socket!: ScriptedSocket;
    const pending = connectToCompanion({ token: 'wrong', createSocket: (u) => (socket = new ScriptedSocket(u)) });
    socket.open();
    socket.reply({ type: 'error', code: 'UNAUTHORIZED', message: 'The pairing token is wrong.', closing: true });
    await expect(pending).rejects.toMatchObject({ code: 'UNAUTHORIZED', message: 'The pairing token is wrong.' });
  });

  it('reports a socket that never opens as COMPANION_UNREACHABLE and one closed with 4401 as UNAUTHORIZED', async () => {
    let socket!: ScriptedSocket;
    const never = connectToCompanion({ token: 't', createSocket: (u) => (socket = new ScriptedSocket(u)) });
    socket.close(1006);
    await expect(never).rejects.toMatchObject({ code: 'COMPANION_UNREACHABLE' });
    const refused = connectToCompanion({ token: 't', createSocket: (u) => (socket = new ScriptedSocket(u)) });
    socket.open();
    socket.close(4401, 'UNAUTHORIZED');
    await expect(refused).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
  });

  it('gives up after timeoutMs when no welcome comes', async () => {
    const pending = connectToCompanion({ token: 't', timeoutMs: 20, createSocket: (u) => new ScriptedSocket(u) });
    await expect(pending).rejects.toMatchObject({ code: 'COMPANION_UNREACHABLE', message: expect.stringContaining('did not answer in time') });
  });
});

describe('CompanionClient.submit', () => {
  it('declares the planes, waits for accepted, then sends every plane as frames', async () => {
    const { socket, client } = await connected();
    const job = client.submit({ options: { mode: 'harmonize' }, planes: planes() });
    expect(socket.json(1)).toEqual({ type: 'submit', jobId: 1, options: { mode: 'harmonize' }, planes: planes().map(({ data: _d, ...d }) => d) });
    await tick();
    expect(socket.sent.length).toBe(2); // nothing before accepted
    socket.reply({ type: 'accepted', jobId: 1 });
    await tick();
    const frames = socket.sent.slice(2).map((b) => decodeFrame(b as Uint8Array));
    expect(frames.map((f) => f.header.plane)).toEqual(['painting', 'composite', 'mask']);
    expect(Array.from(frames[1].payload)).toEqual(Array(12).fill(9));
    job.cancel();
    expect(socket.json(socket.sent.length - 1)).toEqual({ type: 'cancel', jobId: 1 });
    socket.reply({ type: 'cancelled', jobId: 1, phase: 'queued' });
    await expect(job.result).rejects.toMatchObject({ code: 'CANCELLED' });
  });

  it('holds frames back while the socket’s send buffer holds too much to add one', async () => {
    const { socket, client } = await connected({ maxInFlightBytes: 100 });
    const job = client.submit({ options: { mode: 'harmonize' }, planes: planes() });
    job.result.catch(() => {});
    socket.bufferedAmount = 1000;
    socket.reply({ type: 'accepted', jobId: 1 });
    await new Promise((r) => setTimeout(r, 30));
    expect(socket.sent.length).toBe(2);
    socket.bufferedAmount = 0;
    await new Promise((r) => setTimeout(r, 30));
    expect(socket.sent.length).toBe(5);
  });

  it('assembles the result frames and resolves with 16-bit samples when the result is 16-bit', async () => {
    const { socket, client } = await connected();
    const events: string[] = [];
    const transfers: string[] = [];
    const job = client.submit({ options: { mode: 'harmonize' }, planes: planes() }, (e) => (e.type === 'transfer' ? transfers.push(`${e.direction} ${e.done}/${e.total}`) : events.push(e.type)));
    socket.reply({ type: 'accepted', jobId: 1 });
    await tick();
    socket.reply({ type: 'queued', jobId: 1, place: 0 });
    socket.reply({ type: 'started', jobId: 1, device: 'cpu', options: {} });
    socket.reply({ type: 'progress', jobId: 1, stage: 'pass-1', iteration: 1, total: 2 });
    const preview = [...planeFrames({ jobId: 1, plane: 'preview' }, { width: 1, height: 1, channels: 3, bitsPerChannel: 8 }, new Uint8Array([1, 2, 3]), 1000)][0];
    socket.replyBinary(preview);
    const samples = Uint16Array.from({ length: 12 }, (_, i) => i * 5000);
    for (const f of planeFrames({ jobId: 1, plane: 'result' }, { width: 2, height: 2, channels: 3, bitsPerChannel: 16 }, samples, 32 + 12)) socket.replyBinary(f);
    socket.reply({ type: 'surprise', jobId: 1 }); // from a newer companion: ignored
    socket.reply({ type: 'result', jobId: 1, width: 2, height: 2, channels: 3, bitsPerChannel: 16, device: 'cpu', seconds: 1.5 });
    const out = await job.result;
    expect(out.data).toBeInstanceOf(Uint16Array);
    expect(Array.from(out.data)).toEqual(Array.from(samples));
    expect(out).toMatchObject({ width: 2, height: 2, seconds: 1.5 });
    expect(events).toEqual(['accepted', 'queued', 'started', 'progress', 'preview', 'result']);
    // The client's own counts: the upload plane by plane, the result frame by frame.
    expect(transfers.filter((t) => t.startsWith('up')).at(-1)).toBe('up 28/28');
    expect(transfers.filter((t) => t.startsWith('down'))).toEqual(['down 12/24', 'down 24/24']);
  });

  it('rejects with CANCELLED a job cancelled while its result arrives, and stops assembling it', async () => {
    const { socket, client } = await connected();
    const downs: number[] = [];
    const job = client.submit({ options: { mode: 'harmonize' }, planes: planes() }, (e) => e.type === 'transfer' && e.direction === 'down' && downs.push(e.done));
    socket.reply({ type: 'accepted', jobId: 1 });
    await tick();
    socket.reply({ type: 'started', jobId: 1, device: 'cpu', options: {} });
    const frames = [...planeFrames({ jobId: 1, plane: 'result' }, { width: 2, height: 2, channels: 3, bitsPerChannel: 8 }, new Uint8Array(12), 32 + 4)];
    socket.replyBinary(frames[0]);
    job.cancel();
    for (const f of frames.slice(1)) socket.replyBinary(f);
    socket.reply({ type: 'result', jobId: 1, width: 2, height: 2, channels: 3, bitsPerChannel: 8, device: 'cpu', seconds: 1 });
    await expect(job.result).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(downs).toEqual([3]); // one whole pixel in the first frame; none assembled after Cancel
    expect(socket.sent.map((m) => (typeof m === 'string' ? JSON.parse(m).type : 'frame'))).toContain('cancel');
  });

  it('rejects a job with the companion’s code when it fails', async () => {
    const { socket, client } = await connected();
    const job = client.submit({ options: { mode: 'harmonize' }, planes: planes() });
    socket.reply({ type: 'error', jobId: 1, code: 'MODEL_MISSING', message: 'Run `npx painterly models fetch vgg19`.' });
    await expect(job.result).rejects.toMatchObject({ code: 'MODEL_MISSING' });
  });

  it('rejects open jobs with CONNECTION_LOST and tells onClose listeners when the socket closes', async () => {
    const { socket, client } = await connected();
    const job = client.submit({ options: { mode: 'harmonize' }, planes: planes() });
    const closes: string[] = [];
    client.onClose((e) => closes.push(e.code));
    socket.close(1006);
    await expect(job.result).rejects.toMatchObject({ code: 'CONNECTION_LOST' });
    expect(closes).toEqual(['CONNECTION_LOST']);
    expect(client.isOpen).toBe(false);
    await expect(client.submit({ options: { mode: 'harmonize' }, planes: planes() }).result).rejects.toMatchObject({ code: 'CONNECTION_LOST' });
  });

  it('throws at the caller, before sending anything, when a plane’s samples do not fit its format', async () => {
    const { socket, client } = await connected();
    const bad = planes();
    bad[2] = { ...bad[2], data: new Uint8Array(5) };
    expect(() => client.submit({ options: { mode: 'harmonize' }, planes: bad })).toThrow(/needs a Uint8Array of 2×2×1 = 4 samples/);
    expect(socket.sent.length).toBe(1);
  });

  it('answers ping when the pong comes and rejects it when the connection closes first', async () => {
    const { socket, client } = await connected();
    const p = client.ping();
    socket.reply({ type: 'pong', nonce: socket.json(1).nonce as number });
    await expect(p).resolves.toBeUndefined();
    const q = client.ping();
    socket.close(1006);
    await expect(q).rejects.toMatchObject({ code: 'CONNECTION_LOST' });
  });
});
