// The histogram remap on the CPU, for tests of the companion's rank → value table
// (companion/compute/losses/histogram-remap.ts): a per-element remap that reads the table by rank,
// and the slow obvious version that searches each rank's bin as the original kernel does.
import type { ChannelHistogram, HistogramReference } from '../../companion/compute/losses/histogram-remap.js';

/**
 * Positions of one channel in ascending order of value, ties by position. Packs a sortable
 * 32-bit key of the float and the position into one exact double so a native numeric sort does it.
 */
export function sortedOrder(values: Float32Array): Uint32Array {
  const n = values.length;
  const order = new Uint32Array(n);
  if (n > 1 << 21) {
    for (let i = 0; i < n; i++) order[i] = i;
    return order.sort((a, b) => values[a] - values[b] || a - b);
  }
  const bits = new Uint32Array(Float32Array.of(0).buffer);
  const asFloat = new Float32Array(bits.buffer);
  const packed = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    asFloat[0] = values[i] === 0 ? 0 : values[i]; // −0 ranks with +0
    const u = bits[0];
    const key = u & 0x80000000 ? ~u >>> 0 : (u | 0x80000000) >>> 0;
    packed[i] = key * 2097152 + i;
  }
  packed.sort();
  for (let i = 0; i < n; i++) order[i] = packed[i] % 2097152;
  return order;
}

/** R for current values (C × nI, channel-major) by sorting each channel and reading `table` by rank. */
export function remapWithTable(values: Float32Array, C: number, nI: number, table: Float32Array): Float32Array {
  const out = new Float32Array(C * nI);
  for (let c = 0; c < C; c++) {
    const order = sortedOrder(values.subarray(c * nI, (c + 1) * nI));
    for (let k = 0; k < nI; k++) out[c * nI + order[k]] = table[c * nI + k];
  }
  return out;
}

/**
 * The slow obvious remap: sort each channel's values, find each rank's bin by binary search over
 * the cumulative counts exactly as the original kernel does, and write R back at the value's position.
 */
export function remapSlow(values: Float32Array, C: number, nI: number, ref: HistogramReference): Float32Array {
  const f32 = Math.fround;
  // The original kernel's bin edges and in-bin position, written out again here (not the companion's helpers).
  const lowerEdge = (h: ChannelHistogram, b: number) => (b === 0 ? -0.5 : h.cum[b - 1]);
  const upperEdge = (h: ChannelHistogram, b: number, bins: number) => (b === bins - 1 ? f32(h.cum[b] + 0.5) : h.cum[b]);
  const valueFor = (h: ChannelHistogram, bins: number, k: number, b: number) => {
    const count = h.counts[b];
    const start = f32(h.cum[b] - count);
    const ratio = f32(Math.min(Math.max(f32(k - start) / (count + 1e-8), 0), 1));
    const step = f32(f32(h.max - h.min) / bins);
    return f32(h.min + f32(f32(b + ratio) * step));
  };
  const { bins } = ref;
  const out = new Float32Array(C * nI);
  for (let c = 0; c < C; c++) {
    const h = ref.channels[c];
    const base = c * nI;
    const idx = Array.from({ length: nI }, (_, i) => i);
    idx.sort((a, b) => values[base + a] - values[base + b] || a - b);
    for (let k = 0; k < nI; k++) {
      let s = 0;
      let e = bins - 1;
      let bin = bins - 1; // not reachable with consistent counts; the last bin is the safe choice
      while (s <= e) {
        const m = (s + e) >> 1;
        if (k >= upperEdge(h, m, bins)) s = m + 1;
        else if (k < lowerEdge(h, m)) e = m - 1;
        else {
          bin = m;
          break;
        }
      }
      out[base + idx[k]] = valueFor(h, bins, k, bin);
    }
  }
  return out;
}
