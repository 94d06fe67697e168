// A structure-preserving term for light backbones (issue 13): the object's Laplacian at a coarse
// scale stays the naive paste's, after Li et al. 2017 ("Laplacian-steered neural style transfer").
// With pooling p the term keeps edges and shading at ≥ p px and leaves finer texture to the
// style terms. Computed outside the graph and joined through the optimisation loop's extraTerm.
//
//   P = p×p average pooling (stride p; a partial last row or column is dropped),
//   Λ = the 4-neighbour Laplacian 4y(i,j) − y(i±1,j) − y(i,j±1) on the pooled grid's interior,
//   L(x) = Σ_c Σ_interior m·(Λ P x_c − Λ P t_c)² / N, m = P(M₀) (the pooled loose mask),
//   N = 3·(number of interior positions).
// Like every term of pass 2 its gradient is L2-normalised, weighted and masked by M₀ (§3.5);
// `normalize: false` gives the plain gradient (tests, pass 1).

export interface LaplacianTermSpec {
  width: number;
  height: number;
  /** Target planes (the naive crop in network space), 3·width·height. */
  target: Float32Array;
  /** M₀ on the crop, width·height. */
  mask: Float32Array;
  pool: number;
  weight: number;
  normalize: boolean;
}

/** The pooled grid of one plane: p×p means, floor size. */
function pool(src: Float32Array, offset: number, w: number, h: number, p: number, out: Float64Array): void {
  const w2 = Math.floor(w / p);
  const h2 = Math.floor(h / p);
  const inv = 1 / (p * p);
  out.fill(0, 0, w2 * h2);
  for (let y = 0; y < h2 * p; y++) {
    const row = offset + y * w;
    const o = Math.floor(y / p) * w2;
    for (let x = 0; x < w2 * p; x++) out[o + Math.floor(x / p)] += src[row + x] * inv;
  }
}

/** Λ at the interior positions of a w2×h2 grid, into `out` (0 on the border). */
function laplacian(y: Float64Array, w2: number, h2: number, out: Float64Array): void {
  out.fill(0, 0, w2 * h2);
  for (let i = 1; i < h2 - 1; i++) {
    for (let j = 1; j < w2 - 1; j++) {
      const k = i * w2 + j;
      out[k] = 4 * y[k] - y[k - 1] - y[k + 1] - y[k - w2] - y[k + w2];
    }
  }
}

/** Builds the term: (x, grad) → loss, adding its gradient into `grad` (both 3 planes of the crop). */
export function laplacianTerm(s: LaplacianTermSpec): (x: Float32Array, grad: Float32Array) => number {
  const { width: w, height: h, pool: p } = s;
  if (!(Number.isInteger(p) && p >= 1)) throw new RangeError(`pool must be a whole number ≥ 1, got ${p}`);
  const w2 = Math.floor(w / p);
  const h2 = Math.floor(h / p);
  const n2 = w2 * h2;
  const interior = Math.max(0, w2 - 2) * Math.max(0, h2 - 2);
  const count = 3 * interior;
  const m = new Float64Array(n2);
  pool(s.mask, 0, w, h, p, m);
  // Λ P t per channel, fixed.
  const lapT = new Float64Array(3 * n2);
  const pooled = new Float64Array(n2);
  const lap = new Float64Array(n2);
  for (let c = 0; c < 3; c++) {
    pool(s.target, c * w * h, w, h, p, pooled);
    laplacian(pooled, w2, h2, lap);
    lapT.set(lap.subarray(0, n2), c * n2);
  }
  const r = new Float64Array(n2); // m·(ΛPx − ΛPt), then Λᵀ of it
  const back = new Float64Array(n2);
  const u = new Float32Array(3 * w * h);

  return (x, grad) => {
    if (count === 0) return 0;
    let loss = 0;
    u.fill(0);
    for (let c = 0; c < 3; c++) {
      pool(x, c * w * h, w, h, p, pooled);
      laplacian(pooled, w2, h2, lap);
      r.fill(0);
      for (let i = 1; i < h2 - 1; i++) {
        for (let j = 1; j < w2 - 1; j++) {
          const k = i * w2 + j;
          const d = lap[k] - lapT[c * n2 + k];
          loss += m[k] * d * d;
          r[k] = (2 * m[k] * d) / count;
        }
      }
      // Λ is symmetric on the interior stencil: Λᵀr spreads each interior value to itself and its 4 neighbours.
      back.fill(0);
      for (let i = 1; i < h2 - 1; i++) {
        for (let j = 1; j < w2 - 1; j++) {
          const k = i * w2 + j;
          const v = r[k];
          if (v === 0) continue;
          back[k] += 4 * v;
          back[k - 1] -= v;
          back[k + 1] -= v;
          back[k - w2] -= v;
          back[k + w2] -= v;
        }
      }
      // Pᵀ: each pooled value's gradient spreads evenly over its p×p cell.
      const inv = 1 / (p * p);
      for (let y = 0; y < h2 * p; y++) {
        const row = c * w * h + y * w;
        const o = Math.floor(y / p) * w2;
        for (let xx = 0; xx < w2 * p; xx++) u[row + xx] = back[o + Math.floor(xx / p)] * inv;
      }
    }
    loss /= count;
    let scale = s.weight;
    if (s.normalize) {
      let norm = 0;
      for (let i = 0; i < u.length; i++) norm += u[i] * u[i];
      scale = s.weight / (Math.sqrt(norm) + 1e-8);
    }
    const n = w * h;
    for (let c = 0; c < 3; c++) for (let i = 0; i < n; i++) grad[c * n + i] += scale * u[c * n + i] * s.mask[i];
    return s.weight * loss;
  };
}
