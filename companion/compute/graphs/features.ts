// The features graph: image → the requested taps, opened on a network's device.
import { GraphBuilder } from '../onnx/graph-builder.js';
import { ancestors, inferShapes, type BackboneSpec } from '../backbones/types.js';
import type { WeightMap } from '../backbones/index.js';
import { emitForward } from '../forward.js';
import { createSession } from '../backends/onnx.js';
import type { Network } from '../network.js';
import type { Planar, Size } from '../../image/planar.js';

const FEATURES_INPUT = 'image';

/** A C×h×w feature map (planar). */
export type FeatureMap = Planar;

/** Output names are `feat:<layer>`. */
function featuresOutputName(layer: string): string {
  return `feat:${layer}`;
}

function buildFeaturesGraph(backbone: BackboneSpec, weights: WeightMap, size: Size, taps: string[]): Uint8Array {
  const g = new GraphBuilder('features');
  const image = g.input(FEATURES_INPUT, [1, 3, size.height, size.width]);
  const layers = ancestors(backbone, taps);
  const shapes = inferShapes(backbone, size.width, size.height);
  const fwd = emitForward(g, layers, weights, image, { poolIndices: false });
  for (const t of new Set(taps)) {
    const name = featuresOutputName(t);
    g.name_(fwd.out.get(t)!, name);
    g.output(name, [1, ...shapes.get(t)!]);
  }
  return g.toBytes();
}

export interface FeaturesRunner {
  /** The taps of one image (3 planes in the network's space, of the size it was opened for). */
  run(x: Planar): Promise<Map<string, FeatureMap>>;
  release(): Promise<void>;
}

/** The features graph for images of `size`, on the network's device. */
export async function openFeatures(net: Network, size: Size, taps: string[]): Promise<FeaturesRunner> {
  const unique = [...new Set(taps)];
  const session = await createSession(buildFeaturesGraph(net.spec, net.weights, size, unique), net.device);
  const shapes = inferShapes(net.spec, size.width, size.height);
  return {
    async run(x) {
      if (x.channels !== 3 || x.width !== size.width || x.height !== size.height) {
        throw new Error(`features graph opened for 3×${size.width}×${size.height}, got ${x.channels}×${x.width}×${x.height}`);
      }
      const out = await session.run({ [FEATURES_INPUT]: { data: x.data, dims: [1, 3, size.height, size.width] } });
      const maps = new Map<string, FeatureMap>();
      for (const l of unique) {
        const [channels, height, width] = shapes.get(l)!;
        maps.set(l, { channels, width, height, data: out[featuresOutputName(l)].data as Float32Array });
      }
      return maps;
    },
    release: () => session.release(),
  };
}

/** The taps of one image: opens the graph, runs it once and releases it. */
export async function computeFeatures(net: Network, x: Planar, taps: string[]): Promise<Map<string, FeatureMap>> {
  const runner = await openFeatures(net, x, taps);
  try {
    return await runner.run(x);
  } finally {
    await runner.release();
  }
}
