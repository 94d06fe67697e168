// What a person can see of an optimised crop: its values as the composite shows them (deprocessed,
// clamped, rounded to 8 bits) at the positions inside the tight mask. The schedule's stopping rule
// and the convergence benchmark compare these between iterations.
import type { Preprocess } from '../../compute/backbones/types.js';
import type { Planar } from '../../image/planar.js';

/** 8-bit values of the 3 channels of `x` (network space) at `inside` (flat positions of its grid), channel-major. */
export function visibleLevels(x: Planar, inside: Int32Array, p: Preprocess): Uint8Array {
  const n = x.width * x.height;
  const m = inside.length;
  const out = new Uint8Array(3 * m);
  for (let c = 0; c < 3; c++) {
    const mean = p.meanBGR[c];
    const scale = 255 / p.scale;
    for (let k = 0; k < m; k++) {
      const v = (x.data[c * n + inside[k]] + mean) * scale;
      out[c * m + k] = v <= 0 ? 0 : v >= 255 ? 255 : Math.round(v);
    }
  }
  return out;
}
