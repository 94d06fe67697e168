import { describe, it, expect } from 'vitest';
import { signedDistance } from '../../../companion/image/distance.js';
import type { Image } from '../../../companion/image/image.js';
import { mulberry32 } from '../../../shared/seeded-random.js';

/** Two random overlapping discs on a 48×40 canvas. */
function blobs(seed: number): Image {
  const r = mulberry32(seed);
  const m: Image = { width: 48, height: 40, channels: 1, data: new Float32Array(48 * 40) };
  const discs = [0, 1].map(() => ({ x: 10 + 28 * r(), y: 10 + 20 * r(), r: 4 + 8 * r() }));
  for (let y = 0; y < 40; y++) for (let x = 0; x < 48; x++) if (discs.some((d) => Math.hypot(x - d.x, y - d.y) <= d.r)) m.data[y * 48 + x] = 1;
  return m;
}

describe('signedDistance', () => {
  it('is, within the chamfer\'s error, the Euclidean distance to the nearest pixel of the other side less half a pixel; > 0 inside', () => {
    for (const seed of [1, 2, 3]) {
      const m = blobs(seed);
      const d = signedDistance(m);
      const inside = (i: number) => m.data[i] > 0.5;
      for (let i = 0; i < 48 * 40; i += 3) {
        // Slow: the nearest pixel of the other side, over the whole canvas.
        let best = Infinity;
        for (let j = 0; j < 48 * 40; j++) {
          if (inside(j) !== inside(i)) best = Math.min(best, Math.hypot((i % 48) - (j % 48), Math.floor(i / 48) - Math.floor(j / 48)));
        }
        const want = (inside(i) ? 1 : -1) * (best - 0.5);
        expect(Math.sign(d[i])).toBe(inside(i) ? 1 : -1);
        expect(Math.abs(d[i] - want)).toBeLessThanOrEqual(0.09 * best + 0.01);
      }
    }
  });
});
