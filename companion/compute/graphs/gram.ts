// Gram matrices of fixed feature maps (style targets), computed by the runtime's GEMM.
import { GraphBuilder, FloatAttr } from '../onnx/graph-builder.js';
import { createSession, type Device } from '../backends/onnx.js';

/**
 * G = (F⊙w)(F⊙w)ᵀ / (C·Σw) for F (C×N, channel-major) and per-position weights w (N): the
 * masked Gram of §2.2 (w = M) and §3.4 (w = U).
 */
export async function maskedGram(features: Float32Array, channels: number, weights: Float32Array, device: Device = 'cpu'): Promise<Float32Array> {
  const n = weights.length;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += weights[i];
  const z = channels * Math.max(sum, 1e-8);
  const g = new GraphBuilder('gram');
  const f = g.input('f', [channels, n]);
  const w = g.input('w', [1, n]);
  const a = g.mul(f, w);
  g.name_(g.op('Gemm', [a, a], { transB: 1, alpha: new FloatAttr(1 / z) }), 'gram');
  g.output('gram', [channels, channels]);
  const s = await createSession(g.toBytes(), device);
  try {
    const out = await s.run({ f: { data: features, dims: [channels, n] }, w: { data: weights, dims: [1, n] } });
    return out.gram.data as Float32Array;
  } finally {
    await s.release();
  }
}
