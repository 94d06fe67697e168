// A protocol client for the companion over any standard WebSocket (the browser's and UXP's
// global WebSocket, or `ws` in Node), once paired (connect.ts): job submission with paced
// chunked uploads, job events, previews, the assembled result, cancel.
import { PainterlyError, type ErrorCode } from './errors.js';
import { bytesToSamples, decodeFrame, planeByteLength, PlaneAssembler, type BitsPerChannel } from './frames.js';
import { checkPlaneInput, MAX_IN_FLIGHT_BYTES, UPLOAD_CHUNK_BYTES, uploadPlanes, type PlaneInput } from './plane-upload.js';
import {
  type ClientMessage,
  type JobEvent,
  type JobOptions,
  type ModelMessage,
  type PlaneDeclaration,
  type ServerMessage,
  type WelcomeMessage,
} from './protocol.js';
import { parseServerMessage } from './validate.js';

/** The part of the standard WebSocket API this client uses. */
export interface WebSocketLike {
  binaryType: string;
  readonly readyState: number;
  readonly bufferedAmount: number;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: { code: number; reason: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  send(data: string | ArrayBuffer | ArrayBufferView): void;
  close(code?: number, reason?: string): void;
}

export interface ConnectOptions {
  token: string;
  /** Default ws://127.0.0.1:47653. */
  url?: string;
  /** Makes the socket; default: the global WebSocket. `protocols` carries the token in the upgrade (shared/pairing.ts). */
  createSocket?: (url: string, protocols: string[]) => WebSocketLike;
  client?: { name: string; version: string };
  /** Give up on the handshake after this long; default 10 s. */
  timeoutMs?: number;
  /** Largest frame this client sends; default the smaller of 2 MiB and the companion's limit. */
  chunkBytes?: number;
  /** Most bytes an upload lets sit in the socket's send buffer (a frame may go when it is empty); default 4 MiB. */
  maxInFlightBytes?: number;
}

export type { PlaneInput };

export interface JobRequest {
  options: JobOptions;
  /** Each plane whole (`data`: width·height·channels samples, a Uint16Array 0..65535 for 16-bit) or row by row (`rows`). */
  planes: PlaneInput[];
  /** A harmonize job given in parts (protocol.ts HARMONIZE_PARTS_PLANES): the document's size. */
  document?: { width: number; height: number };
}

export interface JobOutput {
  jobId: number;
  width: number;
  height: number;
  channels: number;
  bitsPerChannel: BitsPerChannel;
  data: Uint8Array | Uint16Array;
  device: string;
  seconds: number;
  /** For a job given in parts: where the result lies in the document. */
  left?: number;
  top?: number;
}

export interface JobHandle {
  jobId: number;
  /** Resolves with the result; rejects with PainterlyError (CANCELLED when cancelled). */
  result: Promise<JobOutput>;
  /** Asks the companion to stop the job; `result` then rejects with CANCELLED. */
  cancel(): void;
}

interface OpenJob {
  onEvent?: (e: JobEvent) => void;
  resolve(out: JobOutput): void;
  reject(err: PainterlyError): void;
  accepted: Promise<void>;
  acceptedSettle(ok: boolean): void;
  cancelled: boolean;
  assembler?: PlaneAssembler;
}

const OPEN = 1;

function toBytes(data: unknown): Uint8Array | undefined {
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (Array.isArray(data) && data.every((d) => ArrayBuffer.isView(d))) {
    // ws hands fragmented messages over as a list of buffers when binaryType is 'fragments'.
    const parts = data as ArrayBufferView[];
    const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
    let at = 0;
    for (const p of parts) {
      out.set(new Uint8Array(p.buffer, p.byteOffset, p.byteLength), at);
      at += p.byteLength;
    }
    return out;
  }
  return undefined;
}


/** One paired connection to the companion. Create it with `connectToCompanion`. */
export class CompanionClient {
  readonly welcome: WelcomeMessage;
  private readonly ws: WebSocketLike;
  private readonly jobs = new Map<number, OpenJob>();
  private nextJobId = 1;
  private readonly chunkBytes: number;
  private readonly maxInFlight: number;
  private closedError?: PainterlyError;
  private readonly closeListeners: ((err: PainterlyError) => void)[] = [];

  /** @internal use connectToCompanion */
  constructor(ws: WebSocketLike, welcome: WelcomeMessage, opts: ConnectOptions) {
    this.ws = ws;
    this.welcome = welcome;
    this.chunkBytes = Math.min(opts.chunkBytes ?? UPLOAD_CHUNK_BYTES, welcome.limits.maxFrameBytes);
    this.maxInFlight = opts.maxInFlightBytes ?? MAX_IN_FLIGHT_BYTES;
    ws.onmessage = (ev) => this.receive(ev.data);
    ws.onclose = (ev) => this.closed(ev.code, ev.reason);
    ws.onerror = () => {};
  }

  get isOpen(): boolean {
    return !this.closedError && this.ws.readyState === OPEN;
  }

  /** Called once when the connection ends, with the reason. */
  onClose(listener: (err: PainterlyError) => void): void {
    if (this.closedError) listener(this.closedError);
    else this.closeListeners.push(listener);
  }

  /** Sends a job; `onEvent` sees accepted, queued, started, progress, preview, result, cancelled, error. */
  submit(request: JobRequest, onEvent?: (e: JobEvent) => void): JobHandle {
    if (!Array.isArray(request?.planes)) throw new PainterlyError('BAD_ARGUMENT', 'A job needs `planes`.');
    // Checked here so that a bad plane throws at the caller, before anything is sent.
    for (const p of request.planes) checkPlaneInput(p, this.chunkBytes);
    const planes = request.planes.map(({ plane, width, height, channels, bitsPerChannel, left, top }) => ({
      plane, width, height, channels, bitsPerChannel, ...(left !== undefined ? { left } : {}), ...(top !== undefined ? { top } : {}),
    }));
    const jobId = this.nextJobId++;
    let settleAccepted!: (ok: boolean) => void;
    const accepted = new Promise<void>((resolve, reject) => {
      settleAccepted = (ok) => (ok ? resolve() : reject(new PainterlyError('CANCELLED')));
    });
    accepted.catch(() => {});
    let job!: OpenJob;
    const result = new Promise<JobOutput>((resolve, reject) => {
      job = { onEvent, resolve, reject, accepted, acceptedSettle: settleAccepted, cancelled: false };
    });
    if (this.closedError) {
      job.reject(this.closedError);
      return { jobId, result, cancel: () => {} };
    }
    this.jobs.set(jobId, job);
    this.sendJson({ type: 'submit', jobId, options: request.options, planes, ...(request.document ? { document: request.document } : {}) });
    void this.upload(jobId, job, request).catch((e) => {
      this.sendJson({ type: 'cancel', jobId }); // the companion would otherwise wait for the rest
      this.finish(jobId, e instanceof PainterlyError ? e : new PainterlyError('INTERNAL', String(e)));
    });
    return {
      jobId,
      result,
      cancel: () => {
        if (!this.jobs.has(jobId) || job.cancelled) return;
        job.cancelled = true;
        this.sendJson({ type: 'cancel', jobId });
      },
    };
  }

  /** Round trip to the companion; resolves when the pong arrives, rejects if the connection closes first. */
  ping(): Promise<void> {
    if (this.closedError) return Promise.reject(this.closedError);
    const nonce = this.nextNonce++;
    const pong = new Promise<void>((resolve, reject) => {
      this.pongWaiters.set(nonce, { resolve, reject });
    });
    this.sendJson({ type: 'ping', nonce });
    return pong;
  }

  close(): void {
    this.ws.close(1000, 'bye');
  }

  private readonly messageListeners = new Set<(msg: ServerMessage) => void>();

  /** Sees every message that is not about a job (models, installs, connection errors); returns an unsubscribe. */
  onMessage(listener: (msg: ServerMessage) => void): () => void {
    this.messageListeners.add(listener);
    return () => this.messageListeners.delete(listener);
  }

  /** Sends a model message (shared/model-client.ts wraps these); dropped when the connection is closed. */
  sendModelMessage(msg: ModelMessage): void {
    this.sendJson(msg);
  }

  private readonly pongWaiters = new Map<number, { resolve(): void; reject(e: PainterlyError): void }>();
  private nextNonce = 1;

  private async upload(jobId: number, job: OpenJob, request: JobRequest): Promise<void> {
    try {
      await job.accepted;
    } catch {
      return; // refused or cancelled before upload: the error event settles the job
    }
    await uploadPlanes(this.ws, jobId, request.planes, {
      chunkBytes: this.chunkBytes,
      maxInFlightBytes: this.maxInFlight,
      live: () => !job.cancelled && this.jobs.has(jobId) && this.isOpen,
      onProgress: (done, total) => job.onEvent?.({ type: 'transfer', jobId, direction: 'up', done, total }),
    });
  }

  private sendJson(msg: ClientMessage): void {
    if (this.isOpen) this.ws.send(JSON.stringify(msg));
  }

  private receive(data: unknown): void {
    if (typeof data === 'string') {
      let msg: ServerMessage;
      try {
        msg = parseServerMessage(data);
      } catch {
        return; // a newer companion's message we do not know: ignore it
      }
      this.handle(msg);
      return;
    }
    const bytes = toBytes(data);
    if (!bytes) return;
    try {
      const frame = decodeFrame(bytes);
      const job = this.jobs.get(frame.header.jobId);
      if (!job) return;
      const h = frame.header;
      if (h.plane === 'preview') {
        if (h.chunkCount === 1 && h.channels === 3) {
          job.onEvent?.({ type: 'preview', jobId: h.jobId, width: h.width, height: h.height, channels: 3, bitsPerChannel: h.bitsPerChannel, data: frame.payload.slice() });
        }
      } else if (h.plane === 'result') {
        if (job.cancelled) return; // Cancel came after the companion finished: the result is not wanted
        job.assembler ??= new PlaneAssembler(h);
        job.assembler.add(frame);
        job.onEvent?.({ type: 'transfer', jobId: h.jobId, direction: 'down', done: job.assembler.bytesReceived, total: planeByteLength(h) });
      }
    } catch (e) {
      // A result frame we cannot use fails its job; the header's job id sits at byte 8.
      if (bytes.byteLength < 12) return;
      const jobId = new DataView(bytes.buffer, bytes.byteOffset, 12).getUint32(8, true);
      this.finish(jobId, e instanceof PainterlyError ? e : new PainterlyError('BAD_FRAME', String(e)));
    }
  }

  private handle(msg: ServerMessage): void {
    if (msg.type === 'pong') {
      const waiter = msg.nonce !== undefined ? this.pongWaiters.get(msg.nonce) : undefined;
      if (waiter && msg.nonce !== undefined) {
        this.pongWaiters.delete(msg.nonce);
        waiter.resolve();
      }
      return;
    }
    if (msg.type === 'welcome') return;
    if (!('jobId' in msg) || msg.jobId === undefined) {
      // Not about a job: models, installs, connection-level errors (the close handler reports fatal ones).
      for (const l of [...this.messageListeners]) l(msg);
      return;
    }
    const job = this.jobs.get(msg.jobId);
    if (!job) return;
    if (msg.type === 'error') {
      job.onEvent?.({ ...msg, jobId: msg.jobId });
      this.finish(msg.jobId, new PainterlyError(msg.code, msg.message, msg.details));
      return;
    }
    job.onEvent?.(msg);
    switch (msg.type) {
      case 'accepted':
        job.acceptedSettle(true);
        break;
      case 'cancelled':
        this.finish(msg.jobId, new PainterlyError('CANCELLED'));
        break;
      case 'result': {
        if (job.cancelled) {
          this.finish(msg.jobId, new PainterlyError('CANCELLED'));
          break;
        }
        const a = job.assembler;
        if (!a?.complete || !a.bytes) {
          this.finish(msg.jobId, new PainterlyError('BAD_FRAME', 'The companion announced a result whose frames did not all arrive.'));
          break;
        }
        this.jobs.delete(msg.jobId);
        job.resolve({
          jobId: msg.jobId,
          width: msg.width,
          height: msg.height,
          channels: msg.channels,
          bitsPerChannel: msg.bitsPerChannel,
          data: bytesToSamples(a.bytes, msg.bitsPerChannel),
          device: msg.device,
          seconds: msg.seconds,
          ...(msg.left !== undefined && msg.top !== undefined ? { left: msg.left, top: msg.top } : {}),
        });
        break;
      }
      default:
        break;
    }
  }

  private finish(jobId: number, err: PainterlyError): void {
    const job = this.jobs.get(jobId);
    if (!job) return;
    this.jobs.delete(jobId);
    job.acceptedSettle(false);
    job.reject(err);
  }

  private closed(code: number, reason: string): void {
    const codeFromClose: ErrorCode = code === 4401 ? 'UNAUTHORIZED' : code === 4426 ? 'PROTOCOL_MISMATCH' : 'CONNECTION_LOST';
    this.closedError = new PainterlyError(codeFromClose, reason || undefined);
    for (const [id] of this.jobs) this.finish(id, this.closedError);
    for (const w of this.pongWaiters.values()) w.reject(this.closedError);
    this.pongWaiters.clear();
    for (const l of this.closeListeners.splice(0)) l(this.closedError);
  }
}
