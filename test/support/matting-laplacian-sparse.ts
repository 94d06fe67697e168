// The explicit matting Laplacian as a CSR matrix, built the slow obvious way (window by window,
// as Levin's getLaplacian1 does): the test oracle for the matrix-free operator; at 700 px
// it would hold about 25N entries.
import type { Image } from '../../companion/image/image.js';
import { checkMattingInput, MATTING_DEFAULTS, type MattingLaplacianOptions } from '../../companion/pipeline/photo-style/matting-laplacian.js';

export interface CsrMatrix {
  rows: number;
  cols: number;
  rowPtr: Int32Array;
  colIdx: Int32Array;
  values: Float64Array;
}

/** Inverse of a small dense matrix by Gauss-Jordan elimination with partial pivoting. */
function invertDense(a: number[][]): number[][] {
  const n = a.length;
  const m = a.map((row, i) => [...row, ...Array.from({ length: n }, (_, j) => (i === j ? 1 : 0))]);
  for (let col = 0; col < n; col++) {
    let p = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(m[r][col]) > Math.abs(m[p][col])) p = r;
    [m[col], m[p]] = [m[p], m[col]];
    const piv = m[col][col];
    for (let j = 0; j < 2 * n; j++) m[col][j] /= piv;
    for (let r = 0; r < n; r++) {
      if (r === col) continue;
      const f = m[r][col];
      for (let j = 0; j < 2 * n; j++) m[r][j] -= f * m[col][j];
    }
  }
  return m.map((row) => row.slice(n));
}

/** M = diag(rowsum A) − A with A the summed window affinities (spec §1). */
export function buildMattingLaplacianSparse(img: Image, opts: MattingLaplacianOptions = {}): CsrMatrix {
  const eps = opts.epsilon ?? MATTING_DEFAULTS.epsilon;
  const r = opts.radius ?? MATTING_DEFAULTS.radius;
  checkMattingInput(img, r);
  const { width: W, height: H, channels: ch } = img;
  const N = W * H;
  const d = 2 * r + 1;
  const nw = d * d;
  // Every entry lies within 2r of its row's pixel: a dense (4r+1)² band per row.
  const bw = 4 * r + 1;
  const band = new Float64Array(N * bw * bw);
  const slot = (i: number, j: number): number => {
    const dy = Math.floor(j / W) - Math.floor(i / W) + 2 * r;
    const dx = (j % W) - (i % W) + 2 * r;
    return i * bw * bw + dy * bw + dx;
  };
  const colour = (p: number): number[] => [img.data[p * ch], img.data[p * ch + 1], img.data[p * ch + 2]];

  for (let cy = r; cy < H - r; cy++) {
    for (let cx = r; cx < W - r; cx++) {
      const idx: number[] = [];
      for (let y = cy - r; y <= cy + r; y++) for (let x = cx - r; x <= cx + r; x++) idx.push(y * W + x);
      const cols = idx.map(colour);
      const mean = [0, 1, 2].map((c) => cols.reduce((s, p) => s + p[c], 0) / nw);
      const cov = [0, 1, 2].map((a) =>
        [0, 1, 2].map((b) => cols.reduce((s, p) => s + (p[a] - mean[a]) * (p[b] - mean[b]), 0) / nw + (a === b ? eps / nw : 0)),
      );
      const inv = invertDense(cov);
      const e = cols.map((p) => p.map((v, c) => v - mean[c]));
      for (let a = 0; a < nw; a++) {
        for (let b = 0; b < nw; b++) {
          let q = 0;
          for (let s = 0; s < 3; s++) for (let t = 0; t < 3; t++) q += e[a][s] * inv[s][t] * e[b][t];
          // Accumulate −A_ij; the diagonal gets the row sum below.
          band[slot(idx[a], idx[b])] -= (1 + q) / nw;
        }
      }
    }
  }
  const rowPtr = new Int32Array(N + 1);
  const colIdx: number[] = [];
  const values: number[] = [];
  for (let i = 0; i < N; i++) {
    const xi = i % W, yi = Math.floor(i / W);
    let rowSum = 0;
    for (let s = 0; s < bw * bw; s++) rowSum += band[i * bw * bw + s];
    band[slot(i, i)] -= rowSum; // diag(rowsum A) − A, where the band holds −A
    for (let dy = -2 * r; dy <= 2 * r; dy++) {
      for (let dx = -2 * r; dx <= 2 * r; dx++) {
        const x = xi + dx, y = yi + dy;
        if (x < 0 || x >= W || y < 0 || y >= H) continue;
        const v = band[i * bw * bw + (dy + 2 * r) * bw + dx + 2 * r];
        if (v === 0) continue;
        colIdx.push(y * W + x);
        values.push(v);
      }
    }
    rowPtr[i + 1] = colIdx.length;
  }
  return { rows: N, cols: N, rowPtr, colIdx: Int32Array.from(colIdx), values: Float64Array.from(values) };
}

export function csrMultiply(m: CsrMatrix, v: ArrayLike<number>, out: Float64Array): void {
  for (let i = 0; i < m.rows; i++) {
    let s = 0;
    for (let p = m.rowPtr[i]; p < m.rowPtr[i + 1]; p++) s += m.values[p] * v[m.colIdx[p]];
    out[i] = s;
  }
}
