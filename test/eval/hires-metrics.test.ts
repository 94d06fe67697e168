import { describe, it, expect } from 'vitest';
import { signedDistance } from '../../companion/image/distance.js';
import type { Image } from '../../companion/image/image.js';
import { FULL_EXPECTED, colourKept, detailRatio, fullJobRatio, seamProfile, seamRatio } from '../../eval/hires-metrics.js';
import { AUTO } from '../../companion/pipeline/harmonize/schedule.js';
import { mulberry32 } from '../../shared/seeded-random.js';

const W = 160, H = 140;
/** A disc of radius 40 at the centre. */
const disc: Image = { width: W, height: H, channels: 1, data: Float32Array.from({ length: W * H }, (_, i) => (Math.hypot((i % W) - 80, Math.floor(i / W) - 70) <= 40 ? 1 : 0)) };
const dist = signedDistance(disc);

/** Grey RGB noise of amplitude `a` around `base`, independent per pixel; `inside` overrides inside the disc. */
function scene(base: number, a: number, seed: number, inside?: { base: number; a: number }): Image {
  const r = mulberry32(seed);
  const data = new Float32Array(W * H * 3);
  for (let i = 0; i < W * H; i++) {
    const p = inside && disc.data[i] > 0.5 ? inside : { base, a };
    const v = p.base + p.a * (r() - 0.5);
    data.fill(v, 3 * i, 3 * i + 3);
  }
  return { width: W, height: H, channels: 3, data };
}

describe('large-canvas measures', () => {
  it('detail ratio: 1 for the same texture inside and around the object, ½ for half its amplitude, ~0 for a flat object', () => {
    expect(detailRatio(scene(0.5, 0.2, 1), dist)).toBeCloseTo(1, 1);
    expect(detailRatio(scene(0.5, 0.2, 2, { base: 0.5, a: 0.1 }), dist)).toBeCloseTo(0.5, 1);
    expect(detailRatio(scene(0.5, 0.2, 3, { base: 0.5, a: 0 }), dist)).toBeLessThan(0.05);
  });
  it('seam ratio: about 1 without an outline, well above 1 for a dark object pasted with a hard edge onto the same texture', () => {
    expect(seamRatio(scene(0.5, 0.2, 4), dist)).toBeCloseTo(1, 1);
    expect(seamRatio(scene(0.7, 0.2, 5, { base: 0.2, a: 0.2 }), dist)).toBeGreaterThan(2);
  });
  it('colour kept: 0 for the same image, and the ΔE76 of a uniform shift inside the mask', () => {
    const a = scene(0.5, 0.2, 6);
    const small: Image = { ...a, width: W / 2, height: H / 2, data: new Float32Array((W / 2) * (H / 2) * 3).fill(0.5) };
    const big: Image = { ...a, data: new Float32Array(W * H * 3).fill(0.5) };
    expect(colourKept(big, small, disc)).toBeCloseTo(0, 6);
    // Grey 0.5 vs grey 0.6: a pure lightness difference; L* of sRGB grey v is 116·f(Y) − 16.
    const L = (v: number) => { const lin = v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; return 116 * Math.cbrt(lin) - 16; };
    const lighter = { ...big, data: new Float32Array(W * H * 3).fill(0.6) };
    expect(colourKept(lighter, small, disc)).toBeCloseTo(L(0.6) - L(0.5), 1);
  });
});

describe('seamProfile', () => {
  /** A light noisy scene with a dark disc of radius `r` (the mask's disc has radius 40). */
  const withDisc = (r: number): Image => {
    const img = scene(0.7, 0.1, 7);
    for (let i = 0; i < W * H; i++) if (Math.hypot((i % W) - 80, Math.floor(i / W) - 70) <= r) img.data.fill(0.2, 3 * i, 3 * i + 3);
    return img;
  };
  it('puts the peak where the edge is: on the boundary, 3 px inside it, 4 px outside it', () => {
    for (const [r, d] of [[40, 0], [37, 3], [44, -4]] as const) {
      const profile = seamProfile(withDisc(r), dist);
      expect(profile.map((p) => p.d)).toEqual(Array.from({ length: 25 }, (_, k) => k - 12));
      const peak = profile.reduce((a, b) => (b.ratio > a.ratio ? b : a));
      expect(Math.abs(peak.d - d)).toBeLessThanOrEqual(1);
      expect(peak.ratio).toBeGreaterThan(2);
      // Away from the edge, the noise alone: about the ring's level.
      expect(profile.find((p) => p.d === d - 8)!.ratio).toBeLessThan(1.5);
    }
  });
});

describe('fullJobRatio', () => {
  it("carries the paper-scale part to auto's expected Full iterations at each pass's rate, adding the levels unchanged", () => {
    expect(FULL_EXPECTED).toEqual([AUTO.pass1.expected, AUTO.pass2.expected]);
    const [e1, e2] = FULL_EXPECTED;
    // 10 s measured after 100 + 100 iterations at 0.05 / 0.2 s each, 3 s of levels.
    const full = 10 + (e1 - 100) * 0.05 + (e2 - 100) * 0.2;
    expect(fullJobRatio(10, 3, [0.05, 0.2], [100, 100])).toBeCloseTo((full + 3) / full, 12);
    // Passes that already ran past the expected count add nothing; no levels gives 1.
    expect(fullJobRatio(10, 2, [0.05, 0.2], [e1 + 50, e2 + 50])).toBeCloseTo(1.2, 12);
    expect(fullJobRatio(10, 0, [0.05, 0.2], [0, 0])).toBe(1);
  });
});
