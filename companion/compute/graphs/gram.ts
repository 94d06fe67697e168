// Gram matrices of fixed feature maps (style targets), computed by the runtime's GEMM. The
// normaliser is a constant of the graph (GEMM's alpha), so each target is its own small graph.
import { GraphBuilder, FloatAttr } from '../onnx/graph-builder.js';
import { createSession } from '../backends/onnx.js';
import type { OnDevice } from '../device-names.js';
import type { FeatureMap } from './features.js';

/**
 * G = (F⊙w)(F⊙w)ᵀ / (C·Σw) for F (C×h×w) and per-position weights w (h·w values) on the device
 * of `on` (a Network): the masked Gram of §2.2 (w = M) and §3.4 (w = U).
 */
export async function maskedGram(on: OnDevice, features: FeatureMap, weights: Float32Array): Promise<Float32Array> {
  const { channels } = features;
  const n = weights.length;
  if (n !== features.width * features.height) throw new Error(`${n} Gram weights for a ${features.width}×${features.height} feature map`);
  let sum = 0;
  for (let i = 0; i < n; i++) sum += weights[i];
  const z = channels * Math.max(sum, 1e-8);
  const g = new GraphBuilder('gram');
  const f = g.input('f', [channels, n]);
  const w = g.input('w', [1, n]);
  const a = g.mul(f, w);
  g.name_(g.op('Gemm', [a, a], { transB: 1, alpha: new FloatAttr(1 / z) }), 'gram');
  g.output('gram', [channels, channels]);
  const s = await createSession(g.toBytes(), on.device);
  try {
    const out = await s.run({ f: { data: features.data, dims: [channels, n] }, w: { data: weights, dims: [1, n] } });
    return out.gram.data as Float32Array;
  } finally {
    await s.release();
  }
}
