// The optimisation variable restricted to where it can move. The image gradient is multiplied
// by the dilated mask M₀, so pixels with M₀ = 0 never change: L-BFGS runs on the packed values
// inside M₀ only (same iterates, far less work and history memory than the whole crop).
export interface MaskedVector {
  /** Flat indices into the planar C×H×W array. */
  indices: Int32Array;
  pack(full: Float32Array): Float32Array;
  /** Writes packed values into `full` (in place) and returns it. */
  unpack(packed: Float32Array, full: Float32Array): Float32Array;
}

export function maskedVector(mask: Float32Array, channels: number): MaskedVector {
  const n = mask.length;
  const list: number[] = [];
  for (let c = 0; c < channels; c++) for (let i = 0; i < n; i++) if (mask[i] > 0) list.push(c * n + i);
  const indices = Int32Array.from(list);
  return {
    indices,
    pack(full) {
      const out = new Float32Array(indices.length);
      for (let k = 0; k < indices.length; k++) out[k] = full[indices[k]];
      return out;
    },
    unpack(packed, full) {
      for (let k = 0; k < indices.length; k++) full[indices[k]] = packed[k];
      return full;
    },
  };
}
