// Hand-written backward ops: one rule per layer kind, each mapping the gradient at a layer's
// output to gradients at its inputs (a vector–Jacobian product; no weight gradients are
// needed, only the image's). Each rule is checked against finite differences in
// test/companion/compute/backward.test.ts.
import type { GraphBuilder } from './onnx/graph-builder.js';
import type { LayerSpec, Shape } from './backbones/types.js';
import type { WeightMap } from './backbones/index.js';
import type { ForwardValues } from './forward.js';

export interface BackwardContext {
  g: GraphBuilder;
  fwd: ForwardValues;
  shapes: Map<string, Shape>;
  weights: WeightMap;
}

/** Width of the ReLU backward ramp (see the conv rule). */
const RELU_EPS = 1e-6;

type Rule<L extends LayerSpec> = (ctx: BackwardContext, layer: L, gradOut: string) => Array<[input: string, grad: string]>;

const conv: Rule<Extract<LayerSpec, { op: 'conv' }>> = ({ g, fwd, shapes, weights }, l, gradOut) => {
  // ReLU: pass the gradient where the output is positive (subgradient 0 at y = 0, like Torch).
  // The mask is Clip(y, 0, ε)/ε with the 1/ε folded into the backward kernel: Clip is a fast
  // vectorised kernel where Sign/Ceil are scalar loops (~100 ms per step at 512 px). It differs
  // from the 0/1 mask only for 0 < y < ε = 1e-6, far below any feature that matters.
  const gPre = l.relu ? g.mul(gradOut, g.op('Clip', [fwd.out.get(l.name)!, g.scalar(0), g.scalar(RELU_EPS)])) : gradOut;
  const unit = l.relu ? 1 / RELU_EPS : 1;
  const w0 = weights.get(`${l.weight}.weight`)!;
  const w = unit === 1 ? w0 : { shape: w0.shape, data: w0.data.map((v) => v * unit) };
  const [, h, wd] = shapes.get(l.from)!;
  const [, oh, ow] = shapes.get(l.name)!;
  if (l.stride === 1) {
    // A stride-1 conv's input gradient is a plain conv with the kernel flipped and its in/out
    // channels swapped: the same fast kernel as the forward pass (ConvTranspose is slower on CPU).
    return [[l.from, g.op('Conv', [gPre, g.tensor(`${l.weight}.wT`, flipTranspose(w.data, w.shape), [w.shape[1], w.shape[0], l.k, l.k])], {
      kernel_shape: [l.k, l.k],
      pads: Array(4).fill(l.k - 1 - l.pad),
    }, `${l.name}_bwd`)]];
  }
  // Strided: ConvTranspose; output_padding restores the rows Caffe's floor rounding dropped.
  const opH = h - ((oh - 1) * l.stride - 2 * l.pad + l.k);
  const opW = wd - ((ow - 1) * l.stride - 2 * l.pad + l.k);
  return [[l.from, g.op('ConvTranspose', [gPre, g.tensor(`${l.weight}.w`, w.data, w.shape)], {
    kernel_shape: [l.k, l.k],
    strides: [l.stride, l.stride],
    pads: [l.pad, l.pad, l.pad, l.pad],
    output_padding: [opH, opW],
  }, `${l.name}_bwd`)]];
};

const maxpool: Rule<Extract<LayerSpec, { op: 'maxpool' }>> = (ctx, l, gradOut) => {
  if (l.k === 2 && l.stride === 2 && l.pad === 0 && ctx.fwd.reluInputs?.has(l.from)) return maxpool2x2(ctx, l, gradOut);
  return maxpoolScatter(ctx, l, gradOut);
};

/**
 * 2×2/2 pooling of a ReLU output (VGG): windows do not overlap, so each window's gradient goes
 * to one of its four elements. Torch's kernel scans a window row by row and keeps the first
 * maximum (a strict >), so among tied maxima (flat image areas give bit-identical activations)
 * the first in row-major order wins. Where that is follows from three more max-pools, all on the
 * pooled grid: is the window's max at (0,0), in row 0, in column 0? That gives each place a 0/1
 * mask, the output gradient times each mask is that place's gradient, and the four are
 * interleaved to the input's size. Elementwise and multi-threaded, unlike a scatter; only the
 * interleave works at full size (docs/algorithm-notes.md §4).
 */
const maxpool2x2: Rule<Extract<LayerSpec, { op: 'maxpool' }>> = ({ g, fwd, shapes }, l, gradOut) => {
  const [c, h, w] = shapes.get(l.from)!;
  const [, oh, ow] = shapes.get(l.name)!;
  const x = fwd.out.get(l.from)!;
  const y = fwd.out.get(l.name)!;
  const op = (type: string, inputs: string[], attrs: Record<string, number | number[]> = {}): string => g.op(type, inputs, attrs, `${l.name}_bwd`);
  // Max of a window's top-left kh × kw corner. Floor mode: on an odd size the far edge is padded
  // for a 2-long side (a max skips padding), so the last windows are the forward's ceil-mode ones.
  const corner = (kh: number, kw: number): string =>
    op('MaxPool', [x], { kernel_shape: [kh, kw], strides: [2, 2], pads: [0, 0, kh === 2 ? h % 2 : 0, kw === 2 ? w % 2 : 0] });
  // 1 where the corner holds the window's maximum y (maxima are exact, so Equal is), else 0.
  const holds = (v: string): string => op('Cast', [op('Equal', [v, y])], { to: 1 });
  const at00 = holds(corner(1, 1));
  const inRow0 = holds(corner(1, 2));
  const inCol0 = holds(corner(2, 1));
  // The first maximum's place, as four exclusive masks. They are products and differences of
  // 0/1 values, so exactly 0 or 1, and each place's gradient is gradOut × its mask, bit for bit
  // what comparing the place with the winner and multiplying gave (a −0 included).
  const notRow0 = op('Sub', [g.scalar(1), inRow0]);
  const at10 = op('Mul', [inCol0, notRow0]);
  const [g00, g01, g10, g11] = [at00, op('Sub', [inRow0, at00]), at10, op('Sub', [notRow0, at10])].map((m) => op('Mul', [gradOut, m]));
  // Interleave with Concat and Reshape: columns, then rows (DepthToSpace would take one node but
  // is slower on the CPU).
  const row = (left: string, right: string): string =>
    g.reshape(op('Concat', [g.reshape(left, [1, c, oh, ow, 1]), g.reshape(right, [1, c, oh, ow, 1])], { axis: 4 }), [1, c, oh, 1, 2 * ow]);
  const full = g.reshape(op('Concat', [row(g00, g01), row(g10, g11)], { axis: 3 }), [1, c, 2 * oh, 2 * ow]);
  // Ceil mode: drop the last row/column of an odd size (the pool's windows overhang it).
  return [[l.from, 2 * oh === h && 2 * ow === w ? full : op('Slice', [full, g.ints([0, 0]), g.ints([h, w]), g.ints([2, 3])])]];
};

const maxpoolScatter: Rule<Extract<LayerSpec, { op: 'maxpool' }>> = ({ g, fwd, shapes }, l, gradOut) => {
  // Route each output gradient to the input element that won the max (indices are flat over
  // N·C·H·W). 'add' accumulates where overlapping windows (3×3/2, 3×3/1) share a winner.
  const [c, h, w] = shapes.get(l.from)!;
  const n = c * h * w;
  const zeros = g.op('ConstantOfShape', [g.ints([n])]);
  const idx = g.reshape(fwd.poolIndices.get(l.name)!, [-1]);
  const scattered = g.op('ScatterElements', [zeros, idx, g.reshape(gradOut, [-1])], { axis: 0, reduction: 'add' });
  return [[l.from, g.reshape(scattered, [1, c, h, w])]];
};

const lrn: Rule<Extract<LayerSpec, { op: 'lrn' }>> = ({ g, fwd, shapes }, l, gradOut) => {
  // y = x·s^(−β), s = bias + α/n·Σ_window x². With a symmetric window,
  // dx = g·s^(−β) − (2αβ/n)·x·Σ_window(g·x·s^(−β−1)).
  const [c, h, w] = shapes.get(l.from)!;
  const x = fwd.out.get(l.from)!;
  const windowSum = (v: string): string => {
    const r = g.reshape(v, [1, 1, c, h * w]);
    const half = (l.size - 1) / 2;
    const avg = g.op('AveragePool', [r], { kernel_shape: [l.size, 1], pads: [half, 0, half, 0], count_include_pad: 1 });
    return g.reshape(g.scale(avg, l.size), [1, c, h, w]);
  };
  const s = g.add(g.scale(windowSum(g.mul(x, x)), l.alpha / l.size), g.scalar(l.bias));
  const sNegBeta = g.op('Pow', [s, g.scalar(-l.beta)]);
  const direct = g.mul(gradOut, sNegBeta);
  const inner = g.div(g.mul(g.mul(gradOut, x), sNegBeta), s);
  const cross = g.scale(g.mul(x, windowSum(inner)), (2 * l.alpha * l.beta) / l.size);
  return [[l.from, g.sub(direct, cross)]];
};

const concat: Rule<Extract<LayerSpec, { op: 'concat' }>> = ({ g, shapes }, l, gradOut) => {
  const sizes = l.from.map((f) => shapes.get(f)![0]);
  const parts = g.node('Split', [gradOut, g.ints(sizes)], { axis: 1 }, sizes.length, `${l.name}_bwd`);
  return l.from.map((f, i) => [f, parts[i]] as [string, string]);
};

export function emitBackwardLayer(ctx: BackwardContext, layer: LayerSpec, gradOut: string): Array<[string, string]> {
  switch (layer.op) {
    case 'conv': return conv(ctx, layer, gradOut);
    case 'maxpool': return maxpool(ctx, layer, gradOut);
    case 'lrn': return lrn(ctx, layer, gradOut);
    case 'concat': return concat(ctx, layer, gradOut);
  }
}

/** OIHW → IOHW with both spatial axes reversed. */
export function flipTranspose(w: Float32Array, shape: number[]): Float32Array {
  const [o, i, kh, kw] = shape;
  const out = new Float32Array(w.length);
  for (let a = 0; a < o; a++)
    for (let b = 0; b < i; b++)
      for (let y = 0; y < kh; y++)
        for (let x = 0; x < kw; x++)
          out[((b * o + a) * kh + (kh - 1 - y)) * kw + (kw - 1 - x)] = w[((a * i + b) * kh + y) * kw + x];
  return out;
}

