// Content loss head: mean squared distance to fixed features.
import type { GraphBuilder } from '../onnx/graph-builder.js';
import type { ContentHead } from './types.js';

/**
 * Pass 1 (§2.2): value w·mean((F − Fc)²) unmasked; gradient 2(F − Fc)/(CHW), which the step
 * graph masks once (maskOwnGradient false).
 * Pass 2 (§3.5): value and gradient on masked features: 2(F⊙M − Fc⊙M)/(CHW) ⊙ M.
 */
export function emitContentHead(
  g: GraphBuilder,
  feat: string,
  mask: string,
  shape: [number, number, number],
  head: ContentHead,
): { loss: string; grad: string } {
  const [c, h, w] = shape;
  const n = head.count ?? c * h * w;
  const target = g.tensor('content_target', head.target, [1, c, h, w]);
  const diff = head.maskedValue ? g.mul(g.sub(feat, target), mask) : g.sub(feat, target);
  const loss = g.scale(g.sumSquares(diff), head.weight / n);
  const u = g.scale(diff, 2 / n);
  const grad = head.maskOwnGradient === false ? u : g.mul(u, mask);
  return { loss, grad };
}
