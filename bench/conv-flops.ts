// Convolution work of a layer list, for the benchmarks' compute bounds.
import type { LayerSpec, Shape } from '../companion/compute/backbones/types.js';

/** Conv FLOPs (multiply + add) of a layer list for given shapes: the forward pass. */
export function convFlops(layers: LayerSpec[], shapes: Map<string, Shape>): number {
  let flops = 0;
  for (const l of layers) {
    if (l.op !== 'conv') continue;
    const [cin] = shapes.get(l.from)!;
    const [cout, h, w] = shapes.get(l.name)!;
    flops += 2 * cin * cout * l.k * l.k * h * w;
  }
  return flops;
}
