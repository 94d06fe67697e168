// Consistency refinement of the pass-2 nearest-neighbour field (spec §3.3; original
// `refineNNF`, one Jacobi-style iteration with a 5×5 window). Every masked position picks, among
// the matches its neighbours would imply for it, the one whose painting colour agrees best with
// the colours of all those implied matches.
//
// Following the original code, not the paper (spec §9.2): candidates are compared with one
// another using the painting's RGB at the reference layer's grid, not with neighbouring features.
//
// NNF representation: Int32Array over the query grid (h×w, row-major) holding the painting
// position's flat index y·ws + x on the painting grid (hs×ws). The original assumes both grids
// are the same size; here query bounds use (h, w) and painting bounds (hs, ws).

export interface RefineInputs {
  /** NN(p): painting flat index for every query position (length h·w). */
  nnf: Int32Array;
  h: number;
  w: number;
  /** Binarised tight mask T₄ on the query grid (length h·w); only positions ≥ 0.1 are refined. */
  tight: ArrayLike<number>;
  /** Painting RGB in [0,1], HWC with 3 channels, on the painting's layer grid (hs×ws). */
  guide: Float32Array;
  hs: number;
  ws: number;
  /** Half window: 2 for the original's 5×5. */
  radius?: number;
}

/**
 * One refinement pass; returns a new field NN′ and leaves `nnf` untouched (all reads are of the
 * old field, Jacobi-style).
 *
 * For a masked p, each d in the window with p+d inside the query grid proposes c_d = NN(p+d) − d.
 * A proposal is a candidate only inside the shrunk box r ≤ x < ws−r−1, r ≤ y < hs−r−1 (the
 * original's asymmetric upper bound). Its cost is the mean RGB distance between guide(c_d) and
 * guide(c_d′) over every d′ whose p+d′ is in the query grid and whose c_d′ is in the painting
 * (d′ = d included). The lowest cost wins with strict `<`, scanning dx in the outer loop and dy in
 * the inner one; with no candidate NN(p) stays.
 */
export function refineNnf(inputs: RefineInputs): Int32Array {
  const { nnf, h, w, tight, guide, hs, ws } = inputs;
  const r = inputs.radius ?? 2;
  const out = nnf.slice();
  const side = 2 * r + 1;
  // The implied matches c_d′ of the current p, and whether each is usable for the cost.
  const implied = new Int32Array(side * side);
  const impliedOk = new Uint8Array(side * side);

  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const p = y * w + x;
      if (!(tight[p] >= 0.1)) continue;

      // Gather c_d for the whole window once; slot order (dx outer, dy inner) is the scan order.
      for (let dx = -r, s = 0; dx <= r; dx++) {
        for (let dy = -r; dy <= r; dy++, s++) {
          const qx = x + dx;
          const qy = y + dy;
          impliedOk[s] = 0;
          if (qx < 0 || qx >= w || qy < 0 || qy >= h) continue;
          const m = nnf[qy * w + qx];
          const cx = (m % ws) - dx;
          const cy = Math.floor(m / ws) - dy;
          if (cx < 0 || cx >= ws || cy < 0 || cy >= hs) continue;
          impliedOk[s] = 1;
          implied[s] = cy * ws + cx;
        }
      }

      let best = Infinity;
      let bestIdx = nnf[p];
      for (let s = 0; s < side * side; s++) {
        if (!impliedOk[s]) continue;
        const c = implied[s];
        const cx = c % ws;
        const cy = (c - cx) / ws;
        if (cx < r || cx >= ws - r - 1 || cy < r || cy >= hs - r - 1) continue;
        const g0 = guide[c * 3];
        const g1 = guide[c * 3 + 1];
        const g2 = guide[c * 3 + 2];
        let sum = 0;
        let count = 0;
        for (let t = 0; t < side * side; t++) {
          if (!impliedOk[t]) continue;
          const o = implied[t] * 3;
          const e0 = g0 - guide[o];
          const e1 = g1 - guide[o + 1];
          const e2 = g2 - guide[o + 2];
          sum += Math.sqrt(e0 * e0 + e1 * e1 + e2 * e2);
          count++;
        }
        const cost = sum / count;
        if (cost < best) {
          best = cost;
          bestIdx = c;
        }
      }
      out[p] = bestIdx;
    }
  }
  return out;
}
