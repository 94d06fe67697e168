import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../../support/gradcheck.js';
import { refineNnf } from '../../../../companion/pipeline/harmonize/refine.js';

const rng = mulberry32;

function randomGuide(hs: number, ws: number, seed: number): Float32Array {
  const r = rng(seed);
  return Float32Array.from({ length: hs * ws * 3 }, () => r());
}

/** The rule of spec §3.3 written as directly as possible, one candidate at a time. */
function slowRefine(
  nnf: Int32Array,
  h: number,
  w: number,
  tight: Float32Array,
  guide: Float32Array,
  hs: number,
  ws: number,
): Int32Array {
  const r = 2;
  const out = nnf.slice();
  const inQuery = (x: number, y: number) => x >= 0 && x < w && y >= 0 && y < h;
  const inPainting = (x: number, y: number) => x >= 0 && x < ws && y >= 0 && y < hs;
  const implied = (x: number, y: number, dx: number, dy: number) => {
    const m = nnf[(y + dy) * w + (x + dx)];
    return [(m % ws) - dx, Math.floor(m / ws) - dy];
  };
  const colour = (x: number, y: number) => [0, 1, 2].map((c) => guide[(y * ws + x) * 3 + c]);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (tight[y * w + x] !== 1) continue;
      let best = Infinity;
      for (let dx = -r; dx <= r; dx++) {
        for (let dy = -r; dy <= r; dy++) {
          if (!inQuery(x + dx, y + dy)) continue;
          const [cx, cy] = implied(x, y, dx, dy);
          if (!(cx >= r && cx < ws - r - 1 && cy >= r && cy < hs - r - 1)) continue;
          const a = colour(cx, cy);
          const dists: number[] = [];
          for (let ex = -r; ex <= r; ex++) {
            for (let ey = -r; ey <= r; ey++) {
              if (!inQuery(x + ex, y + ey)) continue;
              const [ox, oy] = implied(x, y, ex, ey);
              if (!inPainting(ox, oy)) continue;
              const b = colour(ox, oy);
              dists.push(Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]));
            }
          }
          const cost = dists.reduce((s, v) => s + v, 0) / dists.length;
          if (cost < best) {
            best = cost;
            out[y * w + x] = cy * ws + cx;
          }
        }
      }
    }
  }
  return out;
}

describe('refineNnf', () => {
  it('replaces an outlier match with the position its neighbours agree on', () => {
    const n = 8;
    const nnf = Int32Array.from({ length: n * n }, (_, i) => i); // identity field
    const p = 3 * n + 3;
    nnf[p] = 7 * n + 0; // outlier: (0, 7), outside the candidate box
    const tight = new Float32Array(n * n).fill(1);
    const out = refineNnf({ nnf, h: n, w: n, tight, guide: randomGuide(n, n, 1), hs: n, ws: n });
    expect(out[p]).toBe(p);
    // Neighbours see the outlier's implied match once among 24 agreeing ones: they keep their own.
    expect(out[2 * n + 3]).toBe(2 * n + 3);
    expect(out[4 * n + 4]).toBe(4 * n + 4);
    // The input field is not modified.
    expect(nnf[p]).toBe(7 * n);
  });

  it('leaves positions outside the tight mask as they were', () => {
    const n = 8;
    const r = rng(2);
    const nnf = Int32Array.from({ length: n * n }, () => Math.floor(r() * n * n));
    const tight = new Float32Array(n * n);
    tight[3 * n + 4] = 1;
    const out = refineNnf({ nnf, h: n, w: n, tight, guide: randomGuide(n, n, 3), hs: n, ws: n });
    for (let i = 0; i < n * n; i++) if (i !== 3 * n + 4) expect(out[i]).toBe(nnf[i]);
  });

  it('keeps NN(p) when no implied match falls inside the shrunk box', () => {
    // A 5-wide painting has the box 2 ≤ x < 2: empty.
    const nnf = Int32Array.from({ length: 25 }, (_, i) => (i * 7) % 25);
    const out = refineNnf({ nnf, h: 5, w: 5, tight: new Float32Array(25).fill(1), guide: randomGuide(5, 5, 4), hs: 5, ws: 5 });
    expect(Array.from(out)).toEqual(Array.from(nnf));
  });

  describe('with two competing matches A and B on differently sized grids', () => {
    // Query 7×7, painting 10×9 (ws = 10, hs = 9). Only p = (3,3) is masked; its window's implied
    // matches are A = (4,4) or B = (5,4); the slot d = (−2,−2) implies a match off the painting.
    const h = 7;
    const w = 7;
    const hs = 9;
    const ws = 10;
    const A = 4 * ws + 4;
    const B = 4 * ws + 5;
    const guide = new Float32Array(hs * ws * 3);
    guide.set([1, 0, 0], A * 3);
    guide.set([0, 0, 1], B * 3);
    const tight = new Float32Array(h * w);
    tight[3 * w + 3] = 1;

    function field(pick: (dx: number, dy: number) => 'A' | 'B'): Int32Array {
      const nnf = new Int32Array(h * w);
      for (let dx = -2; dx <= 2; dx++) {
        for (let dy = -2; dy <= 2; dy++) {
          const q = (3 + dy) * w + (3 + dx);
          if (dx === -2 && dy === -2) {
            nnf[q] = (hs - 1) * ws + (ws - 1); // implies (11, 10): off the painting
            continue;
          }
          const c = pick(dx, dy) === 'A' ? A : B;
          nnf[q] = c + dy * ws + dx; // NN(p+d) = c + d, so c_d = c
        }
      }
      return nnf;
    }

    it('picks the match most of the window agrees with', () => {
      // 13 slots imply B, 11 imply A: cost(B) = 11·D/24 < cost(A) = 13·D/24.
      let k = 0;
      const nnf = field(() => (k++ < 13 ? 'B' : 'A'));
      const out = refineNnf({ nnf, h, w, tight, guide, hs, ws });
      expect(out[3 * w + 3]).toBe(B);
    });

    it('breaks an exact tie by the first candidate in dx-outer, dy-inner order', () => {
      // 12 A and 12 B. Scanning dx outer, the first valid slot is (dx,dy) = (−2,−1) → A; scanning
      // dy outer it would be (−1,−2) → B.
      const nnf = field((dx, dy) => {
        if (dx === -2 && dy === -1) return 'A';
        if (dx === -1 && dy === -2) return 'B';
        return (dx + 2) * 5 + (dy + 2) < 14 ? 'B' : 'A';
      });
      let a = 0;
      for (let dx = -2; dx <= 2; dx++) {
        for (let dy = -2; dy <= 2; dy++) {
          if (dx === -2 && dy === -2) continue;
          const q = (3 + dy) * w + (3 + dx);
          if (nnf[q] - dy * ws - dx === A) a++;
        }
      }
      expect(a).toBe(12);
      const out = refineNnf({ nnf, h, w, tight, guide, hs, ws });
      expect(out[3 * w + 3]).toBe(A);
    });
  });

  it('agrees with a direct transcription of the rule on random fields and grids', () => {
    for (const [h, w, hs, ws, seed] of [
      [9, 8, 9, 8, 10],
      [7, 9, 11, 10, 11],
      [10, 6, 8, 12, 12],
    ]) {
      const r = rng(seed);
      const nnf = Int32Array.from({ length: h * w }, () => Math.floor(r() * hs * ws));
      const tight = Float32Array.from({ length: h * w }, () => (r() < 0.6 ? 1 : 0));
      const guide = randomGuide(hs, ws, seed + 100);
      const fast = refineNnf({ nnf, h, w, tight, guide, hs, ws });
      expect(Array.from(fast)).toEqual(Array.from(slowRefine(nnf, h, w, tight, guide, hs, ws)));
    }
  });
});
