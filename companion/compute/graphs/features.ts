// The features graph: image → the requested taps.
import { GraphBuilder } from '../onnx/graph-builder.js';
import { ancestors, inferShapes, type BackboneSpec } from '../backbones/types.js';
import type { WeightMap } from '../backbones/index.js';
import { emitForward } from '../forward.js';

export const FEATURES_INPUT = 'image';

/** Output names are `feat:<layer>`. */
export function featuresOutputName(layer: string): string {
  return `feat:${layer}`;
}

export function buildFeaturesGraph(backbone: BackboneSpec, weights: WeightMap, height: number, width: number, taps: string[]): Uint8Array {
  const g = new GraphBuilder('features');
  const image = g.input(FEATURES_INPUT, [1, 3, height, width]);
  const layers = ancestors(backbone, taps);
  const shapes = inferShapes(backbone, height, width);
  const fwd = emitForward(g, layers, weights, image, { poolIndices: false });
  for (const t of new Set(taps)) {
    const name = featuresOutputName(t);
    g.name_(fwd.out.get(t)!, name);
    g.output(name, [1, ...shapes.get(t)!]);
  }
  return g.toBytes();
}
