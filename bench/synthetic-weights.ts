// Deterministic synthetic weights with a backbone's real shapes: for timing (benchmarks) and
// for tests that need a full VGG-19, which cannot be downloaded here. Loaded through the same
// WeightMap path as real weights.
import type { BackboneSpec } from '../companion/compute/backbones/types.js';
import type { WeightMap } from '../companion/compute/backbones/index.js';

export function syntheticWeights(spec: BackboneSpec, seed = 1): WeightMap {
  let state = seed >>> 0;
  const rand = (): number => {
    // xorshift32: fast and reproducible across platforms.
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 4294967296;
  };
  const channels = new Map<string, number>([['input', 3]]);
  const weights: WeightMap = new Map();
  for (const l of spec.layers) {
    if (l.op === 'conv') {
      const cin = channels.get(l.from)!;
      const fanIn = cin * l.k * l.k;
      // He-scaled uniform so activations keep their magnitude through the ReLUs.
      const bound = Math.sqrt(6 / fanIn);
      weights.set(`${l.weight}.weight`, { shape: [l.out, cin, l.k, l.k], data: Float32Array.from({ length: l.out * fanIn }, () => (rand() * 2 - 1) * bound) });
      weights.set(`${l.weight}.bias`, { shape: [l.out], data: Float32Array.from({ length: l.out }, () => (rand() * 2 - 1) * 0.01) });
      channels.set(l.name, l.out);
    } else if (l.op === 'concat') {
      channels.set(l.name, l.from.reduce((a, f) => a + channels.get(f)!, 0));
    } else {
      channels.set(l.name, channels.get(l.from)!);
    }
  }
  return weights;
}
