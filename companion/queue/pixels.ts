// Pixels through Redis: each plane as its own key, deflated, with an expiry and the SHA-256 of its
// raw bytes. Inputs travel as the 8- or 16-bit samples they were made from (an image read from a
// file or sent by the panel is exactly that), so the worker decodes the very floats a local run
// would have; results travel as float32, so what the submitter writes is what a local run writes.
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { deflate, inflate } from 'node:zlib';
import { PainterlyError } from '../../shared/errors.js';
import type { BitsPerChannel } from '../../shared/frames.js';
import type { Image } from '../image/image.js';

const deflateAsync = promisify(deflate);
const inflateAsync = promisify(inflate);

/** What a queue's data side needs of a Redis client (ioredis). */
export interface DataStore {
  set(key: string, value: Buffer, ex: 'EX', seconds: number): Promise<unknown>;
  getBuffer(key: string): Promise<Buffer | null>;
  del(...keys: string[]): Promise<number>;
}

/** A stored array of samples: where, how it is encoded, its size and digest before compression. */
export interface StoredSamples {
  key: string;
  encoding: 'u8' | 'u16' | 'f32';
  /** Raw bytes before compression. */
  bytes: number;
  sha256: string;
}

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

const asBytes = (a: Uint8Array | Uint16Array | Float32Array): Uint8Array => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

/**
 * The depth whose samples give back exactly these floats when divided by its maximum, as the
 * companion decodes them (v / 255, v / 65535); 16 with rounding when none does.
 */
export function exactBits(data: Float32Array): BitsPerChannel {
  const fits = (max: number) => {
    for (let i = 0; i < data.length; i++) {
      const v = data[i];
      if (!(v >= 0 && v <= 1) || Math.fround(Math.round(v * max) / max) !== v) return false;
    }
    return true;
  };
  return fits(255) ? 8 : 16;
}

/** An image's values as samples of `bits` (rounded; exact for exactBits' answer). */
export function toSamples(img: Image, bits: BitsPerChannel): Uint8Array | Uint16Array {
  const max = bits === 8 ? 255 : 65535;
  const out = bits === 8 ? new Uint8Array(img.data.length) : new Uint16Array(img.data.length);
  for (let i = 0; i < out.length; i++) out[i] = Math.round(Math.min(1, Math.max(0, img.data[i])) * max);
  return out;
}

/** Stores raw samples under `key` for `seconds`. */
export async function putSamples(store: DataStore, key: string, samples: Uint8Array | Uint16Array | Float32Array, seconds: number): Promise<StoredSamples> {
  const raw = asBytes(samples);
  const encoding = samples instanceof Uint8Array ? 'u8' : samples instanceof Uint16Array ? 'u16' : 'f32';
  await store.set(key, await deflateAsync(raw, { level: 1 }), 'EX', seconds);
  return { key, encoding, bytes: raw.byteLength, sha256: sha256(raw) };
}

/**
 * The raw bytes stored under `ref.key`, checked: present, no larger than declared (a deflate bomb
 * stops at the declared size), and with the declared digest.
 */
export async function getSamples(store: DataStore, ref: StoredSamples, what: string): Promise<Uint8Array> {
  const packed = await store.getBuffer(ref.key);
  if (!packed) throw new PainterlyError('BAD_MESSAGE', `The ${what} is no longer in the queue's store (it expired, or was never stored).`);
  let raw: Buffer;
  try {
    raw = await inflateAsync(packed, { maxOutputLength: Math.max(1, ref.bytes) });
  } catch (e) {
    throw new PainterlyError('BAD_MESSAGE', `The ${what} in the queue's store is corrupt or larger than declared: ${(e as Error).message}`);
  }
  if (raw.byteLength !== ref.bytes) throw new PainterlyError('BAD_MESSAGE', `The ${what} holds ${raw.byteLength} bytes; ${ref.bytes} were declared.`);
  if (sha256(raw) !== ref.sha256) throw new PainterlyError('BAD_MESSAGE', `The ${what} does not match its SHA-256: it was changed or damaged in the queue's store.`);
  return raw;
}

/** A float32 image from its stored bytes (a result). */
export function floatImage(raw: Uint8Array, width: number, height: number, channels: number): Image {
  if (raw.byteLength !== width * height * channels * 4) throw new PainterlyError('BAD_MESSAGE', `A ${width}×${height}×${channels} float image needs ${width * height * channels * 4} bytes; got ${raw.byteLength}.`);
  const data = new Float32Array(width * height * channels);
  new Uint8Array(data.buffer).set(raw);
  return { width, height, channels, data };
}
