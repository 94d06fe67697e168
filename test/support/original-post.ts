// Slow literal transcriptions of the original post-processing's third-party steps
// (filt_cnn_artifact.m): colorspace.m's Lab → RGB conversion (Getreuer) with its constants and
// its gamut rule, and PatchMatch's coherence-only vote (votemex) over patches indexed by their
// upper-left corner. Test oracles, independent of companion/ code.

const WHITE = [0.950456, 1, 1.088754];
const XYZ_TO_RGB = [3.2406, -1.5372, -0.4986, -0.9689, 1.8758, 0.0415, 0.0557, -0.204, 1.057];

/** colorspace('lab->rgb'): XYZ, linear RGB, AddWhite = max(0, −min), gamma, clip to [0, 1]. */
export function colorspaceLabToRgb(L: number, a: number, b: number): [number, number, number] {
  const invf = (t: number) => (t * t * t < 0.008856 ? ((t - 4 / 29) * 108) / 841 : t * t * t);
  const fy = (L + 16) / 116;
  const xyz = [WHITE[0] * invf(fy + a / 500), WHITE[1] * invf(fy), WHITE[2] * invf(fy - b / 200)];
  const rgb = [0, 1, 2].map((r) => XYZ_TO_RGB[3 * r] * xyz[0] + XYZ_TO_RGB[3 * r + 1] * xyz[1] + XYZ_TO_RGB[3 * r + 2] * xyz[2]);
  const addWhite = Math.max(0, -Math.min(...rgb));
  const gamma = (v: number) => (v <= 0.0031306684425005883 ? 12.92 * v : 1.055 * Math.pow(v, 1 / 2.4) - 0.055);
  const out = rgb.map((v) => Math.min(Math.max(gamma(v + addWhite), 0), 1));
  return [out[0], out[1], out[2]];
}

/**
 * votemex(B, ann) with no mask and no reverse field: every A patch (upper-left corner (ax, ay),
 * all of [0, aw − p] × [0, ah − p]) adds the B patch at its match to the A pixels it covers with
 * weight 1; each pixel is the sum over its count. `match(ax, ay)` gives the B corner. Interleaved
 * HWC values; pixels no patch covers are NaN.
 */
export function voteCoherence(b: { width: number; channels: number; data: Float32Array }, aw: number, ah: number, p: number, match: (ax: number, ay: number) => [number, number]): Float64Array {
  const c = b.channels;
  const sum = new Float64Array(aw * ah * c);
  const count = new Float64Array(aw * ah);
  for (let ay = 0; ay <= ah - p; ay++) {
    for (let ax = 0; ax <= aw - p; ax++) {
      const [bx, by] = match(ax, ay);
      for (let dy = 0; dy < p; dy++) {
        for (let dx = 0; dx < p; dx++) {
          const o = (ay + dy) * aw + ax + dx;
          count[o]++;
          for (let k = 0; k < c; k++) sum[o * c + k] += b.data[((by + dy) * b.width + bx + dx) * c + k];
        }
      }
    }
  }
  return sum.map((v, i) => v / count[Math.floor(i / c)]);
}
