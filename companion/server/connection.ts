// One client connection: handshake, then submit / frames / cancel, and the job events back.
// Every message is checked here, at the boundary; whatever a client sends, the worst outcome is
// an error message, a failed job of its own or its own connection closed.
import type WebSocket from 'ws';
import { PainterlyError } from '../../shared/errors.js';
import { decodeFrame, FRAME_MAGIC, planeFrames, type Frame, type InputPlaneName, type PlaneFormat } from '../../shared/frames.js';
import { RECOMMENDED_CHUNK_BYTES, transportLimitBytes } from '../../shared/limits.js';
import { CLOSE_CODES, PROTOCOL_VERSION, type CompanionCapabilities, type ServerMessage, type SubmitMessage } from '../../shared/protocol.js';
import { fetchCommandFor, type InstallableModel } from '../../shared/catalogue.js';
import { checkFrameLimits, checkSubmit, parseClientMessage, type CheckedSubmit } from '../../shared/validate.js';
import { VERSION } from '../../shared/version.js';
import type { Image } from '../image/image.js';
import type { Slotted } from './admission.js';
import type { ConnectionContext } from './context.js';
import type { QueueEntry } from './queue.js';
import { runJob, type JobChannel } from './run-job.js';
import { modesOffered } from '../pipeline/runners.js';
import { setMessageCap } from './transport.js';
import { newUpload, stalledUploadError, type ConnectionJob } from './upload.js';
import { errorMessage } from './wire-error.js';

/** Ended jobs whose late frames are dropped quietly (bounded). */
const RECENT_JOBS = 256;

export class Connection implements Slotted, JobChannel {
  private authed = false;
  private closed = false;
  /** Dropped before pairing: whatever still arrives is ignored. */
  private dropped = false;
  private caps?: CompanionCapabilities;
  private readonly jobs = new Map<number, ConnectionJob>();
  private readonly recent = new Set<number>();
  private chain: Promise<void> = Promise.resolve();
  private readonly handshakeTimer: NodeJS.Timeout;

  /**
   * `pairedInUpgrade`: the upgrade request carried the valid token (shared/pairing.ts), so the
   * connection takes a paired slot at once; `hello` is still required.
   */
  constructor(private readonly ws: WebSocket, private readonly ctx: ConnectionContext, pairedInUpgrade = false) {
    this.handshakeTimer = setTimeout(() => this.drop(CLOSE_CODES.handshakeTimeout, 'No hello in time'), ctx.limits.handshakeTimeoutMs);
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      // One message at a time, in order, even when handling one awaits.
      this.chain = this.chain.then(() => this.receive(data, isBinary)).catch((e) => this.internalError(e));
    });
    ws.on('close', () => this.onClose());
    // ws reports protocol violations (oversized message, bad UTF-8) here and then closes; an
    // unpaired connection is dropped at once rather than after its peer answers the close.
    ws.on('error', (e) => {
      ctx.log({ event: 'socket-error', message: (e as Error).message });
      if (!this.authed) this.drop(CLOSE_CODES.badHandshake, 'Protocol error');
    });
    if (!pairedInUpgrade) ctx.admission.admitUnpaired(this);
    else if (!ctx.admission.pair(this)) this.refuse(this.tooManyPaired(), CLOSE_CODES.tooManyConnections);
  }

  /** Closed to make room: the unpaired pool is full and this one has waited longest. */
  evict(): void {
    this.ctx.stats.unpairedEvicted++;
    this.drop(CLOSE_CODES.tooManyConnections, 'BUSY', new PainterlyError('BUSY', `Too many connections are waiting to pair (at most ${this.ctx.limits.maxUnpairedConnections}); this one waited longest. Connect again and say hello at once.`));
  }

  private tooManyPaired(): PainterlyError {
    return new PainterlyError('BUSY', `The companion already has ${this.ctx.limits.maxConnections} connections.`);
  }

  get isOpen(): boolean {
    return !this.closed && this.ws.readyState === this.ws.OPEN;
  }

  send(msg: ServerMessage): void {
    if (this.isOpen) this.ws.send(JSON.stringify(msg));
  }

  sendBinary(frame: Uint8Array): void {
    if (this.isOpen) this.ws.send(frame);
  }

  private sendError(e: unknown, jobId?: number, closing?: boolean, model?: InstallableModel): void {
    this.send(errorMessage(e, this.ctx.log, { jobId, model, closing }));
  }

  private refuse(e: PainterlyError, closeCode: number): void {
    this.drop(closeCode, e.code, e);
  }

  /**
   * Ends a connection that never paired at once: its slot is free now, and the socket goes on the
   * next turn (the error and the close frame are written by then) instead of after a closing
   * handshake that a silent peer never answers.
   */
  private drop(closeCode: number, reason: string, e?: PainterlyError): void {
    if (this.dropped || this.closed) return;
    this.dropped = true;
    clearTimeout(this.handshakeTimer);
    this.ctx.admission.release(this);
    if (e) this.sendError(e, undefined, true);
    if (this.ws.readyState === this.ws.OPEN) this.ws.close(closeCode, reason);
    setImmediate(() => this.ws.terminate());
  }

  private internalError(e: unknown): void {
    this.ctx.log({ event: 'internal-error', message: (e as Error)?.stack ?? String(e) });
  }

  private async receive(data: Buffer, isBinary: boolean): Promise<void> {
    if (this.closed || this.dropped) return;
    if (!this.authed) return this.handshake(data, isBinary);
    if (isBinary) return this.onFrame(data);
    if (data.byteLength > this.ctx.limits.maxJsonBytes) {
      return this.sendError(new PainterlyError('FRAME_TOO_LARGE', `A control message may be at most ${this.ctx.limits.maxJsonBytes} bytes; images go in binary frames.`));
    }
    let msg;
    try {
      msg = parseClientMessage(data.toString('utf8'), this.ctx.limits);
    } catch (e) {
      return this.sendError(e);
    }
    switch (msg.type) {
      case 'hello':
        return this.sendError(new PainterlyError('BAD_MESSAGE', 'This connection has already said hello.'));
      case 'ping':
        return this.send(msg.nonce === undefined ? { type: 'pong' } : { type: 'pong', nonce: msg.nonce });
      case 'cancel':
        return this.cancel(msg.jobId);
      case 'submit':
        return this.submit(msg);
      case 'listModels':
      case 'installModel':
      case 'cancelInstall':
        // A refusal names the model, so the client knows which install it answers.
        return this.ctx.installs.handle(this, msg).catch((e) => this.sendError(e, undefined, undefined, msg.type === 'listModels' ? undefined : msg.model));
    }
  }

  private async handshake(data: Buffer, isBinary: boolean): Promise<void> {
    const unauthorized = new PainterlyError('UNAUTHORIZED', 'Say hello with the pairing token first: run `painterly token` and paste it into the panel.');
    if (isBinary || data.byteLength > this.ctx.limits.maxJsonBytes) return this.refuse(unauthorized, CLOSE_CODES.unauthorized);
    let msg;
    try {
      msg = parseClientMessage(data.toString('utf8'), this.ctx.limits);
    } catch (e) {
      const err = e as PainterlyError;
      if (err.code === 'UNKNOWN_MESSAGE' || err.code === 'UNAUTHORIZED') return this.refuse(err.code === 'UNAUTHORIZED' ? err : unauthorized, CLOSE_CODES.unauthorized);
      return this.refuse(err, CLOSE_CODES.badHandshake);
    }
    if (msg.type !== 'hello') return this.refuse(unauthorized, CLOSE_CODES.unauthorized);
    if (!this.ctx.checkToken(msg.token)) {
      this.ctx.stats.unauthorized++;
      this.ctx.log({ event: 'unauthorized' });
      return this.refuse(new PainterlyError('UNAUTHORIZED'), CLOSE_CODES.unauthorized);
    }
    if (msg.protocolVersion !== PROTOCOL_VERSION) {
      return this.refuse(
        new PainterlyError('PROTOCOL_MISMATCH', `The client speaks protocol ${msg.protocolVersion}; this companion speaks ${PROTOCOL_VERSION}. Update the one that is older.`),
        CLOSE_CODES.protocolMismatch,
      );
    }
    if (!this.ctx.admission.pair(this)) return this.refuse(this.tooManyPaired(), CLOSE_CODES.tooManyConnections);
    clearTimeout(this.handshakeTimer);
    this.authed = true;
    setMessageCap(this.ws, transportLimitBytes(this.ctx.limits));
    const [caps, models] = await Promise.all([this.ctx.capabilities(), this.ctx.installs.catalogue()]);
    this.caps = caps;
    this.ctx.log({ event: 'paired', client: msg.client });
    this.send({
      type: 'welcome',
      protocolVersion: PROTOCOL_VERSION,
      companionVersion: VERSION,
      ...caps,
      modes: modesOffered(this.ctx.runners),
      limits: this.ctx.limits,
      ...(models ? { models } : {}),
    });
  }

  private async submit(msg: SubmitMessage): Promise<void> {
    const { jobId } = msg;
    let checked: CheckedSubmit;
    try {
      if (this.jobs.has(jobId)) throw new PainterlyError('DUPLICATE_JOB', `Job ${jobId} is still open on this connection; pick another id.`);
      checked = checkSubmit(msg, this.ctx.limits, modesOffered(this.ctx.runners));
      if (this.jobs.size >= this.ctx.limits.maxJobsPerConnection) {
        throw new PainterlyError('BUSY', `This connection already has ${this.jobs.size} open jobs; the limit is ${this.ctx.limits.maxJobsPerConnection}.`);
      }
      if (this.ctx.openJobs.count >= this.ctx.limits.maxJobs) {
        throw new PainterlyError('BUSY', `The companion already holds ${this.ctx.openJobs.count} jobs; try again when some have finished.`);
      }
      const backbone = checked.options.backbone;
      if (!this.caps?.backbones.present.includes(backbone)) {
        this.caps = await this.ctx.capabilities(); // it may have been fetched since we said welcome
        if (!this.caps.backbones.present.includes(backbone)) {
          throw new PainterlyError('MODEL_MISSING', `The ${backbone} weights are not installed: run \`${fetchCommandFor(backbone)}\`.`);
        }
      }
      if (this.closed || this.jobs.has(jobId)) return;
    } catch (e) {
      return this.sendError(e, jobId);
    }
    let heldBytes: number;
    try {
      heldBytes = this.ctx.memory.reserve([...checked.planes].map(([plane, decl]) => ({ ...decl, plane })));
    } catch (e) {
      return this.sendError(e, jobId);
    }
    this.recent.delete(jobId);
    const job = newUpload(checked, heldBytes);
    job.idleTimer = setTimeout(() => this.uploadStalled(job), this.ctx.limits.uploadIdleTimeoutMs);
    this.jobs.set(jobId, job);
    this.ctx.openJobs.count++;
    this.send({ type: 'accepted', jobId });
  }

  /** No frame for uploadIdleTimeoutMs: the upload is abandoned and its memory freed. */
  private uploadStalled(job: ConnectionJob): void {
    if (this.jobs.get(job.jobId) === job && job.phase === 'uploading') this.failJob(job, stalledUploadError(job, this.ctx.limits.uploadIdleTimeoutMs));
  }

  /** The uploading job a damaged frame most likely belongs to, if its magic is intact. */
  private uploadingJobOf(bytes: Uint8Array): ConnectionJob | undefined {
    if (bytes.byteLength < 12 || FRAME_MAGIC.some((b, i) => bytes[i] !== b)) return undefined;
    const job = this.jobs.get(new DataView(bytes.buffer, bytes.byteOffset, 12).getUint32(8, true));
    return job?.phase === 'uploading' ? job : undefined;
  }

  private onFrame(bytes: Buffer): void {
    const limits = this.ctx.limits;
    let frame: Frame;
    try {
      if (bytes.byteLength > limits.maxFrameBytes) {
        throw new PainterlyError('FRAME_TOO_LARGE', `The frame is ${bytes.byteLength} bytes; the limit is ${limits.maxFrameBytes}. Send the plane in smaller chunks.`);
      }
      frame = decodeFrame(bytes);
      checkFrameLimits(frame.header, limits);
    } catch (e) {
      this.ctx.stats.framesRejected++;
      const job = this.uploadingJobOf(bytes);
      if (job) return this.failJob(job, e);
      return this.sendError(e);
    }
    const h = frame.header;
    const job = this.jobs.get(h.jobId);
    if (!job) {
      if (this.recent.has(h.jobId)) return; // late chunks of a job that ended: expected, not an error
      this.ctx.stats.framesRejected++;
      return this.sendError(new PainterlyError('UNKNOWN_JOB', `A frame names job ${h.jobId}, which this connection has not submitted.`), h.jobId);
    }
    if (job.phase !== 'uploading') {
      this.ctx.stats.framesRejected++;
      return this.sendError(new PainterlyError('BAD_FRAME', `Job ${h.jobId} has all its planes already; the frame was ignored.`, { jobId: h.jobId }));
    }
    const slot = job.planes.get(h.plane as InputPlaneName); // result/preview planes are never declared
    job.idleTimer?.refresh();
    try {
      if (!slot) throw new PainterlyError('BAD_FRAME', `Job ${h.jobId} did not declare plane '${h.plane}'.`);
      if (!slot.assembler.add(frame)) return;
      slot.complete = true;
    } catch (e) {
      this.ctx.stats.framesRejected++;
      return this.failJob(job, e);
    }
    if (--job.remaining === 0) this.enqueue(job);
  }

  private enqueue(job: ConnectionJob): void {
    job.phase = 'queued';
    clearTimeout(job.idleTimer);
    const inputs = new Map<InputPlaneName, Image>();
    for (const [name, slot] of job.planes) inputs.set(name, slot.image());
    job.planes.clear();
    const entry: QueueEntry = {
      onPlace: (place) => this.send({ type: 'queued', jobId: job.jobId, place }),
      run: async (signal) => {
        if (this.jobs.get(job.jobId) !== job) return;
        job.phase = 'running';
        try {
          await runJob(this, this.ctx, job.checked, inputs, signal);
        } finally {
          inputs.clear(); // let the planes go as soon as the job is over
          this.endJob(job);
        }
      },
    };
    job.entry = entry;
    this.ctx.queue.enqueue(entry);
  }

  private cancel(jobId: number): void {
    const job = this.jobs.get(jobId);
    if (!job) {
      if (this.recent.has(jobId)) return; // already over; its final event is on its way or sent
      return this.sendError(new PainterlyError('UNKNOWN_JOB', `There is no open job ${jobId} to cancel.`), jobId);
    }
    if (job.phase === 'running') {
      this.ctx.queue.cancel(job.entry!); // runJob answers `cancelled` once the runner has stopped
      return;
    }
    if (job.phase === 'queued') this.ctx.queue.cancel(job.entry!);
    this.endJob(job);
    this.ctx.stats.jobsCancelled++;
    this.send({ type: 'cancelled', jobId, phase: job.phase });
  }

  private failJob(job: ConnectionJob, e: unknown): void {
    this.endJob(job);
    this.ctx.stats.jobsFailed++;
    this.sendError(e, job.jobId);
  }

  private endJob(job: ConnectionJob): void {
    if (this.jobs.get(job.jobId) !== job) return;
    this.jobs.delete(job.jobId);
    clearTimeout(job.idleTimer);
    job.planes.clear();
    this.ctx.memory.release(job.heldBytes);
    this.ctx.openJobs.count--;
    this.recent.add(job.jobId);
    if (this.recent.size > RECENT_JOBS) this.recent.delete(this.recent.values().next().value as number);
  }

  private onClose(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.handshakeTimer);
    this.ctx.admission.release(this);
    this.ctx.installs.ownerGone(this);
    for (const job of [...this.jobs.values()]) {
      if (job.phase === 'running') {
        this.ctx.queue.cancel(job.entry!); // runJob ends it when the runner stops
      } else {
        if (job.phase === 'queued') this.ctx.queue.cancel(job.entry!);
        this.endJob(job);
        this.ctx.stats.jobsCancelled++;
      }
    }
    this.ctx.log({ event: 'disconnected' });
  }

  /** Sends a plane as result frames, in chunks a UXP socket takes comfortably. */
  sendPlaneFrames(jobId: number, plane: 'result' | 'preview', format: PlaneFormat, samples: Uint8Array | Uint16Array): void {
    const chunk = Math.min(RECOMMENDED_CHUNK_BYTES, this.ctx.limits.maxFrameBytes);
    for (const frame of planeFrames({ jobId, plane }, format, samples, chunk)) this.sendBinary(frame);
  }
}
