// Reading and writing images with sharp. Everything past this module works on `Image`
// (float32 HWC in [0, 1]); this is the only place that knows about files and codecs.
import { stat, writeFile } from 'node:fs/promises';
import { extname } from 'node:path';
import sharp, { type Metadata } from 'sharp';
import { PainterlyError } from '../../shared/errors.js';
import type { Image } from './image.js';

/** Largest image we decode by default: 64 Mpx (about 8000×8000), far above the 700-px working size. */
const DEFAULT_MAX_PIXELS = 64_000_000;

export interface ReadOptions {
  /** Refuse images with more pixels than this (checked from the header, before decoding). */
  maxPixels?: number;
}

export interface WriteOptions {
  /** JPEG quality 1–100 (default 90); ignored for PNG. */
  jpegQuality?: number;
}

/** Reads a JPEG/PNG (or anything sharp decodes) as RGB; alpha is dropped, grey is replicated. */
export async function readImage(path: string, opts: ReadOptions = {}): Promise<Image> {
  const raw = await decodeFile(path, opts);
  return rawToImage(raw.data, raw.width, raw.height, raw.channels);
}

/** Reads a mask as one channel taken from the file's first channel (the original code's habit). */
export async function readMask(path: string, opts: ReadOptions = {}): Promise<Image> {
  const { data, width, height, channels } = await decodeFile(path, opts);
  const out = new Float32Array(width * height);
  for (let i = 0; i < out.length; i++) out[i] = data[i * channels] / 255;
  return { width, height, channels: 1, data: out };
}

/** Decodes an in-memory JPEG/PNG; `name` is only used in error messages. */
export async function decodeImage(buffer: Buffer, name = 'image', opts: ReadOptions = {}): Promise<Image> {
  const raw = await decodeRaw(buffer, name, opts);
  return rawToImage(raw.data, raw.width, raw.height, raw.channels);
}

/** Writes PNG or JPEG, chosen by the extension (.png, .jpg, .jpeg). Values are clamped and rounded to 8 bits. */
export async function writeImage(path: string, img: Image, opts: WriteOptions = {}): Promise<void> {
  const ext = extname(path).toLowerCase();
  const format = ext === '.png' ? 'png' : ext === '.jpg' || ext === '.jpeg' ? 'jpeg' : undefined;
  if (!format) {
    throw new PainterlyError('BAD_ARGUMENT', `Cannot write ${path}: the extension must be .png, .jpg or .jpeg.`);
  }
  const buffer = await encodeImage(img, format, opts);
  await writeFile(path, buffer);
}

/** Encodes to a PNG or JPEG buffer. */
async function encodeImage(img: Image, format: 'png' | 'jpeg', opts: WriteOptions = {}): Promise<Buffer> {
  const pipeline = sharp(toBytes(img), {
    raw: { width: img.width, height: img.height, channels: checkChannels(img.channels) },
  });
  if (format === 'png') return pipeline.png().toBuffer();
  return pipeline.jpeg({ quality: checkQuality(opts.jpegQuality ?? 90) }).toBuffer();
}

/**
 * JPEG-encodes in memory and decodes again. The original pass 1 saved its result as a
 * quality-75 JPEG (Torch's default) and pass 2 read that file, artefacts included.
 */
export async function encodeJpegRoundTrip(img: Image, quality = 75): Promise<Image> {
  const jpeg = await encodeImage(img, 'jpeg', { jpegQuality: quality });
  const { data, info } = await sharp(jpeg).raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
  return rawToImage(data, info.width, info.height, info.channels);
}

// ---------------------------------------------------------------------------------------------

interface RawPixels {
  data: Uint8Array;
  width: number;
  height: number;
  channels: number;
}

async function decodeFile(path: string, opts: ReadOptions): Promise<RawPixels> {
  try {
    const s = await stat(path);
    if (!s.isFile()) throw new PainterlyError('IMAGE_UNREADABLE', `${path} is not a file.`);
  } catch (e) {
    if (e instanceof PainterlyError) throw e;
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new PainterlyError('FILE_NOT_FOUND', `The image ${path} does not exist.`);
    }
    throw new PainterlyError('IMAGE_UNREADABLE', `Cannot read ${path}: ${(e as Error).message}`);
  }
  return decodeRaw(path, path, opts);
}

async function decodeRaw(input: string | Buffer, name: string, opts: ReadOptions): Promise<RawPixels> {
  const maxPixels = opts.maxPixels ?? DEFAULT_MAX_PIXELS;
  let meta: Metadata;
  try {
    meta = await sharp(input).metadata();
  } catch (e) {
    throw new PainterlyError('IMAGE_UNREADABLE', `Cannot read ${name} as an image: ${(e as Error).message}`);
  }
  const w = meta.width ?? 0;
  const h = meta.height ?? 0;
  // Check the header's size first so a huge file fails with its dimensions, before any decoding.
  if (w * h > maxPixels) {
    throw new PainterlyError(
      'IMAGE_TOO_LARGE',
      `${name} is ${w}×${h} = ${w * h} pixels; the limit is ${maxPixels}.`,
    );
  }
  try {
    // No EXIF auto-rotation: masks and composites must line up pixel for pixel, as in the original.
    const { data, info } = await sharp(input, { limitInputPixels: maxPixels })
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
    return { data, width: info.width, height: info.height, channels: info.channels };
  } catch (e) {
    throw new PainterlyError('IMAGE_UNREADABLE', `Cannot decode ${name}: ${(e as Error).message}`);
  }
}

// Grey (+alpha) has 1–2 channels and is replicated; colour has 3–4. Alpha, always last, is dropped.
function rawToImage(data: Uint8Array, width: number, height: number, channels: number): Image {
  const out = new Float32Array(width * height * 3);
  const grey = channels < 3;
  for (let i = 0, n = width * height; i < n; i++) {
    const s = i * channels;
    out[3 * i] = data[s] / 255;
    out[3 * i + 1] = data[grey ? s : s + 1] / 255;
    out[3 * i + 2] = data[grey ? s : s + 2] / 255;
  }
  return { width, height, channels: 3, data: out };
}

function toBytes(img: Image): Buffer {
  const n = img.width * img.height * img.channels;
  if (img.data.length !== n) {
    throw new PainterlyError('INTERNAL', `Image data has ${img.data.length} values; expected ${n}.`);
  }
  const bytes = Buffer.alloc(n);
  for (let i = 0; i < n; i++) {
    const v = img.data[i];
    // NaN maps to 0 rather than poisoning the file.
    bytes[i] = v > 0 ? (v < 1 ? Math.round(v * 255) : 255) : 0;
  }
  return bytes;
}

function checkChannels(c: number): 1 | 2 | 3 | 4 {
  if (c === 1 || c === 2 || c === 3 || c === 4) return c;
  throw new PainterlyError('BAD_ARGUMENT', `Cannot encode an image with ${c} channels; expected 1 to 4.`);
}

function checkQuality(q: number): number {
  if (!Number.isInteger(q) || q < 1 || q > 100) {
    throw new PainterlyError('BAD_ARGUMENT', `Expected an integer JPEG quality from 1 to 100, got ${q}.`);
  }
  return q;
}
