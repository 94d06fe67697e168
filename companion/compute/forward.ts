// Emits a backbone's forward pass into a graph. Returns the value name of every layer output
// (and, for max pools, the argmax indices that the backward pass scatters through).
import { FloatAttr, type GraphBuilder } from './onnx/graph-builder.js';
import type { LayerSpec, Shape } from './backbones/types.js';
import type { WeightMap } from './backbones/index.js';

export interface ForwardValues {
  /** layer name → value name ('input' → the image). */
  out: Map<string, string>;
  /** maxpool layer name → value name of its flat argmax indices (only when requested). */
  poolIndices: Map<string, string>;
  /** Layers whose output is a ReLU's (non-negative, ties only at 0). */
  reluInputs?: Set<string>;
}

export function emitForward(
  g: GraphBuilder,
  layers: LayerSpec[],
  weights: WeightMap,
  image: string,
  opts: { poolIndices: boolean },
): ForwardValues {
  const out = new Map<string, string>([['input', image]]);
  const poolIndices = new Map<string, string>();
  const reluInputs = new Set<string>();
  for (const l of layers) {
    if (l.op === 'conv') {
      const w = weights.get(`${l.weight}.weight`)!;
      const b = weights.get(`${l.weight}.bias`)!;
      const conv = g.op('Conv', [out.get(l.from)!, g.tensor(`${l.weight}.w`, w.data, w.shape), g.tensor(`${l.weight}.b`, b.data, b.shape)], {
        kernel_shape: [l.k, l.k],
        strides: [l.stride, l.stride],
        pads: [l.pad, l.pad, l.pad, l.pad],
      }, l.name);
      out.set(l.name, l.relu ? g.op('Relu', [conv], {}, l.name) : conv);
      if (l.relu) reluInputs.add(l.name);
    } else if (l.op === 'maxpool') {
      const attrs = { kernel_shape: [l.k, l.k], strides: [l.stride, l.stride], pads: [l.pad, l.pad, l.pad, l.pad], ceil_mode: 1 };
      // 2×2/2 pools of ReLU outputs route gradients without indices (see backward.ts).
      if (opts.poolIndices && !(l.k === 2 && l.stride === 2 && l.pad === 0 && reluInputs.has(l.from))) {
        const [y, idx] = g.node('MaxPool', [out.get(l.from)!], attrs, 2, l.name);
        out.set(l.name, y);
        poolIndices.set(l.name, idx);
      } else {
        out.set(l.name, g.op('MaxPool', [out.get(l.from)!], attrs, l.name));
      }
    } else if (l.op === 'lrn') {
      out.set(l.name, g.op('LRN', [out.get(l.from)!], { size: l.size, alpha: new FloatAttr(l.alpha), beta: new FloatAttr(l.beta), bias: new FloatAttr(l.bias) }, l.name));
    } else {
      out.set(l.name, g.op('Concat', l.from.map((f) => out.get(f)!), { axis: 1 }, l.name));
    }
  }
  return { out, poolIndices, reluInputs };
}
