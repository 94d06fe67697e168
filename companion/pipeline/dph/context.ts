// What both passes share: the working-size inputs, the region being optimised, the painting's
// features, and helpers to run graphs on the job's device.
import type { Image } from '../../image/image.js';
import type { Network } from '../../compute/network.js';
import { buildFeaturesGraph, featuresOutputName } from '../../compute/graphs/features.js';
import { createSession } from '../../compute/backends/onnx.js';
import { inferShapes } from '../../compute/backbones/types.js';
import type { FeatureMap } from '../../compute/graphs/matching.js';
import type { Region } from './region.js';
import type { PreparedPass } from './pass1.js';

export interface DphContext {
  net: Network;
  width: number;
  height: number;
  painting: Image;
  naive: Image;
  /** Tight mask T and dilated mask M at working size (planes, H×W). */
  tight: Float32Array;
  dilated: Float32Array;
  region: Region;
  /** Painting features on the full working-size grid. */
  paintingFeatures: Map<string, FeatureMap>;
  signal?: AbortSignal;
  /** Called after every optimiser iteration. */
  onIteration?: (pass: 1 | 2, iteration: number, total: number, x: Float32Array) => void;
  onStage?: (stage: string) => void;
  /** Sees each pass's step graph and start point before it is optimised (TV calibration). */
  onPrepared?: (pass: 1 | 2, prepared: PreparedPass) => Promise<void>;
}

/** Runs the features graph once and returns the requested taps. */
export async function computeFeatures(net: Network, x: Float32Array, height: number, width: number, layers: string[]): Promise<Map<string, FeatureMap>> {
  const unique = [...new Set(layers)];
  const session = await createSession(buildFeaturesGraph(net.spec, net.weights, height, width, unique), net.device);
  try {
    const out = await session.run({ image: { data: x, dims: [1, 3, height, width] } });
    const shapes = inferShapes(net.spec, height, width);
    const maps = new Map<string, FeatureMap>();
    for (const l of unique) {
      const [channels, h, w] = shapes.get(l)!;
      maps.set(l, { channels, height: h, width: w, data: out[featuresOutputName(l)].data as Float32Array });
    }
    return maps;
  } finally {
    await session.release();
  }
}

/** Flat indices where `mask` passes the test. */
export function positionsWhere(mask: Float32Array, test: (v: number) => boolean): Int32Array {
  const out: number[] = [];
  for (let i = 0; i < mask.length; i++) if (test(mask[i])) out.push(i);
  return Int32Array.from(out);
}
