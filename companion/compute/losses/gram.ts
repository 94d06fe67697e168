// Masked Gram (style) loss head, its value and its feature gradient.
import { FloatAttr, type GraphBuilder } from '../onnx/graph-builder.js';
import type { GramHead } from './types.js';

/**
 * L = mean over C² of (G − T)², G = A·Aᵀ/z, A = F⊙M, z = C·ΣM.
 * dL/dA = 4·(G − T)·A/(C²·z) (G and T symmetric); dL/dF = dL/dA ⊙ M. With maskOwnGradient
 * false the head returns dL/dA and the step graph's one ⊙M makes it dL/dF (DPH pass 1).
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
  const dA = g.reshape(u, [1, c, h, w]);
  const grad = head.maskOwnGradient === false ? dA : g.mul(dA, mask);
  return { loss, grad };
}
