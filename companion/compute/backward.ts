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
 * the first in row-major order wins. The window's four elements are compared with its maximum
 * on the pooled grid, the place (0–3) of the first equal one is kept, and each
 * input element receives the output gradient where its own place in the window is that one:
 * elementwise and multi-threaded, unlike a scatter (docs/algorithm-notes.md §4).
 */
const maxpool2x2: Rule<Extract<LayerSpec, { op: 'maxpool' }>> = ({ g, fwd, shapes }, l, gradOut) => {
  const [, h, w] = shapes.get(l.from)!;
  const [, oh, ow] = shapes.get(l.name)!;
  const y = fwd.out.get(l.name)!;
  let x = fwd.out.get(l.from)!;
  const odd = 2 * oh !== h || 2 * ow !== w;
  // Ceil mode: pad to whole windows with −1, below every ReLU output, so padding never wins.
  if (odd) x = g.op('Pad', [x, g.ints([0, 0, 0, 0, 0, 0, 2 * oh - h, 2 * ow - w]), g.scalar(-1)]);
  // Element (i, j) of every window, on the pooled grid: a strided slice (SpaceToDepth would do
  // it in one node, but the WebGPU provider has no kernel for it).
  const isMax = [[0, 0], [0, 1], [1, 0], [1, 1]].map(([i, j]) =>
    g.op('Equal', [g.op('Slice', [x, g.ints([i, j]), g.ints([2 * oh, 2 * ow]), g.ints([2, 3]), g.ints([2, 2])]), y]));
  const where = (cond: string, a: number, b: string): string => g.op('Where', [cond, g.scalar(a), b]);
  const first = where(isMax[0], 0, where(isMax[1], 1, where(isMax[2], 2, g.scalar(3))));
  const up = (v: string): string => {
    const r = g.op('Resize', [v, '', g.tensor('scales2', Float32Array.of(1, 1, 2, 2), [4])], { mode: 'nearest', nearest_mode: 'floor', coordinate_transformation_mode: 'asymmetric' });
    return odd ? g.op('Slice', [r, g.ints([0, 0]), g.ints([h, w]), g.ints([2, 3])]) : r;
  };
  const place = new Float32Array(h * w).map((_, i) => ((i % w) % 2) + 2 * (Math.floor(i / w) % 2));
  const winner = g.op('Cast', [g.op('Equal', [up(first), g.tensor(`${l.name}_place`, place, [1, 1, h, w])])], { to: 1 });
  return [[l.from, g.mul(up(gradOut), winner)]];
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

