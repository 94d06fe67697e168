// Builds ONNX ModelProto bytes from TypeScript. Every graph of the compute core (features,
// step, matching) is assembled here with static shapes so ONNX Runtime can plan memory once.
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;
/** Marks a float attribute whose value may be integral (e.g. LRN bias 1.0). */
export class FloatAttr {
  constructor(readonly value: number) {}
}
type AttrValue = number | number[] | string | FloatAttr;

const OPSET = 17;

const enum DataType {
  FLOAT = 1,
  INT64 = 7,
  BOOL = 9,
}

export type Dims = (number | string)[];

interface TensorInit {
  name: string;
  dims: number[];
  dataType: number;
  rawData: Uint8Array;
}

export class GraphBuilder {
  private nodes: onnxProto.onnx.INodeProto[] = [];
  private inputs: onnxProto.onnx.IValueInfoProto[] = [];
  private outputs: onnxProto.onnx.IValueInfoProto[] = [];
  private initializers: TensorInit[] = [];
  private counter = 0;
  private constCache = new Map<string, string>();

  constructor(readonly name = 'painterly') {}

  /** A fresh unique value name with a readable prefix. */
  fresh(prefix: string): string {
    return `${prefix.replace(/[^A-Za-z0-9_/.]/g, '_')}__${this.counter++}`;
  }

  input(name: string, dims: Dims, type: 'float' | 'int64' = 'float'): string {
    this.inputs.push(valueInfo(name, dims, type === 'float' ? DataType.FLOAT : DataType.INT64));
    return name;
  }

  output(name: string, dims?: Dims, type: 'float' | 'int64' = 'float'): void {
    this.outputs.push(valueInfo(name, dims, type === 'float' ? DataType.FLOAT : DataType.INT64));
  }

  /** A float32 initializer (weights, fixed targets, masks). */
  tensor(prefix: string, data: Float32Array, dims: number[]): string {
    checkSize(data.length, dims, prefix);
    const name = this.fresh(prefix);
    this.initializers.push({ name, dims, dataType: DataType.FLOAT, rawData: bytesOf(data) });
    return name;
  }

  int64(prefix: string, values: ArrayLike<number> | BigInt64Array, dims: number[] = [values.length]): string {
    checkSize(values.length, dims, prefix);
    const arr = values instanceof BigInt64Array ? values : BigInt64Array.from(Array.from(values as ArrayLike<number>, (v) => BigInt(v)));
    const name = this.fresh(prefix);
    this.initializers.push({ name, dims, dataType: DataType.INT64, rawData: bytesOf(arr) });
    return name;
  }

  /** A scalar float constant, shared between uses. */
  scalar(v: number): string {
    const key = `f:${v}`;
    let name = this.constCache.get(key);
    if (!name) {
      name = this.tensor('c', Float32Array.of(v), []);
      this.constCache.set(key, name);
    }
    return name;
  }

  /** An int64 vector constant (shapes, axes, slice bounds), shared between uses. */
  ints(values: number[]): string {
    const key = `i:${values.join(',')}`;
    let name = this.constCache.get(key);
    if (!name) {
      name = this.int64('i', values);
      this.constCache.set(key, name);
    }
    return name;
  }

  /**
   * Adds a node; returns its output names (one unless `nOutputs` > 1). The node's name carries
   * the prefix (`conv3_1_bwd/Conv__57`), so a runtime error that names the node names the layer.
   */
  node(op: string, inputs: string[], attrs: Record<string, AttrValue> = {}, nOutputs = 1, prefix = op): string[] {
    const outs = Array.from({ length: nOutputs }, () => this.fresh(prefix));
    const name = this.fresh(prefix === op ? `n_${op}` : `${prefix}/${op}`);
    this.nodes.push({ opType: op, input: inputs, output: outs, name, attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)) });
    return outs;
  }

  /** Single-output node. */
  op(op: string, inputs: string[], attrs: Record<string, AttrValue> = {}, prefix = op): string {
    return this.node(op, inputs, attrs, 1, prefix)[0];
  }

  /** Renames a value to a fixed graph-output name via Identity. */
  name_(value: string, outName: string): string {
    this.nodes.push({ opType: 'Identity', input: [value], output: [outName], name: this.fresh('n_Identity') });
    return outName;
  }

  // --- small helpers for common patterns -------------------------------------------------
  add(a: string, b: string): string { return this.op('Add', [a, b]); }
  sub(a: string, b: string): string { return this.op('Sub', [a, b]); }
  mul(a: string, b: string): string { return this.op('Mul', [a, b]); }
  div(a: string, b: string): string { return this.op('Div', [a, b]); }
  scale(a: string, s: number): string { return s === 1 ? a : this.mul(a, this.scalar(s)); }
  reshape(a: string, shape: number[]): string { return this.op('Reshape', [a, this.ints(shape)]); }
  sumSquares(a: string): string { return this.op('ReduceSumSquare', [a], { keepdims: 0 }); }
  /**
   * Left to right, as ONNX Runtime's CPU Sum adds: a chain of Adds rather than one Sum node,
   * because the WebGPU provider has no Sum kernel and would run it on the CPU.
   */
  sum(values: string[]): string {
    if (values.length === 0) throw new Error('sum of no values');
    return values.slice(1).reduce((acc, v) => this.add(acc, v), values[0]);
  }
  /** x / (‖x‖₂ + eps) · w: the per-term gradient normalisation of the original pass 2. */
  l2Normalize(a: string, weight: number, eps = 1e-8): string {
    const norm = this.op('Sqrt', [this.sumSquares(a)]);
    // One pass over the big tensor: the factor w/(‖x‖ + eps) is a scalar.
    return this.mul(a, this.div(this.scalar(weight), this.add(norm, this.scalar(eps))));
  }

  toBytes(): Uint8Array {
    const model = onnx.ModelProto.create({
      irVersion: 8,
      producerName: 'painterly',
      opsetImport: [{ domain: '', version: OPSET }],
      graph: {
        name: this.name,
        node: this.nodes,
        input: this.inputs,
        output: this.outputs,
        initializer: this.initializers.map((t) => ({ name: t.name, dims: t.dims, dataType: t.dataType, rawData: t.rawData })),
      },
    });
    return onnx.ModelProto.encode(model).finish();
  }
}

function checkSize(n: number, dims: number[], what: string): void {
  const expected = dims.reduce((a, b) => a * b, 1);
  if (n !== expected) throw new Error(`tensor ${what}: ${n} values for dims [${dims}]`);
}

function bytesOf(a: Float32Array | BigInt64Array): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

function valueInfo(name: string, dims: Dims | undefined, elemType: number): onnxProto.onnx.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType,
        shape: dims ? { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } : undefined,
      },
    },
  };
}

function attribute(name: string, v: AttrValue): onnxProto.onnx.IAttributeProto {
  const A = onnx.AttributeProto.AttributeType;
  if (typeof v === 'number') {
    return Number.isInteger(v) ? { name, type: A.INT, i: v } : { name, type: A.FLOAT, f: v };
  }
  if (typeof v === 'string') return { name, type: A.STRING, s: new TextEncoder().encode(v) };
  if (Array.isArray(v)) return { name, type: A.INTS, ints: v };
  return { name, type: A.FLOAT, f: v.value };
}
