// One digest for a set of weights, independent of how they were stored: the same tensors read
// from a caffemodel, an ONNX file, caffejs blobs or a safetensors file give the same digest.
//
// Definition ("painterly-tensors-v1"): SHA-256 over the tensors sorted by name (byte order of
// their UTF-8 names), each contributing
//   UTF-8 name, one 0x00 byte, rank as u32 LE, each dimension as u32 LE, the values as float32 LE.
// Nothing else (tensor order in the file, padding, metadata) enters the digest.
import { createHash } from 'node:crypto';
import { endianness } from 'node:os';
import type { Tensor } from './safetensors.js';

export const TENSOR_DIGEST_VERSION = 'painterly-tensors-v1';

function littleEndianBytes(data: Float32Array): Uint8Array {
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (endianness() === 'LE') return bytes;
  const out = new Uint8Array(bytes.length);
  const view = new DataView(out.buffer);
  data.forEach((v, i) => view.setFloat32(i * 4, v, true));
  return out;
}

/** The hex digest of `tensors` as defined above. */
export function tensorDigest(tensors: ReadonlyMap<string, Tensor>): string {
  const names = [...tensors.keys()].map((name) => ({ name, utf8: Buffer.from(name, 'utf8') }));
  names.sort((a, b) => Buffer.compare(a.utf8, b.utf8));
  const hash = createHash('sha256');
  for (const { name, utf8 } of names) {
    const t = tensors.get(name)!;
    const head = Buffer.alloc(1 + 4 + 4 * t.shape.length);
    head.writeUInt32LE(t.shape.length, 1);
    t.shape.forEach((d, i) => head.writeUInt32LE(d, 5 + 4 * i));
    hash.update(utf8).update(head).update(littleEndianBytes(t.data));
  }
  return hash.digest('hex');
}
