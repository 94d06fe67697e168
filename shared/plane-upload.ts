// Sending a job's planes: a plane is given whole or row by row (the panel reads a large window
// from Photoshop a strip at a time and never holds it all), framed in chunks, and fed to the
// socket only while little is queued. UXP closes a WebSocket whose send buffer overflows and does
// not document its size, so the sender keeps at most `maxInFlightBytes` queued.
import { PainterlyError } from './errors.js';
import { bytesPerPixel, encodeFrame, FRAME_HEADER_BYTES, planeByteLength, planeFrames, samplesToBytes } from './frames.js';
import type { PlaneDeclaration } from './protocol.js';
import { RECOMMENDED_CHUNK_BYTES } from './limits.js';

export type Samples = Uint8Array | Uint16Array;

/** Rows of a plane made on demand: `read(row, count)` resolves to those rows' samples (count·width·channels). */
export interface PlaneRows {
  /** Rows per frame; each frame must fit the sender's chunk size. */
  rowsPerChunk: number;
  read(row: number, count: number): Promise<Samples>;
}

/** A plane given whole. */
export type WholePlane = PlaneDeclaration & { data: Samples; rows?: undefined };
/** A plane to send: its declaration and either all its samples or its rows on demand. */
export type PlaneInput = WholePlane | (PlaneDeclaration & { rows: PlaneRows; data?: undefined });

/** Frames of chunks at most this large by default (shared/limits.ts). */
export const UPLOAD_CHUNK_BYTES = RECOMMENDED_CHUNK_BYTES;
/** Bytes the sender lets sit in the socket's send buffer at most (one frame may go when it is empty). */
export const MAX_IN_FLIGHT_BYTES = 4 * 1024 * 1024;

export interface PacedSocket {
  readonly bufferedAmount: number;
  send(data: ArrayBufferView): void;
}

export interface UploadOptions {
  chunkBytes: number;
  maxInFlightBytes: number;
  /** False once the job or the connection is gone: the upload stops at the next frame. */
  live(): boolean;
  /** After every frame: bytes of the job sent so far, and in all. */
  onProgress?(sent: number, total: number): void;
}

/** Rows that fit one frame of `chunkBytes` for a plane of this format. */
export function rowsPerChunk(format: Pick<PlaneDeclaration, 'width' | 'channels' | 'bitsPerChannel'>, chunkBytes: number): number {
  const row = format.width * bytesPerPixel(format);
  return Math.max(1, Math.floor((chunkBytes - FRAME_HEADER_BYTES) / row));
}

/** Checks a plane before anything is sent, so that a bad one throws at the caller. */
export function checkPlaneInput(p: PlaneInput, chunkBytes: number): void {
  if (p.rows) {
    if (!(Number.isInteger(p.rows.rowsPerChunk) && p.rows.rowsPerChunk >= 1)) throw new PainterlyError('BAD_ARGUMENT', `Plane '${p.plane}' needs a positive whole rowsPerChunk.`);
    const frame = FRAME_HEADER_BYTES + Math.min(p.rows.rowsPerChunk, p.height) * p.width * bytesPerPixel(p);
    if (frame > chunkBytes) throw new PainterlyError('BAD_ARGUMENT', `Plane '${p.plane}': ${p.rows.rowsPerChunk} rows make a ${frame}-byte frame; the limit is ${chunkBytes}.`);
    return;
  }
  const n = p.width * p.height * p.channels;
  const type = p.bitsPerChannel === 16 ? Uint16Array : Uint8Array;
  if (!(p.data instanceof type) || p.data.length !== n) {
    throw new PainterlyError('SIZE_MISMATCH', `Plane '${p.plane}' needs a ${type.name} of ${p.width}×${p.height}×${p.channels} = ${n} samples.`);
  }
}

/** The frames of a plane, made one at a time (rows are read only when their frame is due). */
async function* framesOf(jobId: number, p: PlaneInput, chunkBytes: number): AsyncGenerator<Uint8Array> {
  if (!p.rows) {
    yield* planeFrames({ jobId, plane: p.plane }, p, p.data, chunkBytes);
    return;
  }
  const { width, height, channels, bitsPerChannel } = p;
  const step = p.rows.rowsPerChunk;
  const chunkCount = Math.ceil(height / step);
  const rowBytes = width * bytesPerPixel(p);
  for (let chunkIndex = 0; chunkIndex < chunkCount; chunkIndex++) {
    const row = chunkIndex * step;
    const count = Math.min(step, height - row);
    const samples = await p.rows.read(row, count);
    if (samples.length !== count * width * channels || (bitsPerChannel === 16) !== samples instanceof Uint16Array) {
      throw new PainterlyError('SIZE_MISMATCH', `Plane '${p.plane}' rows ${row}–${row + count - 1} came back as ${samples.length} samples; expected ${count * width * channels} ${bitsPerChannel}-bit.`);
    }
    yield encodeFrame({ jobId, plane: p.plane, width, height, channels, bitsPerChannel, chunkIndex, chunkCount, byteOffset: row * rowBytes }, samplesToBytes(samples));
  }
}

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Sends every plane's frames in order, each only once the socket holds little enough. Resolves false if stopped. */
export async function uploadPlanes(socket: PacedSocket, jobId: number, planes: readonly PlaneInput[], opts: UploadOptions): Promise<boolean> {
  const total = planes.reduce((n, p) => n + planeByteLength(p), 0);
  let sent = 0;
  for (const p of planes) {
    const frames = framesOf(jobId, p, opts.chunkBytes);
    for (;;) {
      if (!opts.live()) return false; // before reading more rows, not after
      const next = await frames.next();
      if (next.done) break;
      const frame = next.value;
      // Wait until this frame fits: at most maxInFlightBytes queued, or an empty queue.
      while (opts.live() && socket.bufferedAmount > 0 && socket.bufferedAmount + frame.byteLength > opts.maxInFlightBytes) await delay(4);
      if (!opts.live()) return false;
      socket.send(frame);
      sent += frame.byteLength - FRAME_HEADER_BYTES;
      opts.onProgress?.(sent, total);
    }
  }
  return true;
}
