// safetensors, the cache format for model weights: an 8-byte little-endian header length, a JSON
// header `{name: {dtype, shape, data_offsets}, __metadata__: {...}}` padded with spaces, then the
// raw tensor bytes. We only handle F32 (every weight file we ship or convert is float32).
// Everything read from disk is checked against the file's real size before it is trusted.
import { open, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { PainterlyError } from '../../../shared/errors.js';

export interface Tensor {
  shape: number[];
  data: Float32Array;
}

export interface WeightSet {
  tensors: Map<string, Tensor>;
  metadata: Record<string, string>;
}

/** One header entry, before any data is read. */
export interface TensorInfo {
  dtype: string;
  shape: number[];
  /** Byte range relative to the start of the data section. */
  dataOffsets: [number, number];
}

export interface SafetensorsHeader {
  tensors: Map<string, TensorInfo>;
  metadata: Record<string, string>;
  /** Byte offset of the data section in the file (8 + header length). */
  dataStart: number;
}

/** Headers larger than this are refused before being read: real ones are a few kilobytes. */
export const MAX_HEADER_BYTES = 100 * 1024 * 1024;

const METADATA_KEY = '__metadata__';

function unreadable(source: string, why: string): PainterlyError {
  return new PainterlyError('WEIGHTS_UNREADABLE', `${source} is not a valid safetensors file: ${why}.`);
}

function isShape(v: unknown): v is number[] {
  return Array.isArray(v) && v.every((d) => Number.isSafeInteger(d) && d >= 0);
}

function elementCount(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Reads the header length from the first 8 bytes and checks it against the file size. */
function headerLength(prefix: Uint8Array, fileBytes: number, source: string): number {
  if (fileBytes < 8) throw unreadable(source, `the file has ${fileBytes} bytes, fewer than the 8-byte header length`);
  const n = new DataView(prefix.buffer, prefix.byteOffset, 8).getBigUint64(0, true);
  if (n < 2n) throw unreadable(source, `the header length is ${n} bytes`);
  if (n > BigInt(MAX_HEADER_BYTES)) throw unreadable(source, `the header claims ${n} bytes, more than the ${MAX_HEADER_BYTES}-byte limit`);
  if (n > BigInt(fileBytes - 8)) throw unreadable(source, `the header claims ${n} bytes but only ${fileBytes - 8} follow`);
  return Number(n);
}

/** Parses and validates the JSON header; `dataBytes` is the size of the data section. */
function parseHeaderJson(json: Uint8Array, dataBytes: number, source: string): Omit<SafetensorsHeader, 'dataStart'> {
  let raw: unknown;
  try {
    raw = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(json));
  } catch {
    throw unreadable(source, 'the header is not valid UTF-8 JSON');
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw unreadable(source, 'the header is not a JSON object');
  const tensors = new Map<string, TensorInfo>();
  const metadata: Record<string, string> = {};
  for (const [name, entry] of Object.entries(raw as Record<string, unknown>)) {
    if (name === METADATA_KEY) {
      if (typeof entry !== 'object' || entry === null) throw unreadable(source, '__metadata__ is not an object');
      for (const [k, v] of Object.entries(entry)) {
        if (typeof v !== 'string') throw unreadable(source, `metadata "${k}" is not a string`);
        metadata[k] = v;
      }
      continue;
    }
    const e = entry as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (typeof e !== 'object' || e === null || typeof e.dtype !== 'string' || !isShape(e.shape)) {
      throw unreadable(source, `tensor "${name}" lacks a dtype or a shape`);
    }
    const off = e.data_offsets;
    if (!Array.isArray(off) || off.length !== 2 || !off.every((x) => Number.isSafeInteger(x) && x >= 0) || off[0] > off[1]) {
      throw unreadable(source, `tensor "${name}" has invalid data_offsets`);
    }
    if (off[1] > dataBytes) {
      throw unreadable(source, `tensor "${name}" ends at byte ${off[1]} of a ${dataBytes}-byte data section (file truncated?)`);
    }
    tensors.set(name, { dtype: e.dtype, shape: e.shape, dataOffsets: [off[0], off[1]] });
  }
  return { tensors, metadata };
}

function checkF32(name: string, info: TensorInfo, source: string): void {
  if (info.dtype !== 'F32') {
    throw new PainterlyError(
      'WEIGHTS_UNREADABLE',
      `${source}: tensor "${name}" is ${info.dtype}; Painterly reads float32 (F32) weights only. Convert the file to float32 first.`,
    );
  }
  const expected = elementCount(info.shape) * 4;
  const actual = info.dataOffsets[1] - info.dataOffsets[0];
  if (actual !== expected) {
    throw unreadable(source, `tensor "${name}" of shape [${info.shape}] needs ${expected} bytes but its data_offsets span ${actual}`);
  }
}

/** Parses a whole safetensors file held in memory. Tensors view `buf` when aligned, else copy. */
export function parseSafetensors(buf: Uint8Array, source = 'the weights file'): WeightSet {
  const n = headerLength(buf, buf.byteLength, source);
  const dataStart = 8 + n;
  const header = parseHeaderJson(buf.subarray(8, dataStart), buf.byteLength - dataStart, source);
  const tensors = new Map<string, Tensor>();
  for (const [name, info] of header.tensors) {
    checkF32(name, info, source);
    const begin = buf.byteOffset + dataStart + info.dataOffsets[0];
    const count = elementCount(info.shape);
    // Float32Array views need 4-byte alignment; other writers may not pad the header.
    const data =
      begin % 4 === 0
        ? new Float32Array(buf.buffer, begin, count)
        : new Float32Array(buf.buffer.slice(begin, begin + count * 4));
    tensors.set(name, { shape: [...info.shape], data });
  }
  return { tensors, metadata: header.metadata };
}

export async function readSafetensors(path: string): Promise<WeightSet> {
  let buf: Buffer;
  try {
    buf = await readFile(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new PainterlyError('FILE_NOT_FOUND', `The weights file ${path} does not exist.`);
    throw e;
  }
  return parseSafetensors(buf, basename(path));
}

/** Reads only the header (names, shapes, metadata): cheap even for an 80 MB file. */
export async function readSafetensorsHeader(path: string): Promise<SafetensorsHeader> {
  const source = basename(path);
  let fh;
  try {
    fh = await open(path, 'r');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new PainterlyError('FILE_NOT_FOUND', `The weights file ${path} does not exist.`);
    throw e;
  }
  try {
    const { size } = await fh.stat();
    const prefix = new Uint8Array(8);
    await fh.read(prefix, 0, Math.min(8, size), 0);
    const n = headerLength(prefix, size, source);
    const json = new Uint8Array(n);
    await fh.read(json, 0, n, 8);
    const header = parseHeaderJson(json, size - 8 - n, source);
    return { ...header, dataStart: 8 + n };
  } finally {
    await fh.close();
  }
}

/** Serialises tensors (in the given order) and metadata into safetensors bytes. */
export function encodeSafetensors(
  tensors: Map<string, Tensor> | Record<string, Tensor>,
  metadata: Record<string, string> = {},
): Uint8Array {
  const entries = tensors instanceof Map ? [...tensors] : Object.entries(tensors);
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header[METADATA_KEY] = { ...metadata };
  let offset = 0;
  for (const [name, t] of entries) {
    if (name === METADATA_KEY) throw new PainterlyError('BAD_ARGUMENT', `"${METADATA_KEY}" cannot be a tensor name.`);
    if (!isShape(t.shape) || elementCount(t.shape) !== t.data.length) {
      throw new PainterlyError('BAD_ARGUMENT', `Tensor "${name}" has shape [${t.shape}] but ${t.data.length} values.`);
    }
    header[name] = { dtype: 'F32', shape: t.shape, data_offsets: [offset, offset + t.data.byteLength] };
    offset += t.data.byteLength;
  }
  let json = JSON.stringify(header);
  // Pad with spaces so that the data section starts on an 8-byte boundary.
  const jsonBytes = () => Buffer.byteLength(json, 'utf8');
  json += ' '.repeat((8 - (jsonBytes() % 8)) % 8);
  const n = jsonBytes();
  const out = new Uint8Array(8 + n + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(n), true);
  out.set(Buffer.from(json, 'utf8'), 8);
  let at = 8 + n;
  for (const [, t] of entries) {
    out.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), at);
    at += t.data.byteLength;
  }
  return out;
}

/** Writes atomically (temporary file, then rename) so a crash never leaves half a model. */
export async function writeSafetensors(
  path: string,
  tensors: Map<string, Tensor> | Record<string, Tensor>,
  metadata: Record<string, string> = {},
): Promise<void> {
  const bytes = encodeSafetensors(tensors, metadata);
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    await writeFile(tmp, bytes);
    await rename(tmp, path);
  } catch (e) {
    await unlink(tmp).catch(() => {});
    throw e;
  }
}
