// Tiling a level that is too big to process at once: overlapping tiles on a grid, each processed
// on its own, blended back with weights that ramp linearly across every overlap and sum to 1
// everywhere (a partition of unity), so any field the tiles all reproduce — a constant, a linear
// ramp, the untiled result — comes back exactly, and no tile edge shows.
import { PainterlyError } from '../../../../shared/errors.js';
import type { Image } from '../../../image/image.js';
import type { Region, Size } from '../../../image/planar.js';

export interface TileGrid {
  tiles: Region[];
  /** Per tile, its blend weight at each of its pixels (row-major, the tile's size). */
  weights: Float32Array[];
}

/** Spans [start, end) covering [0, len), each at most `max` long, neighbours overlapping by at least `overlap`. */
export function axisSpans(len: number, max: number, overlap: number): [number, number][] {
  if (!(max > 2 * overlap)) throw new PainterlyError('BAD_ARGUMENT', `A tile of ${max} px cannot hold two overlaps of ${overlap} px.`);
  if (len <= max) return [[0, len]];
  const n = Math.ceil((len - overlap) / (max - overlap));
  const span = Math.ceil((len + (n - 1) * overlap) / n);
  const out: [number, number][] = [];
  for (let i = 0; i < n; i++) {
    const start = Math.round((i * (len - span)) / (n - 1));
    out.push([start, start + span]);
  }
  return out;
}

/** One axis's weights of span i: 1 inside, a linear ramp across each overlap with a neighbour. */
function axisWeights(spans: [number, number][], i: number): Float32Array {
  const [s, e] = spans[i];
  const w = new Float32Array(e - s).fill(1);
  if (i > 0) {
    const ov = spans[i - 1][1] - s; // overlap with the previous span: [s, s + ov)
    for (let x = 0; x < ov; x++) w[x] = (x + 0.5) / ov;
  }
  if (i < spans.length - 1) {
    const ns = spans[i + 1][0]; // overlap with the next span: [ns, e)
    const ov = e - ns;
    for (let x = ns; x < e; x++) w[x - s] = (e - x - 0.5) / ov;
  }
  return w;
}

/** The tiles of a width × height area: at most `maxSide` a side, overlapping by at least `overlap`. */
export function planTiles(size: Size, maxSide: number, overlap: number): TileGrid {
  const xs = axisSpans(size.width, maxSide, overlap);
  const ys = axisSpans(size.height, maxSide, overlap);
  const tiles: Region[] = [];
  const weights: Float32Array[] = [];
  for (let j = 0; j < ys.length; j++) {
    const wy = axisWeights(ys, j);
    for (let i = 0; i < xs.length; i++) {
      const wx = axisWeights(xs, i);
      const tile = { x0: xs[i][0], y0: ys[j][0], width: xs[i][1] - xs[i][0], height: ys[j][1] - ys[j][0] };
      const w = new Float32Array(tile.width * tile.height);
      for (let y = 0; y < tile.height; y++) for (let x = 0; x < tile.width; x++) w[y * tile.width + x] = wx[x] * wy[y];
      tiles.push(tile);
      weights.push(w);
    }
  }
  return { tiles, weights };
}

/**
 * Runs `fn` on every tile in turn (tile-sized HWC results with `channels` channels) and blends
 * them into one image of `size`. One tile's result is held at a time besides the output.
 */
export async function runTiled(size: Size, channels: number, grid: TileGrid, fn: (tile: Region, index: number) => Promise<Image>): Promise<Image> {
  const out = new Float32Array(size.width * size.height * channels);
  for (let t = 0; t < grid.tiles.length; t++) {
    const tile = grid.tiles[t];
    const part = await fn(tile, t);
    if (part.width !== tile.width || part.height !== tile.height || part.channels !== channels) {
      throw new PainterlyError('INTERNAL', `A tile came back ${part.width}×${part.height}×${part.channels}; expected ${tile.width}×${tile.height}×${channels}.`);
    }
    const w = grid.weights[t];
    for (let y = 0; y < tile.height; y++) {
      for (let x = 0; x < tile.width; x++) {
        const wt = w[y * tile.width + x];
        const o = ((tile.y0 + y) * size.width + tile.x0 + x) * channels;
        const p = (y * tile.width + x) * channels;
        for (let c = 0; c < channels; c++) out[o + c] += wt * part.data[p + c];
      }
    }
  }
  return { width: size.width, height: size.height, channels, data: out };
}
