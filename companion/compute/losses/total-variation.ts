// Total-variation gradient on the (caffe-space) image, as the original implements it: only a
// gradient, over the (H−1)×(W−1) top-left region, of (w/2)·Σ[(x_ij − x_i,j+1)² + (x_ij − x_i+1,j)²].
import type { GraphBuilder } from '../onnx/graph-builder.js';

export function emitTotalVariationGrad(g: GraphBuilder, image: string, width: number, height: number): string {
  const slice = (y0: number, y1: number, x0: number, x1: number): string =>
    g.op('Slice', [image, g.ints([y0, x0]), g.ints([y1, x1]), g.ints([2, 3])]);
  const centre = slice(0, height - 1, 0, width - 1);
  const dx = g.sub(centre, slice(0, height - 1, 1, width));
  const dy = g.sub(centre, slice(1, height, 0, width - 1));
  // pads: [n0, c0, y0, x0, n1, c1, y1, x1]
  const pad = (v: string, pads: number[]): string => g.op('Pad', [v, g.ints(pads)]);
  const plus = pad(g.add(dx, dy), [0, 0, 0, 0, 0, 0, 1, 1]);
  const minusX = pad(dx, [0, 0, 0, 1, 0, 0, 1, 0]);
  const minusY = pad(dy, [0, 0, 1, 0, 0, 0, 0, 1]);
  return g.sub(g.sub(plus, minusX), minusY);
}
