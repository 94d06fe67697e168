// Test support for the server suites: a companion on 127.0.0.1 port 0 with fake runners, a raw
// socket that records every message and frame, and small synthetic planes.
import WebSocket from 'ws';
import { decodeFrame, planeFrames, type Frame } from '../../../shared/frames.js';
import type { WholePlane } from '../../../shared/plane-upload.js';
import { PROTOCOL_VERSION, type CompanionCapabilities, type ServerMessage } from '../../../shared/protocol.js';
import { BACKBONES } from '../../../shared/catalogue.js';
import { generateToken } from '../../../companion/server/token.js';
import { createCompanionServer, type CompanionServer, type CompanionServerOptions } from '../../../companion/server/server.js';
import type { ServerLogEntry } from '../../../companion/server/log.js';
import type { Image } from '../../../companion/image/image.js';
import { fakeHarmonize, fakePhotoStyle, type FakeRunnerOptions } from '../../support/fake-runners.js';

export const ALL_PRESENT: CompanionCapabilities = {
  device: 'cpu',
  devices: ['cpu'],
  backbones: { present: [...BACKBONES], missing: [] },
};

export interface TestServer {
  server: CompanionServer;
  token: string;
  harmonize: ReturnType<typeof fakeHarmonize>;
  photoStyle: ReturnType<typeof fakePhotoStyle>;
  logs: ServerLogEntry[];
  close(): Promise<void>;
}

export async function startTestServer(
  overrides: Partial<CompanionServerOptions> = {},
  runner: FakeRunnerOptions = {},
): Promise<TestServer> {
  const token = generateToken();
  const harmonize = fakeHarmonize(runner);
  const photoStyle = fakePhotoStyle(runner);
  const logs: ServerLogEntry[] = [];
  const server = await createCompanionServer({
    port: 0,
    token,
    runners: { harmonize, photoStyle },
    capabilities: async () => ALL_PRESENT,
    progressIntervalMs: 0,
    log: (e) => logs.push(e),
    ...overrides,
  });
  return { server, token, harmonize, photoStyle, logs, close: () => server.close() };
}

type Received = { kind: 'json'; msg: ServerMessage } | { kind: 'frame'; frame: Frame };

/** A socket that keeps everything it receives, for tests to take in order. */
export class TestSocket {
  readonly ws: WebSocket;
  private readonly inbox: Received[] = [];
  private waiters: (() => void)[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  readonly opened: Promise<void>;

  constructor(url: string, options: WebSocket.ClientOptions = {}) {
    this.ws = new WebSocket(url, { perMessageDeflate: false, maxPayload: 1 << 30, ...options });
    this.opened = new Promise((resolve, reject) => {
      this.ws.once('open', () => resolve());
      this.ws.once('unexpected-response', (_req, res) => reject(Object.assign(new Error(`HTTP ${res.statusCode}`), { statusCode: res.statusCode })));
      this.ws.once('error', reject);
    });
    this.opened.catch(() => {});
    this.closed = new Promise((resolve) => this.ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
    this.ws.on('error', () => {});
    this.ws.on('message', (data: Buffer, isBinary) => {
      this.inbox.push(isBinary ? { kind: 'frame', frame: decodeFrame(new Uint8Array(data)) } : { kind: 'json', msg: JSON.parse(data.toString()) });
      for (const w of this.waiters.splice(0)) w();
    });
  }

  sendJson(msg: unknown): void {
    this.ws.send(JSON.stringify(msg));
  }

  sendText(text: string): void {
    this.ws.send(text);
  }

  sendBinary(bytes: Uint8Array): void {
    this.ws.send(bytes);
  }

  /** The next JSON message (optionally of a type, skipping others), failing after `timeoutMs`. */
  async next<T extends ServerMessage['type']>(type?: T, timeoutMs = 5000): Promise<Extract<ServerMessage, { type: T }>> {
    const found = await this.take((r) => r.kind === 'json' && (type === undefined || r.msg.type === type), timeoutMs, `message ${type ?? ''}`);
    return (found as { msg: ServerMessage }).msg as Extract<ServerMessage, { type: T }>;
  }

  async nextFrame(timeoutMs = 5000): Promise<Frame> {
    const found = await this.take((r) => r.kind === 'frame', timeoutMs, 'frame');
    return (found as { frame: Frame }).frame;
  }

  /** Forgets what was received about one job (progress and such), once a test is done with it. */
  discardJob(jobId: number): void {
    for (let i = this.inbox.length - 1; i >= 0; i--) {
      const r = this.inbox[i];
      const id = r.kind === 'json' ? (r.msg as { jobId?: number }).jobId : r.frame.header.jobId;
      if (id === jobId) this.inbox.splice(i, 1);
    }
  }

  /** Forgets everything received and not yet taken. */
  clear(): void {
    this.inbox.length = 0;
  }

  /** Everything received so far and not yet taken. */
  pending(): Received[] {
    return [...this.inbox];
  }

  private async take(match: (r: Received) => boolean, timeoutMs: number, what: string): Promise<Received> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = this.inbox.findIndex(match);
      if (i >= 0) return this.inbox.splice(i, 1)[0];
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`Timed out waiting for ${what}; inbox: ${JSON.stringify(this.inbox.map((r) => (r.kind === 'json' ? r.msg : r.frame.header)))}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  close(): void {
    this.ws.close();
  }
}

/** A socket that has said hello with the right token and received `welcome`. */
export async function pairedSocket(t: TestServer): Promise<TestSocket> {
  const s = new TestSocket(t.server.url);
  await s.opened;
  s.sendJson({ type: 'hello', protocolVersion: PROTOCOL_VERSION, token: t.token });
  await s.next('welcome');
  return s;
}

/** Deterministic test pixels: a gradient composite, a painting, and a centred square mask. */
export function harmonizePlanes(width: number, height: number, bits: 8 | 16 = 8): { planes: WholePlane[]; composite: Image; mask: Image } {
  const max = bits === 8 ? 255 : 65535;
  const n = width * height;
  const make = () => (bits === 8 ? new Uint8Array(n * 3) : new Uint16Array(n * 3));
  const painting = make();
  const composite = make();
  const mask = bits === 8 ? new Uint8Array(n) : new Uint16Array(n);
  const compositeF = new Float32Array(n * 3);
  const maskF = new Float32Array(n);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const p = y * width + x;
      for (let c = 0; c < 3; c++) {
        const v = Math.round((((x * (c + 1) + y * 7) % 97) / 96) * max);
        composite[p * 3 + c] = v;
        compositeF[p * 3 + c] = v / max;
        painting[p * 3 + c] = max - v;
      }
      const inside = x >= width / 4 && x < (3 * width) / 4 && y >= height / 4 && y < (3 * height) / 4;
      mask[p] = inside ? max : 0;
      maskF[p] = inside ? 1 : 0;
    }
  }
  const fmt = { width, height, bitsPerChannel: bits } as const;
  return {
    planes: [
      { plane: 'painting', ...fmt, channels: 3, data: painting },
      { plane: 'composite', ...fmt, channels: 3, data: composite },
      { plane: 'mask', ...fmt, channels: 1, data: mask },
    ],
    composite: { width, height, channels: 3, data: compositeF },
    mask: { width, height, channels: 1, data: maskF },
  };
}

/** Quantises an expected float image the way the server does, for exact comparison. */
export function quantise(img: Image, bits: 8 | 16): Uint8Array | Uint16Array {
  const max = bits === 8 ? 255 : 65535;
  const out = bits === 8 ? new Uint8Array(img.data.length) : new Uint16Array(img.data.length);
  for (let i = 0; i < out.length; i++) out[i] = Math.round(Math.min(1, Math.max(0, img.data[i])) * max);
  return out;
}

/** Submits a job on a raw socket, sends its planes and waits for its `result`; returns the result frames too. */
export async function runRawJob(s: TestSocket, jobId: number, planes: WholePlane[], options: Record<string, unknown> = { mode: 'harmonize', pass1Iters: 2, pass2Iters: 2 }, chunkBytes = 64 * 1024) {
  s.sendJson({ type: 'submit', jobId, options, planes: planes.map(({ data: _data, ...decl }) => decl) });
  const accepted = await s.next();
  if (accepted.type !== 'accepted') throw new Error(`expected accepted, got ${JSON.stringify(accepted)}`);
  for (const p of planes) for (const f of planeFrames({ jobId, plane: p.plane }, p, p.data, chunkBytes)) s.sendBinary(f);
  const result = await s.next('result');
  const frames: Frame[] = [];
  for (const r of s.pending()) if (r.kind === 'frame' && r.frame.header.jobId === jobId && r.frame.header.plane === 'result') frames.push(r.frame);
  s.discardJob(jobId);
  return { result, frames };
}
