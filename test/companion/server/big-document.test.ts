// Issue 12: an 8000×6000 document is within the companion's default limits, as a 16-bit
// document sends it (RGBA planes, 16-bit masks, a dilated mask too): planes, bytes per job as
// sent, and the image memory the companion holds for it.
import { describe, it, expect } from 'vitest';
import { DEFAULT_LIMITS } from '../../../shared/limits.js';
import { checkSubmit } from '../../../shared/validate.js';
import type { PlaneDeclaration } from '../../../shared/protocol.js';
import { MemoryBudget } from '../../../companion/server/memory-budget.js';

const planes = (w: number, h: number, bits: 8 | 16): PlaneDeclaration[] => [
  { plane: 'painting', width: w, height: h, channels: 4, bitsPerChannel: bits },
  { plane: 'composite', width: w, height: h, channels: 4, bitsPerChannel: bits },
  { plane: 'mask', width: w, height: h, channels: 1, bitsPerChannel: bits },
  { plane: 'dilatedMask', width: w, height: h, channels: 1, bitsPerChannel: bits },
];

describe('an 8000×6000 document', () => {
  for (const bits of [8, 16] as const) {
    it(`passes the submission checks and fits the held-image budget (${bits}-bit)`, () => {
      const checked = checkSubmit({ type: 'submit', jobId: 1, options: { mode: 'harmonize', quality: 'full' }, planes: planes(8000, 6000, bits) }, DEFAULT_LIMITS);
      expect(checked.options).toMatchObject({ detail: 'native' });
      const budget = new MemoryBudget(DEFAULT_LIMITS.maxHeldBytes);
      // Held as float32, alpha dropped: 2 × 576 MB of RGB and 2 × 192 MB of masks.
      expect(budget.reserve(checked.planes.values())).toBe(2 * 8000 * 6000 * 12 + 2 * 8000 * 6000 * 4);
    });
  }
});
