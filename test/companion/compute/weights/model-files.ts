// Writes weights in the real layouts of each download source, for the parser and download
// tests: Caffe protobuf (.caffemodel, current and V1 formats), the ONNX Model Zoo's GoogLeNet
// naming, and caffejs per-layer blobs. The protobuf encoder here is written from the public
// field numbers of caffe.proto, independently of the parser's descriptor.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import onnxProto from 'onnx-proto';
import { readSafetensors, type Tensor } from '../../../../companion/compute/weights/safetensors.js';

export const KIT = fileURLToPath(new URL('../../../../../shared/weights/', import.meta.url));
export const KIT_FILES = { squeezenet: 'squeezenet1_1.safetensors', googlenet: 'googlenet.safetensors' } as const;

/** The kit's tensors of a network, in file order. */
export async function kitTensors(model: 'squeezenet' | 'googlenet'): Promise<Map<string, Tensor>> {
  return (await readSafetensors(join(KIT, KIT_FILES[model]))).tensors;
}

// ---- protobuf wire format ---------------------------------------------------------------

class Wire {
  private parts: Uint8Array[] = [];
  private varint(n: number | bigint): void {
    let v = BigInt(n);
    const out: number[] = [];
    do {
      let b = Number(v & 0x7fn);
      v >>= 7n;
      if (v > 0n) b |= 0x80;
      out.push(b);
    } while (v > 0n);
    this.parts.push(Uint8Array.from(out));
  }
  private key(field: number, wireType: number): void {
    this.varint((field << 3) | wireType);
  }
  int(field: number, n: number): this {
    this.key(field, 0);
    this.varint(n);
    return this;
  }
  bytes(field: number, b: Uint8Array): this {
    this.key(field, 2);
    this.varint(b.length);
    this.parts.push(b);
    return this;
  }
  string(field: number, s: string): this {
    return this.bytes(field, new TextEncoder().encode(s));
  }
  message(field: number, m: Wire): this {
    return this.bytes(field, m.finish());
  }
  packedFloats(field: number, data: Float32Array): this {
    return this.bytes(field, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  }
  packedVarints(field: number, values: number[]): this {
    const inner = new Wire();
    for (const v of values) inner.varint(v);
    return this.bytes(field, inner.finish());
  }
  finish(): Uint8Array {
    return Buffer.concat(this.parts);
  }
}

export interface CaffeLayer {
  name: string;
  /** Caffe layer type string (current format); V1 files write the enum. */
  type: string;
  blobs: Array<{ shape: number[]; data: Float32Array }>;
}

/** V1LayerParameter.LayerType values (caffe.proto). */
const V1_TYPES: Record<string, number> = { Convolution: 4, InnerProduct: 14, ReLU: 18, Pooling: 17, Data: 5 };

/**
 * A NetParameter: `current` writes `layer` (100) with LayerParameter { name 1, type 2, blobs 7 }
 * and BlobProto.shape (7); `v1` writes `layers` (2) with V1LayerParameter { name 4, type 5,
 * blobs 6 } and the legacy 4-D BlobProto dims num 1, channels 2, height 3, width 4.
 */
export function encodeCaffemodel(layers: CaffeLayer[], format: 'current' | 'v1', netName = 'net'): Uint8Array {
  const net = new Wire().string(1, netName);
  for (const l of layers) {
    if (format === 'current') {
      const layer = new Wire().string(1, l.name).string(2, l.type);
      for (const b of l.blobs) layer.message(7, new Wire().message(7, new Wire().packedVarints(1, b.shape)).packedFloats(5, b.data));
      net.message(100, layer);
    } else {
      const layer = new Wire().string(4, l.name).int(5, V1_TYPES[l.type] ?? 0);
      for (const b of l.blobs) {
        const dims = [...Array(4 - b.shape.length).fill(1), ...b.shape];
        layer.message(6, new Wire().int(1, dims[0]).int(2, dims[1]).int(3, dims[2]).int(4, dims[3]).packedFloats(5, b.data));
      }
      net.message(2, layer);
    }
  }
  return net.finish();
}

/**
 * Our tensors as the layers of a trained Caffe net: conv weights OIHW and inner products
 * (out, in) are Caffe's own layouts. Adds blob-less layers (data, ReLU) and, with `aux`, an
 * auxiliary classifier the converter must ignore, as in the BVLC GoogLeNet caffemodel.
 */
export function caffeLayersFrom(tensors: Map<string, Tensor>, opts: { aux?: boolean } = {}): CaffeLayer[] {
  const layers: CaffeLayer[] = [{ name: 'data', type: 'Data', blobs: [] }];
  for (const [name, t] of tensors) {
    if (!name.endsWith('.weight')) continue;
    const layer = name.slice(0, -'.weight'.length);
    const bias = tensors.get(`${layer}.bias`)!;
    layers.push({ name: layer, type: t.shape.length === 4 ? 'Convolution' : 'InnerProduct', blobs: [t, bias] });
    layers.push({ name: `${layer}_relu`, type: 'ReLU', blobs: [] });
  }
  if (opts.aux) {
    layers.push({ name: 'loss1/conv', type: 'Convolution', blobs: [{ shape: [128, 512, 1, 1], data: new Float32Array(128 * 512).fill(0.5) }, { shape: [128], data: new Float32Array(128) }] });
  }
  return layers;
}

// ---- ONNX (ONNX Model Zoo googlenet-12 naming) -----------------------------------------

const { onnx } = onnxProto;

/**
 * A GoogLeNet ONNX model in the Model Zoo's layout: Caffe2 names (`<layer>_w_0`, `<layer>_b_0`),
 * a Conv node per conv layer, the classifier as Gemm(transB=1) with its (out, in) weight, and an
 * int64 shape initializer. With `transB: 0` the classifier weight is stored (in, out) instead.
 * Biases go to float_data, weights to raw_data (the zoo uses both encodings across versions).
 */
export function encodeOnnxGooglenet(tensors: Map<string, Tensor>, opts: { transB?: 0 | 1 } = {}): Uint8Array {
  const transB = opts.transB ?? 1;
  const initializer: onnxProto.onnx.ITensorProto[] = [];
  const node: onnxProto.onnx.INodeProto[] = [];
  let prev = 'data_0';
  for (const [name, t] of tensors) {
    if (!name.endsWith('.weight')) continue;
    const layer = name.slice(0, -'.weight'.length);
    const bias = tensors.get(`${layer}.bias`)!;
    let w = t;
    if (t.shape.length === 2 && transB === 0) {
      const [o, i] = t.shape;
      const data = new Float32Array(o * i);
      for (let r = 0; r < o; r++) for (let c = 0; c < i; c++) data[c * o + r] = t.data[r * i + c];
      w = { shape: [i, o], data };
    }
    initializer.push({ name: `${layer}_w_0`, dims: w.shape, dataType: 1, rawData: new Uint8Array(w.data.buffer.slice(w.data.byteOffset, w.data.byteOffset + w.data.byteLength)) });
    initializer.push({ name: `${layer}_b_0`, dims: bias.shape, dataType: 1, floatData: Array.from(bias.data) });
    const out = `${layer}_1`;
    if (t.shape.length === 4) node.push({ opType: 'Conv', input: [prev, `${layer}_w_0`, `${layer}_b_0`], output: [out] });
    else node.push({ opType: 'Gemm', input: ['OC2_DUMMY_0', `${layer}_w_0`, `${layer}_b_0`], output: [out], attribute: [{ name: 'transB', i: transB, type: 2 }] });
    prev = out;
  }
  initializer.push({ name: 'OC2_DUMMY_1', dims: [2], dataType: 7, int64Data: [1, 1024] });
  const model = onnx.ModelProto.create({
    irVersion: 7,
    producerName: 'test',
    opsetImport: [{ domain: '', version: 12 }],
    graph: { name: 'googlenet', node, initializer, input: [{ name: 'data_0' }], output: [{ name: prev }] },
  });
  return onnx.ModelProto.encode(model).finish();
}

// ---- caffejs blobs ----------------------------------------------------------------------

/** Permutes the axes of a row-major array: output axis k is input axis `perm[k]`. */
function permute(data: Float32Array, shape: number[], perm: number[]): Float32Array {
  const outShape = perm.map((p) => shape[p]);
  const inStrides = shape.map((_, k) => shape.slice(k + 1).reduce((a, b) => a * b, 1));
  const out = new Float32Array(data.length);
  const idx = new Array(outShape.length).fill(0);
  for (let n = 0; n < out.length; n++) {
    let src = 0;
    for (let k = 0; k < idx.length; k++) src += idx[k] * inStrides[perm[k]];
    out[n] = data[src];
    for (let k = idx.length - 1; k >= 0; k--) {
      if (++idx[k] < outShape[k]) break;
      idx[k] = 0;
    }
  }
  return out;
}

export const CAFFEJS_DIRS = { squeezenet: 'squeezenet', googlenet: 'bvlc_googlenet' } as const;

/**
 * Writes tensors as caffejs does under `<root>/<net>/weights/`: `<layer>_filter.bin` in
 * (out, kh, kw, in) order (OIHW with axes permuted to 0, 2, 3, 1), `<layer>_bias.bin` as is.
 * Returns the written files (paths relative to `root`, like caffejs's `models/`) and bytes.
 */
export async function writeCaffejs(root: string, model: 'squeezenet' | 'googlenet', tensors: Map<string, Tensor>): Promise<Map<string, Uint8Array>> {
  const files = new Map<string, Uint8Array>();
  for (const [name, t] of tensors) {
    const isWeight = name.endsWith('.weight');
    const layer = name.slice(0, name.lastIndexOf('.'));
    const data = isWeight && t.shape.length === 4 ? permute(t.data, t.shape, [0, 2, 3, 1]) : t.data;
    const rel = `${CAFFEJS_DIRS[model]}/weights/${layer}_${isWeight ? 'filter' : 'bias'}.bin`;
    const bytes = new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
    await mkdir(dirname(join(root, rel)), { recursive: true });
    await writeFile(join(root, rel), bytes);
    files.set(rel, bytes);
  }
  return files;
}

/** A copy of `tensors` with one value changed (same names and shapes: only the digest differs). */
export function withOneValueChanged(tensors: Map<string, Tensor>, name: string): Map<string, Tensor> {
  const out = new Map(tensors);
  const t = tensors.get(name)!;
  const data = Float32Array.from(t.data);
  data[0] += 1e-3;
  out.set(name, { shape: t.shape, data });
  return out;
}
