// The PatchMatch band kernel: initialisation and one propagation + random-search sweep over a
// band of A's rows, plus voting a band. Runs in this thread or in patchmatch-worker; the state's
// arrays are then SharedArrayBuffer views. See patchmatch.ts for the scheme.
import { voteRows } from './vote.js';

/** Everything a band needs; the arrays are SharedArrayBuffer views when workers run. */
export interface MatchState {
  aw: number;
  ah: number;
  bw: number;
  bh: number;
  channels: number;
  patchSize: number;
  seed: number;
  a: Uint8Array;
  b: Uint8Array;
  active: Uint8Array;
  nnfX: Int32Array;
  nnfY: Int32Array;
  dist: Int32Array;
  prevX: Int32Array;
  prevY: Int32Array;
  /** Voting: B as floats, the output and an optional fallback (A's pixels). */
  voteSrc?: Float32Array;
  voteOut?: Float32Array;
  voteFallback?: Float32Array;
}

export type Phase = { type: 'init' } | { type: 'iterate'; iteration: number } | { type: 'vote' };

/** Rows [y0, y1). */
export type Band = [number, number];

/** Runs one phase on rows [y0, y1) of the state. */
export function runPhase(st: MatchState, band: Band, phase: Phase): void {
  if (phase.type === 'init') initBand(st, band);
  else if (phase.type === 'iterate') sweepBand(st, band, phase.iteration);
  else if (st.voteSrc && st.voteOut) {
    const nnf = { width: st.aw, height: st.ah, patchSize: st.patchSize, x: st.nnfX, y: st.nnfY, active: st.active };
    const c = st.voteOut.length / (st.aw * st.ah);
    voteRows(st.voteSrc, st.bw, c, nnf, st.voteOut, band[0], band[1], st.voteFallback);
  }
}

/** Per-row random stream: xorshift32 seeded by a hash of (seed, phase, row). */
class Rng {
  private s: number;
  constructor(seed: number, phase: number, row: number) {
    this.s = mix(seed ^ mix(Math.imul(phase + 1, 0x9e3779b9) ^ mix(row + 0x632be5ab))) || 1;
  }
  /** Uniform integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    let s = this.s;
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    this.s = s;
    return lo + Math.floor(((s >>> 0) / 4294967296) * (hi - lo + 1));
  }
}

function mix(v: number): number {
  v = Math.imul(v ^ (v >>> 16), 0x21f0aaad);
  v = Math.imul(v ^ (v >>> 15), 0x735a2d97);
  return (v ^ (v >>> 15)) >>> 0;
}

const NO_LIMIT = 0x7fffffff;

/** SSD between the A patch centred at (ax, ay) and the B patch at (bx, by); stops once ≥ limit. */
function ssd(st: MatchState, ax: number, ay: number, bx: number, by: number, limit: number): number {
  const { a, b, aw, bw, channels: c } = st;
  const half = (st.patchSize - 1) / 2;
  const rowLen = st.patchSize * c;
  let s = 0;
  for (let dy = -half; dy <= half; dy++) {
    const ia = ((ay + dy) * aw + ax - half) * c;
    const ib = ((by + dy) * bw + bx - half) * c;
    for (let k = 0; k < rowLen; k++) {
      const d = a[ia + k] - b[ib + k];
      s += d * d;
    }
    if (s >= limit) return s;
  }
  return s;
}

function initBand(st: MatchState, [y0, y1]: Band): void {
  const half = (st.patchSize - 1) / 2;
  const maxX = st.bw - 1 - half;
  const maxY = st.bh - 1 - half;
  for (let y = y0; y < y1; y++) {
    const rng = new Rng(st.seed, 0, y);
    for (let x = 0; x < st.aw; x++) {
      const i = y * st.aw + x;
      if (st.active[i] === 0) continue;
      const bx = rng.int(half, maxX);
      const by = rng.int(half, maxY);
      st.nnfX[i] = bx;
      st.nnfY[i] = by;
      st.dist[i] = ssd(st, x, y, bx, by, NO_LIMIT);
    }
  }
}

/** One sweep: forward (from left/up) on even iterations, backward (from right/down) on odd. */
function sweepBand(st: MatchState, [y0, y1]: Band, iteration: number): void {
  const { aw, ah, active, nnfX, nnfY, dist, prevX, prevY } = st;
  const half = (st.patchSize - 1) / 2;
  const minB = half;
  const maxX = st.bw - 1 - half;
  const maxY = st.bh - 1 - half;
  const step = iteration % 2 === 0 ? 1 : -1;
  const yStart = step > 0 ? y0 : y1 - 1;
  const xStart = step > 0 ? 0 : aw - 1;
  const maxRadius = Math.max(st.bw, st.bh);
  for (let y = yStart; y >= y0 && y < y1; y += step) {
    const rng = new Rng(st.seed, iteration + 1, y);
    const ny = y - step; // the row already visited in this sweep
    const nyOwn = ny >= y0 && ny < y1;
    for (let x = xStart; x >= 0 && x < aw; x += step) {
      const i = y * aw + x;
      if (active[i] === 0) continue;
      let bx = nnfX[i];
      let by = nnfY[i];
      let best = dist[i];
      // Propagation: the neighbour's match, shifted by one pixel back towards this one.
      const nx = x - step;
      if (nx >= 0 && nx < aw && active[i - step] !== 0) {
        const cx = nnfX[i - step] + step;
        const cy = nnfY[i - step];
        if (cx >= minB && cx <= maxX && (cx !== bx || cy !== by)) {
          const d = ssd(st, x, y, cx, cy, best);
          if (d < best) {
            best = d;
            bx = cx;
            by = cy;
          }
        }
      }
      if (ny >= 0 && ny < ah) {
        const j = ny * aw + x;
        if (active[j] !== 0) {
          const cx = nyOwn ? nnfX[j] : prevX[j];
          const cy = (nyOwn ? nnfY[j] : prevY[j]) + step;
          if (cy >= minB && cy <= maxY && (cx !== bx || cy !== by)) {
            const d = ssd(st, x, y, cx, cy, best);
            if (d < best) {
              best = d;
              bx = cx;
              by = cy;
            }
          }
        }
      }
      // Random search around the current best, radius max(w, h) halving down to 1.
      for (let r = maxRadius; r >= 1; r = Math.floor(r / 2)) {
        const cx = rng.int(Math.max(bx - r, minB), Math.min(bx + r, maxX));
        const cy = rng.int(Math.max(by - r, minB), Math.min(by + r, maxY));
        if (cx === bx && cy === by) continue;
        const d = ssd(st, x, y, cx, cy, best);
        if (d < best) {
          best = d;
          bx = cx;
          by = cy;
        }
      }
      nnfX[i] = bx;
      nnfY[i] = by;
      dist[i] = best;
    }
  }
}
