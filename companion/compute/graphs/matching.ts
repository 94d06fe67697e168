// Nearest-neighbour patch matching as convolutions (§2.1, §3.2): the query's 3×3 patches are
// the kernels, the painting's feature map is the image, and ArgMax picks the best position.
// Queries are processed in chunks, so memory grows with N·chunk, never N².
import { GraphBuilder } from '../onnx/graph-builder.js';
import { createSession } from '../backends/onnx.js';
import type { OnDevice } from '../device-names.js';
import type { FeatureMap } from './features.js';
import { throwIfCancelled } from '../../../shared/errors.js';

export interface MatchMode {
  /**
   * 'ncc' (pass 1): Σ⟨X,S⟩ / (‖X‖·‖S‖ + 1e-9) over the offsets valid for both patches.
   * 'cosine' (pass 2): Σ of per-position cosines of L2-normalised vectors over shared offsets.
   */
  mode: 'ncc' | 'cosine';
  /** §3.2: a painting position in a 1-px border strip may only match a query in the same strip. */
  borderRule: boolean;
}

export interface MatchOptions {
  /** Queries per chunk; default keeps the score block near 4 M values. */
  chunk?: number;
  signal?: AbortSignal;
  /**
   * Where the query grid sits in the full image's grid, for the border rule when the query is
   * a crop (region of interest): only the full image's borders count.
   */
  queryFrame?: { x0: number; y0: number; fullWidth: number; fullHeight: number };
}

export interface Matcher {
  /**
   * For each query position (flat index into the query grid), the flat index of the best
   * painting position. Ties go to the first maximum in raster order (ArgMax picks the first).
   */
  match(query: FeatureMap, positions: Int32Array, opts?: MatchOptions): Promise<Int32Array>;
  release(): Promise<void>;
}

/** The matching graph against one painting's features, on the device of `on` (a Network). */
export async function openMatching(on: OnDevice, painting: FeatureMap, how: MatchMode): Promise<Matcher> {
  const { channels: C, height: Hs, width: Ws } = painting;
  const s = how.mode === 'cosine' ? normalizePositions(painting) : painting;
  const session = await createSession(buildMatchingGraph(s, how), on.device);
  return {
    async match(query, positions, opts = {}) {
      if (query.channels !== C) throw new Error('query and painting features differ in channels');
      const q = how.mode === 'cosine' ? normalizePositions(query) : query;
      const chunk = Math.max(1, opts.chunk ?? Math.min(1024, Math.floor(4_000_000 / (Hs * Ws))));
      const result = new Int32Array(positions.length);
      for (let start = 0; start < positions.length; start += chunk) {
        throwIfCancelled(opts.signal);
        const idx = positions.subarray(start, Math.min(positions.length, start + chunk));
        const K = idx.length;
        const feeds: Parameters<typeof session.run>[0] = { kernels: { data: patchKernels(q, idx), dims: [K, C, 3, 3] } };
        if (how.mode === 'ncc') {
          const { valid, energy } = nccKernels(q, idx);
          feeds.valid = { data: valid, dims: [K, 1, 3, 3] };
          feeds.energy = { data: energy, dims: [K, 1, 3, 3] };
        }
        if (how.borderRule) feeds.border = { data: borderFlags(idx, q.width, opts.queryFrame ?? { x0: 0, y0: 0, fullWidth: q.width, fullHeight: q.height }), dims: [K, 4] };
        const out = await session.run(feeds);
        const best = out.best.data as BigInt64Array;
        for (let k = 0; k < K; k++) result[start + k] = Number(best[k]);
      }
      return result;
    },
    release: () => session.release(),
  };
}

/** One matching: opens the graph, matches `positions` of `query` and releases it. */
export async function matchPatches(on: OnDevice, query: FeatureMap, positions: Int32Array, painting: FeatureMap, how: MatchMode & MatchOptions): Promise<Int32Array> {
  const matcher = await openMatching(on, painting, how);
  try {
    return await matcher.match(query, positions, how);
  } finally {
    await matcher.release();
  }
}

function buildMatchingGraph(painting: FeatureMap, opts: MatchMode): Uint8Array {
  const { channels: C, height: Hs, width: Ws, data } = painting;
  const g = new GraphBuilder('matching');
  const kernels = g.input('kernels', ['K', C, 3, 3]);
  const S = g.tensor('painting', data, [1, C, Hs, Ws]);
  const conv = (x: string, w: string): string => g.op('Conv', [x, w], { kernel_shape: [3, 3], pads: [1, 1, 1, 1] });
  // Zero padding makes out-of-bounds offsets contribute nothing: exactly "shared valid offsets".
  let score = conv(S, kernels); // [1, K, Hs, Ws]
  if (opts.mode === 'ncc') {
    const valid = g.input('valid', ['K', 1, 3, 3]);
    const energy = g.input('energy', ['K', 1, 3, 3]);
    const sq = new Float32Array(Hs * Ws);
    for (let c = 0; c < C; c++) for (let i = 0; i < Hs * Ws; i++) sq[i] += data[c * Hs * Ws + i] ** 2;
    // ‖S‖² over offsets valid for the query: the painting's energy map through the query's
    // validity kernel; ‖X‖² over offsets valid for the candidate: the query's energies through
    // the painting's in-bounds indicator.
    const sNorm = g.op('Sqrt', [conv(g.tensor('painting_energy', sq, [1, 1, Hs, Ws]), valid)]);
    const xNorm = g.op('Sqrt', [conv(g.tensor('ones', new Float32Array(Hs * Ws).fill(1), [1, 1, Hs, Ws]), energy)]);
    score = g.div(score, g.add(g.mul(sNorm, xNorm), g.scalar(1e-9)));
  }
  let flat = g.op('Reshape', [score, g.ints([-1, Hs * Ws])]); // [K, Ns]
  if (opts.borderRule) {
    const border = g.input('border', ['K', 4]);
    const strips = new Float32Array(4 * Hs * Ws);
    for (let y = 0; y < Hs; y++) {
      for (let x = 0; x < Ws; x++) {
        const i = y * Ws + x;
        strips[i] = x === 0 ? 1 : 0;
        strips[Hs * Ws + i] = x === Ws - 1 ? 1 : 0;
        strips[2 * Hs * Ws + i] = y === 0 ? 1 : 0;
        strips[3 * Hs * Ws + i] = y === Hs - 1 ? 1 : 0;
      }
    }
    const forbidden = g.op('MatMul', [border, g.tensor('strips', strips, [4, Hs * Ws])]);
    flat = g.sub(flat, g.scale(forbidden, 1e9));
  }
  g.name_(g.op('ArgMax', [flat], { axis: 1, keepdims: 0, select_last_index: 0 }), 'best');
  g.output('best', ['K'], 'int64');
  return g.toBytes();
}

/** Each position's vector divided by (‖x‖₂ + 1e-8). */
export function normalizePositions(f: FeatureMap): FeatureMap {
  const n = f.height * f.width;
  const norms = new Float64Array(n);
  for (let c = 0; c < f.channels; c++) for (let i = 0; i < n; i++) norms[i] += f.data[c * n + i] ** 2;
  const out = new Float32Array(f.data.length);
  for (let i = 0; i < n; i++) norms[i] = 1 / (Math.sqrt(norms[i]) + 1e-8);
  for (let c = 0; c < f.channels; c++) for (let i = 0; i < n; i++) out[c * n + i] = f.data[c * n + i] * norms[i];
  return { ...f, data: out };
}

/** [K, C, 3, 3] kernels: the query's 3×3 patch around each position, zero outside bounds. */
function patchKernels(f: FeatureMap, idx: Int32Array): Float32Array {
  const { channels: C, height: h, width: w, data } = f;
  const out = new Float32Array(idx.length * C * 9);
  for (let k = 0; k < idx.length; k++) {
    const py = Math.floor(idx[k] / w);
    const px = idx[k] % w;
    for (let dy = -1; dy <= 1; dy++) {
      const y = py + dy;
      if (y < 0 || y >= h) continue;
      for (let dx = -1; dx <= 1; dx++) {
        const x = px + dx;
        if (x < 0 || x >= w) continue;
        for (let c = 0; c < C; c++) out[((k * C + c) * 3 + dy + 1) * 3 + dx + 1] = data[(c * h + y) * w + x];
      }
    }
  }
  return out;
}

function nccKernels(f: FeatureMap, idx: Int32Array): { valid: Float32Array; energy: Float32Array } {
  const { channels: C, height: h, width: w, data } = f;
  const valid = new Float32Array(idx.length * 9);
  const energy = new Float32Array(idx.length * 9);
  for (let k = 0; k < idx.length; k++) {
    const py = Math.floor(idx[k] / w);
    const px = idx[k] % w;
    for (let dy = -1; dy <= 1; dy++) {
      for (let dx = -1; dx <= 1; dx++) {
        const y = py + dy;
        const x = px + dx;
        if (y < 0 || y >= h || x < 0 || x >= w) continue;
        let e = 0;
        for (let c = 0; c < C; c++) e += data[(c * h + y) * w + x] ** 2;
        valid[k * 9 + (dy + 1) * 3 + dx + 1] = 1;
        energy[k * 9 + (dy + 1) * 3 + dx + 1] = e;
      }
    }
  }
  return { valid, energy };
}

/** Per query: 1 where it is NOT in the left/right/top/bottom border strip (so those painting strips are forbidden). */
function borderFlags(idx: Int32Array, w: number, frame: NonNullable<MatchOptions['queryFrame']>): Float32Array {
  const out = new Float32Array(idx.length * 4);
  const h = frame.fullHeight;
  for (let k = 0; k < idx.length; k++) {
    const y = Math.floor(idx[k] / w) + frame.y0;
    const x = (idx[k] % w) + frame.x0;
    out[k * 4] = x === 0 ? 0 : 1;
    out[k * 4 + 1] = x === frame.fullWidth - 1 ? 0 : 1;
    out[k * 4 + 2] = y === 0 ? 0 : 1;
    out[k * 4 + 3] = y === h - 1 ? 0 : 1;
  }
  return out;
}
