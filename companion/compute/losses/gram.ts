// Masked Gram (style) loss head, its value and its feature gradient.
import { FloatAttr, type GraphBuilder } from '../onnx/graph-builder.js';
import type { GramHead } from './types.js';

/**
 * L = mean over C² of (G − T)², G = A·Aᵀ/z, A = F⊙M, z = C·ΣM.
 * dL/dF = 4·(G − T)·A/(C²·z) ⊙ M (G and T symmetric).
 */
export function emitGramHead(
  g: GraphBuilder,
  feat: string,
  mask: string,
  shape: [number, number, number],
  maskSum: number,
  head: GramHead,
): { loss: string; grad: string } {
  const [c, h, w] = shape;
  const z = c * Math.max(maskSum, 1e-8);
  const a = g.reshape(g.mul(feat, mask), [c, h * w]);
  const gram = g.op('Gemm', [a, a], { transB: 1, alpha: new FloatAttr(1 / z) });
  const diff = g.sub(gram, g.tensor('gram_target', head.target, [c, c]));
  const loss = g.scale(g.sumSquares(diff), head.weight / (c * c));
  // Scale the small C×C matrix rather than the C×N gradient.
  const u = g.op('MatMul', [g.scale(diff, 4 / (c * c * z)), a]);
  const grad = g.mul(g.reshape(u, [1, c, h, w]), mask);
  return { loss, grad };
}
