import { describe, it, expect } from 'vitest';
import { planLevels, MAX_STEP } from '../../../../../companion/pipeline/harmonize/detail/plan.js';

const side = (s: { width: number; height: number }) => Math.max(s.width, s.height);

describe('planLevels', () => {
  it('never enlarges a document no larger than the working size: no levels, the paper level is the document', () => {
    expect(planLevels({ width: 600, height: 400 }, 700)).toEqual({ paper: { width: 600, height: 400 }, levels: [] });
    expect(planLevels({ width: 700, height: 557 }, 700)).toEqual({ paper: { width: 700, height: 557 }, levels: [] });
    expect(planLevels({ width: 300, height: 900 }, 1000)).toEqual({ paper: { width: 300, height: 900 }, levels: [] });
  });

  it('puts the paper level at the working size with Torch\'s size rule, as passes 1 and 2 run today', () => {
    expect(planLevels({ width: 1280, height: 1014 }, 700).paper).toEqual({ width: 700, height: 554 });
    expect(planLevels({ width: 6000, height: 8000 }, 700).paper).toEqual({ width: 525, height: 700 });
    expect(planLevels({ width: 1200, height: 1528 }, 350).paper).toEqual({ width: 274, height: 350 });
  });

  it('gives the sizes per level for several documents: equal steps of at most ×2, ending at the document', () => {
    // width, height, working size, expected longer side per level: round(size·(side/size)^(k/n))
    // with n = ⌈log2(side/size)⌉ steps.
    const cases: [number, number, number, number[]][] = [
      [1280, 1014, 700, [1280]],
      [1400, 1000, 700, [1400]],
      [1401, 1000, 700, [990, 1401]],
      [2560, 2028, 700, [1339, 2560]],
      [8000, 6000, 700, [1287, 2366, 4351, 8000]],
      [6000, 8000, 700, [1287, 2366, 4351, 8000]],
      [8000, 6000, 350, [654, 1224, 2288, 4278, 8000]],
    ];
    for (const [w, h, size, sides] of cases) {
      const plan = planLevels({ width: w, height: h }, size);
      expect(plan.levels.map(side), `${w}×${h} at ${size}`).toEqual(sides);
      expect(plan.levels.at(-1)).toEqual({ width: w, height: h });
      const all = [plan.paper, ...plan.levels];
      for (let k = 1; k < all.length; k++) {
        const step = side(all[k]) / side(all[k - 1]);
        expect(step).toBeGreaterThan(1);
        expect(step).toBeLessThanOrEqual(MAX_STEP + 0.01);
      }
      // Each level keeps the document's aspect to a pixel.
      for (const l of plan.levels) expect(Math.abs(l.width / l.height - w / h)).toBeLessThan(2 / Math.min(l.width, l.height));
    }
  });
});
