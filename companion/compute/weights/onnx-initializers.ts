// Reads the float32 initializers (the weights) of an ONNX model with onnx-proto's ModelProto
// decoder, and maps the ONNX Model Zoo's GoogLeNet names to ours. That model came from BVLC's
// Caffe GoogLeNet through Caffe2, whose converter names every blob `<caffe layer>_w_0` (weights)
// and `<caffe layer>_b_0` (bias): `inception_3a/1x1_w_0` is our `inception_3a/1x1.weight`.
import onnxProto from 'onnx-proto';
import { PainterlyError } from '../../../shared/errors.js';
import type { Tensor } from './safetensors.js';

const { onnx } = onnxProto;
const FLOAT = 1;

type Int64 = number | { toNumber(): number };
const toNumber = (v: Int64): number => (typeof v === 'number' ? v : v.toNumber());

function unreadable(source: string, why: string): PainterlyError {
  return new PainterlyError('WEIGHTS_UNREADABLE', `${source} ${why}.`);
}

function valuesOf(t: onnxProto.onnx.ITensorProto, count: number, source: string): Float32Array {
  if (t.rawData && t.rawData.byteLength > 0) {
    if (t.rawData.byteLength !== count * 4) throw unreadable(source, `: initializer ${t.name} holds ${t.rawData.byteLength} bytes for ${count} values`);
    // Copied so the values are aligned (raw_data is float32 little endian, as on every Node host).
    return new Float32Array(Uint8Array.prototype.slice.call(t.rawData).buffer);
  }
  const values = t.floatData ?? [];
  if (values.length !== count) throw unreadable(source, `: initializer ${t.name} holds ${values.length} values for ${count}`);
  return Float32Array.from(values);
}

/**
 * The float32 initializers of an ONNX model, by name. Weights consumed as the B input of a Gemm
 * without transB (or of a MatMul) are stored (in, out); they are transposed to (out, in), the
 * Caffe inner-product layout, so the result does not depend on how the graph was exported.
 */
export function readOnnxInitializers(bytes: Uint8Array, source: string): Map<string, Tensor> {
  let model: onnxProto.onnx.ModelProto;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (e) {
    throw unreadable(source, `is not an ONNX model: ${(e as Error).message}`);
  }
  const initializers = model.graph?.initializer ?? [];
  if (initializers.length === 0) throw unreadable(source, 'is not an ONNX model with weights (it has no initializers)');
  const transposed = new Set<string>();
  for (const node of model.graph?.node ?? []) {
    const b = node.input?.[1];
    if (!b) continue;
    const transB = node.attribute?.find((a) => a.name === 'transB');
    if ((node.opType === 'Gemm' && toNumber(transB?.i ?? 0) !== 1) || node.opType === 'MatMul') transposed.add(b);
  }
  const tensors = new Map<string, Tensor>();
  for (const t of initializers) {
    if (t.dataType !== FLOAT || !t.name) continue; // shapes for Reshape (int64) and the like
    if (t.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL) {
      throw unreadable(source, `keeps its weights in a separate file (initializer ${t.name}); use the single-file googlenet-12.onnx`);
    }
    const shape = (t.dims ?? []).map(toNumber);
    const count = shape.reduce((a, b) => a * b, 1);
    let data = valuesOf(t, count, source);
    let dims = shape;
    if (transposed.has(t.name) && shape.length === 2) {
      const [rows, cols] = shape;
      const out = new Float32Array(count);
      for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = data[r * cols + c];
      data = out;
      dims = [cols, rows];
    }
    tensors.set(t.name, { shape: dims, data });
  }
  return tensors;
}

const CAFFE2_SUFFIX = /^(.+)_([wb])_0$/;

/**
 * Renames Caffe2-style initializers (`<layer>_w_0`, `<layer>_b_0`) to `<layer>.weight` and
 * `<layer>.bias`. Names already in our form are kept; others are dropped.
 */
export function fromCaffe2Names(initializers: Map<string, Tensor>): Map<string, Tensor> {
  const out = new Map<string, Tensor>();
  for (const [name, t] of initializers) {
    const m = CAFFE2_SUFFIX.exec(name);
    if (m) out.set(`${m[1]}.${m[2] === 'w' ? 'weight' : 'bias'}`, t);
    else if (name.endsWith('.weight') || name.endsWith('.bias')) out.set(name, t);
  }
  return out;
}
