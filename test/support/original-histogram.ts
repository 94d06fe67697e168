// A slow literal transcription of the original's histogram matching (neural_paint.lua's
// HistLoss with cuda_utils' `histogram` and `hist_remap2` kernels) on whole feature maps with
// masks, in float32 where the kernels compute in float (the CPU cumsum accumulates in double): the reference's 256-bin histogram over
// the used set (range widened by 1 when constant), its counts scaled by nI/nJ and summed, then
// every masked value of the current features, ranked within its channel (ties by position),
// mapped through a binary search over the cumulative counts to min + (bin + ρ)·step.
// A test oracle, independent of companion/ code.

const f = Math.fround;
const BINS = 256;

/**
 * R on the whole C×n map (F where maskI is 0). `J` is C×nS with `maskJ` (nS) marking the used
 * painting positions; `maskI` (n) marks I.
 */
export function originalHistogramRemap(F: Float32Array, maskI: Uint8Array, J: Float32Array, maskJ: Uint8Array, C: number): Float32Array {
  const n = maskI.length;
  const nS = maskJ.length;
  let nI = 0, nJ = 0;
  for (const v of maskI) nI += v;
  for (const v of maskJ) nJ += v;
  const R = F.slice();
  for (let c = 0; c < C; c++) {
    let minJ = Infinity, maxJ = -Infinity;
    for (let p = 0; p < nS; p++) if (maskJ[p]) {
      minJ = Math.min(minJ, J[c * nS + p]);
      maxJ = Math.max(maxJ, J[c * nS + p]);
    }
    // histogram_kernel: counts over the used set, on a widened range when it is a point.
    const lo = minJ === maxJ ? f(minJ - 1) : minJ;
    const hi = minJ === maxJ ? f(maxJ + 1) : maxJ;
    const hist = new Float32Array(BINS);
    for (let p = 0; p < nS; p++) {
      const val = J[c * nS + p];
      if (!maskJ[p] || !(lo <= val && val <= hi)) continue;
      hist[Math.trunc(Math.min(f(f(f(val - lo) / f(hi - lo)) * BINS), BINS - 1))] += 1;
    }
    // histJ:mul(nI/nJ) on a CPU float tensor, then torch.cumsum (TH sums in double, stores floats).
    const scale = f(nI / nJ);
    const cum = new Float32Array(BINS);
    let running = 0;
    for (let b = 0; b < BINS; b++) {
      hist[b] = f(hist[b] * scale);
      running += hist[b];
      cum[b] = running;
    }
    // hist_remap2: the rank among the masked values is the cdf position.
    const positions = [...maskI.keys()].filter((p) => maskI[p]);
    positions.sort((a, b) => F[c * n + a] - F[c * n + b] || a - b);
    const step = f(f(maxJ - minJ) / BINS);
    positions.forEach((p, cdf) => {
      let s = 0, e = BINS - 1, m = (s + e) >> 1, bin = -1;
      while (s <= e) {
        const cdfE = m === BINS - 1 ? f(cum[m] + 0.5) : cum[m];
        const cdfS = m === 0 ? -0.5 : cum[m - 1];
        if (cdf >= cdfE) {
          s = m + 1;
          m = (s + e) >> 1;
        } else if (cdf < cdfS) {
          e = m - 1;
          m = (s + e) >> 1;
        } else {
          bin = m;
          break;
        }
      }
      const cdfS = f(cum[bin] - hist[bin]);
      const ratio = f(Math.min(Math.max(f(cdf - cdfS) / (hist[bin] + 1e-8), 0), 1));
      R[c * n + p] = f(minJ + f(f(bin + ratio) * step));
    });
  }
  return R;
}
