// Binary image frames: a fixed 32-byte little-endian header followed by raw interleaved samples.
// One plane (an image or a mask) travels as one or more frames ("chunks") sent in order.
// Layout (byte offsets) is documented in docs/protocol.md; keep the two in step.
import { PainterlyError } from './errors.js';

/** 'PNTR' as bytes 0x50 0x4E 0x54 0x52. */
export const FRAME_MAGIC = [0x50, 0x4e, 0x54, 0x52] as const;
export const FRAME_VERSION = 1;
export const FRAME_HEADER_BYTES = 32;

/** Plane ids on the wire. Never renumber: add new ids instead. */
export const PLANE_IDS = {
  painting: 1,
  composite: 2,
  mask: 3,
  dilatedMask: 4,
  content: 5,
  style: 6,
  contentLabels: 7,
  styleLabels: 8,
  paintingWindow: 9,
  pasted: 10,
  result: 16,
  preview: 17,
} as const;

export type PlaneName = keyof typeof PLANE_IDS;
/** Planes a client sends. */
export type InputPlaneName = Exclude<PlaneName, 'result' | 'preview'>;
export type BitsPerChannel = 8 | 16;

const PLANE_BY_ID = new Map<number, PlaneName>(Object.entries(PLANE_IDS).map(([name, id]) => [id, name as PlaneName]));

export function isPlaneName(v: unknown): v is PlaneName {
  return typeof v === 'string' && Object.prototype.hasOwnProperty.call(PLANE_IDS, v);
}

/** Shape and sample format of one plane. 16-bit samples use the full range 0..65535. */
export interface PlaneFormat {
  width: number;
  height: number;
  /** 1 (mask), 3 (RGB) or 4 (RGBA; alpha is ignored by the companion). */
  channels: number;
  bitsPerChannel: BitsPerChannel;
}

export interface FrameHeader extends PlaneFormat {
  /** Chosen by the client when it submits the job; 1 .. 2^32-1. */
  jobId: number;
  plane: PlaneName;
  /** 0-based; chunks of a plane are sent in order. */
  chunkIndex: number;
  chunkCount: number;
  /** Where this chunk's payload starts within the plane's bytes. */
  byteOffset: number;
}

export interface Frame {
  header: FrameHeader;
  /** A view into the received buffer (not a copy). */
  payload: Uint8Array;
}

export function bytesPerPixel(f: Pick<PlaneFormat, 'channels' | 'bitsPerChannel'>): number {
  return f.channels * (f.bitsPerChannel / 8);
}

/** Bytes of a whole plane as sent. */
export function planeByteLength(f: PlaneFormat): number {
  return f.width * f.height * bytesPerPixel(f);
}

function badFrame(sentence: string, details?: unknown): PainterlyError {
  return new PainterlyError('BAD_FRAME', sentence, details);
}

function isU32(v: number): boolean {
  return Number.isInteger(v) && v >= 0 && v <= 0xffffffff;
}

/** Writes a header and payload into one new buffer, ready for `WebSocket.send`. */
export function encodeFrame(header: FrameHeader, payload: Uint8Array): Uint8Array {
  const { jobId, width, height, channels, bitsPerChannel, chunkIndex, chunkCount, byteOffset } = header;
  for (const [name, v] of Object.entries({ jobId, width, height, chunkIndex, chunkCount, byteOffset })) {
    if (!isU32(v)) throw new PainterlyError('BAD_ARGUMENT', `Expected an unsigned 32-bit integer for frame field '${name}', got ${v}.`);
  }
  if (!isPlaneName(header.plane)) throw new PainterlyError('BAD_ARGUMENT', `Unknown plane '${String(header.plane)}'.`);
  if (!Number.isInteger(channels) || channels < 1 || channels > 4) throw new PainterlyError('BAD_ARGUMENT', `Expected 1 to 4 channels, got ${channels}.`);
  if (bitsPerChannel !== 8 && bitsPerChannel !== 16) throw new PainterlyError('BAD_ARGUMENT', `Expected 8 or 16 bits per channel, got ${String(bitsPerChannel)}.`);
  const out = new Uint8Array(FRAME_HEADER_BYTES + payload.byteLength);
  const view = new DataView(out.buffer);
  out.set(FRAME_MAGIC, 0);
  view.setUint8(4, FRAME_VERSION);
  view.setUint8(5, PLANE_IDS[header.plane]);
  view.setUint8(6, channels);
  view.setUint8(7, bitsPerChannel);
  view.setUint32(8, jobId, true);
  view.setUint32(12, width, true);
  view.setUint32(16, height, true);
  view.setUint32(20, chunkIndex, true);
  view.setUint32(24, chunkCount, true);
  view.setUint32(28, byteOffset, true);
  out.set(payload, FRAME_HEADER_BYTES);
  return out;
}

/**
 * Parses and checks one frame on its own: magic, version, known plane, channels, bit depth,
 * chunk index within count, payload whole pixels and inside the plane. Limits (pixels, bytes)
 * and agreement with the job are checked by the receiver. Throws PainterlyError('BAD_FRAME').
 */
export function decodeFrame(data: ArrayBuffer | ArrayBufferView): Frame {
  const bytes = data instanceof ArrayBuffer
    ? new Uint8Array(data)
    : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (bytes.byteLength < FRAME_HEADER_BYTES) {
    throw badFrame(`The frame is ${bytes.byteLength} bytes, shorter than its ${FRAME_HEADER_BYTES}-byte header.`);
  }
  for (let i = 0; i < FRAME_MAGIC.length; i++) {
    if (bytes[i] !== FRAME_MAGIC[i]) throw badFrame('The frame does not start with the Painterly magic bytes.');
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, FRAME_HEADER_BYTES);
  const version = view.getUint8(4);
  if (version !== FRAME_VERSION) throw badFrame(`The frame has format version ${version}; this side reads version ${FRAME_VERSION}.`);
  const plane = PLANE_BY_ID.get(view.getUint8(5));
  if (!plane) throw badFrame(`The frame names an unknown plane id ${view.getUint8(5)}.`);
  const channels = view.getUint8(6);
  if (channels < 1 || channels > 4) throw badFrame(`The frame has ${channels} channels; expected 1 to 4.`);
  const bits = view.getUint8(7);
  if (bits !== 8 && bits !== 16) throw badFrame(`The frame has ${bits} bits per channel; expected 8 or 16.`);
  const header: FrameHeader = {
    jobId: view.getUint32(8, true),
    plane,
    width: view.getUint32(12, true),
    height: view.getUint32(16, true),
    channels,
    bitsPerChannel: bits,
    chunkIndex: view.getUint32(20, true),
    chunkCount: view.getUint32(24, true),
    byteOffset: view.getUint32(28, true),
  };
  if (header.jobId === 0) throw badFrame('The frame has job id 0; job ids start at 1.');
  if (header.width === 0 || header.height === 0) throw badFrame(`The frame declares an empty plane (${header.width}×${header.height}).`);
  if (header.chunkCount === 0 || header.chunkIndex >= header.chunkCount) {
    throw badFrame(`The frame is chunk ${header.chunkIndex} of ${header.chunkCount}.`);
  }
  const payload = bytes.subarray(FRAME_HEADER_BYTES);
  const bpp = bytesPerPixel(header);
  if (payload.byteLength === 0 || payload.byteLength % bpp !== 0 || header.byteOffset % bpp !== 0) {
    throw badFrame(`The frame's payload (${payload.byteLength} bytes at offset ${header.byteOffset}) is not a whole number of ${bpp}-byte pixels.`);
  }
  const total = planeByteLength(header);
  const end = header.byteOffset + payload.byteLength;
  if (end > total) throw badFrame(`The frame's payload ends at byte ${end}, past the plane's ${total} bytes.`);
  if (header.chunkIndex === header.chunkCount - 1 && end !== total) {
    throw badFrame(`The last chunk ends at byte ${end} but the plane has ${total} bytes: the plane is truncated.`);
  }
  if (header.chunkIndex < header.chunkCount - 1 && end === total) {
    throw badFrame(`Chunk ${header.chunkIndex} of ${header.chunkCount} already reaches the end of the plane.`);
  }
  return { header, payload };
}

/**
 * Frames for one plane, each at most `maxFrameBytes` long including the header, split on
 * whole pixels. `samples` holds width·height·channels values (Uint16Array for 16-bit planes).
 * A generator, so that a sender can pace itself and only one frame exists at a time.
 */
export function* planeFrames(
  target: { jobId: number; plane: PlaneName },
  format: PlaneFormat,
  samples: Uint8Array | Uint16Array,
  maxFrameBytes: number,
): Generator<Uint8Array> {
  const expectedSamples = format.width * format.height * format.channels;
  if (samples.length !== expectedSamples) {
    throw new PainterlyError('SIZE_MISMATCH', `Plane '${target.plane}' has ${samples.length} samples; ${format.width}×${format.height}×${format.channels} needs ${expectedSamples}.`);
  }
  if ((format.bitsPerChannel === 16) !== samples instanceof Uint16Array) {
    throw new PainterlyError('BAD_ARGUMENT', `Plane '${target.plane}' is ${format.bitsPerChannel}-bit; pass a ${format.bitsPerChannel === 16 ? 'Uint16Array' : 'Uint8Array'}.`);
  }
  const bytes = samplesToBytes(samples);
  const bpp = bytesPerPixel(format);
  const perChunk = Math.floor((maxFrameBytes - FRAME_HEADER_BYTES) / bpp) * bpp;
  if (perChunk <= 0) throw new PainterlyError('BAD_ARGUMENT', `A frame limit of ${maxFrameBytes} bytes cannot hold one pixel.`);
  const chunkCount = Math.ceil(bytes.byteLength / perChunk);
  for (let chunkIndex = 0; chunkIndex < chunkCount; chunkIndex++) {
    const byteOffset = chunkIndex * perChunk;
    const payload = bytes.subarray(byteOffset, Math.min(bytes.byteLength, byteOffset + perChunk));
    const { width, height, channels, bitsPerChannel } = format;
    yield encodeFrame({ jobId: target.jobId, plane: target.plane, width, height, channels, bitsPerChannel, chunkIndex, chunkCount, byteOffset }, payload);
  }
}

const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Samples as little-endian bytes (a view when the host is little-endian, as all our targets are). */
export function samplesToBytes(samples: Uint8Array | Uint16Array): Uint8Array {
  if (samples instanceof Uint8Array) return samples;
  if (LITTLE_ENDIAN_HOST) return new Uint8Array(samples.buffer, samples.byteOffset, samples.byteLength);
  const out = new Uint8Array(samples.byteLength);
  const view = new DataView(out.buffer);
  for (let i = 0; i < samples.length; i++) view.setUint16(i * 2, samples[i], true);
  return out;
}

/**
 * Little-endian plane bytes as samples: the bytes themselves for 8-bit; for 16-bit a view of them
 * when they are aligned on a little-endian host (no copy of a large result), else a new array.
 */
export function bytesToSamples(bytes: Uint8Array, bitsPerChannel: BitsPerChannel): Uint8Array | Uint16Array {
  if (bitsPerChannel === 8) return bytes;
  if (LITTLE_ENDIAN_HOST && bytes.byteOffset % 2 === 0) return new Uint16Array(bytes.buffer, bytes.byteOffset, bytes.byteLength >>> 1);
  const out = new Uint16Array(bytes.byteLength >>> 1);
  if (LITTLE_ENDIAN_HOST) {
    new Uint8Array(out.buffer).set(bytes.subarray(0, out.byteLength));
  } else {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (let i = 0; i < out.length; i++) out[i] = view.getUint16(i * 2, true);
  }
  return out;
}

/**
 * Puts one plane back together from its frames. The first frame fixes the plane's format and
 * chunk count; later ones must agree, come in order and continue where the previous ended.
 * `sink` receives each payload with its byte offset; by default the bytes are collected.
 */
export class PlaneAssembler {
  readonly format: PlaneFormat & { jobId: number; plane: PlaneName };
  private readonly sink: (payload: Uint8Array, byteOffset: number) => void;
  private chunkCount = 0;
  private nextIndex = 0;
  private received = 0;
  /** The plane's bytes once complete, when no sink was given. */
  readonly bytes?: Uint8Array;

  constructor(format: PlaneFormat & { jobId: number; plane: PlaneName }, sink?: (payload: Uint8Array, byteOffset: number) => void) {
    this.format = { ...format };
    if (sink) {
      this.sink = sink;
    } else {
      const bytes = new Uint8Array(planeByteLength(format));
      this.bytes = bytes;
      this.sink = (payload, offset) => bytes.set(payload, offset);
    }
  }

  get complete(): boolean {
    return this.chunkCount > 0 && this.nextIndex === this.chunkCount;
  }

  get bytesReceived(): number {
    return this.received;
  }

  /** Adds one decoded frame; returns true when the plane is complete. Throws PainterlyError('BAD_FRAME'). */
  add(frame: Frame): boolean {
    const h = frame.header;
    const f = this.format;
    if (h.jobId !== f.jobId || h.plane !== f.plane) throw badFrame(`A frame for job ${h.jobId} plane '${h.plane}' was given to the assembler of job ${f.jobId} plane '${f.plane}'.`);
    if (h.width !== f.width || h.height !== f.height || h.channels !== f.channels || h.bitsPerChannel !== f.bitsPerChannel) {
      throw new PainterlyError('SIZE_MISMATCH', `Plane '${f.plane}' was declared ${describeFormat(f)} but a frame says ${describeFormat(h)}.`);
    }
    if (this.complete) throw badFrame(`Plane '${f.plane}' of job ${f.jobId} is already complete.`);
    if (this.chunkCount === 0) this.chunkCount = h.chunkCount;
    if (h.chunkCount !== this.chunkCount) throw badFrame(`Plane '${f.plane}' was sent as ${this.chunkCount} chunks but a frame says ${h.chunkCount}.`);
    if (h.chunkIndex !== this.nextIndex) throw badFrame(`Plane '${f.plane}' expected chunk ${this.nextIndex}, got chunk ${h.chunkIndex}.`);
    if (h.byteOffset !== this.received) throw badFrame(`Plane '${f.plane}' chunk ${h.chunkIndex} starts at byte ${h.byteOffset}; the previous chunk ended at ${this.received}.`);
    this.sink(frame.payload, h.byteOffset);
    this.received += frame.payload.byteLength;
    this.nextIndex++;
    return this.complete;
  }
}

export function describeFormat(f: PlaneFormat): string {
  return `${f.width}×${f.height}, ${f.channels} channel${f.channels === 1 ? '' : 's'}, ${f.bitsPerChannel}-bit`;
}
