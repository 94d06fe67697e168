// A slow literal float64 transcription of one evaluation of the original's objective (`feval`
// of neural_gram.lua, pass 1, and neural_paint.lua, pass 2) on a VGG-shaped net: Torch's
// module list — TV first, then the network with the loss modules inserted after their layers in
// the order content, style, histogram — run forward, then backward deepest module first. Every
// loss module's updateGradInput is gradInput = M ⊙ (own + gradOutput), with `own`:
//   pass 1, content: w·2(F − F_c)/N (its value is not masked);
//   pass 1, style:   w·(dG + dGᵀ)·A, A = F⊙M, G = AAᵀ/z, z = C·ΣM, dG = 2(G − T)/(C²·z);
//   pass 2: the same raw terms, content on masked features and both masked once more
//           (u ⊙ M), the histogram's u = F − R on I; each u L2-normalised: w·u/(‖u‖ + 1e-8).
// TV: pass 1 gradInput = w·tv(x) + gradOutput; pass 2 M₀ ⊙ (w·normalise(tv(x)⊙M₀) + gradOutput).
// feval then multiplies the image gradient by M₀. The test oracle of the step graph.
import type { BackboneSpec } from '../../companion/compute/backbones/types.js';
import type { WeightMap } from '../../companion/compute/backbones/index.js';
import { backwardLayer, forwardChain, volume, type Volume } from './torch-nets.js';

export type RefModule =
  | { kind: 'content'; weight: number; target: Float32Array; count?: number }
  | { kind: 'style'; weight: number; target: Float32Array }
  | { kind: 'histogram'; weight: number; positions: Int32Array; table: Float32Array }
  | { kind: 'maskOnly' };

export interface RefTap {
  layer: string;
  mask: Float32Array;
  /** In insertion order (content, style, histogram). */
  modules: RefModule[];
}

export interface RefStep {
  pass: 1 | 2;
  width: number;
  height: number;
  taps: RefTap[];
  tvWeight: number;
  m0: Float32Array;
}

function norm2(v: Float64Array): number {
  let s = 0;
  for (const x of v) s += x * x;
  return Math.sqrt(s);
}

/** The rank-based remap's value R at I: rank k (ascending, ties by position) of channel c gets table[c·|I| + k]. */
function remapped(f: Volume, positions: Int32Array, table: Float32Array): Float64Array {
  const n = positions.length;
  const r = new Float64Array(f.c * n);
  for (let c = 0; c < f.c; c++) {
    const at = (k: number) => f.data[c * f.h * f.w + positions[k]];
    const order = Array.from({ length: n }, (_, k) => k).sort((a, b) => at(a) - at(b) || a - b);
    order.forEach((k, rank) => (r[c * n + k] = table[c * n + rank]));
  }
  return r;
}

/** A loss module's value and its raw own gradient u (before weighting or normalisation). */
function module(pass: 1 | 2, m: RefModule, f: Volume, mask: Float32Array): { loss: number; u: Float64Array } {
  const { c, h, w } = f;
  const hw = h * w;
  const u = new Float64Array(c * hw);
  if (m.kind === 'maskOnly') return { loss: 0, u };
  if (m.kind === 'content') {
    const n = m.count ?? c * hw;
    let loss = 0;
    for (let i = 0; i < c * hw; i++) {
      const mk = mask[i % hw];
      const d = pass === 1 ? f.data[i] - m.target[i] : f.data[i] * mk - m.target[i] * mk;
      loss += d * d;
      u[i] = pass === 1 ? (2 * d) / n : ((2 * d) / n) * mk;
    }
    return { loss: (m.weight * loss) / n, u };
  }
  if (m.kind === 'style') {
    let msum = 0;
    for (let p = 0; p < hw; p++) msum += mask[p];
    const z = c * msum;
    const A = Float64Array.from({ length: c * hw }, (_, i) => f.data[i] * mask[i % hw]);
    const dG = new Float64Array(c * c);
    let loss = 0;
    for (let a = 0; a < c; a++) for (let b = 0; b < c; b++) {
      let g = 0;
      for (let p = 0; p < hw; p++) g += A[a * hw + p] * A[b * hw + p];
      const d = g / z - m.target[a * c + b];
      loss += d * d;
      dG[a * c + b] = (2 * d) / (c * c) / z;
    }
    for (let a = 0; a < c; a++) for (let p = 0; p < hw; p++) {
      let s = 0;
      for (let b = 0; b < c; b++) s += (dG[a * c + b] + dG[b * c + a]) * A[b * hw + p];
      u[a * hw + p] = pass === 1 ? s : s * mask[p];
    }
    return { loss: (m.weight * loss) / (c * c), u };
  }
  const n = m.positions.length;
  const r = remapped(f, m.positions, m.table);
  let loss = 0;
  for (let ch = 0; ch < c; ch++) for (let k = 0; k < n; k++) {
    const i = ch * hw + m.positions[k];
    const d = f.data[i] - r[ch * n + k];
    loss += d * d;
    u[i] = (2 * d) / (c * hw);
  }
  return { loss: (m.weight * loss) / (c * hw), u };
}

/** tv(x): the gradient of ½Σ[(x_ij − x_i,j+1)² + (x_ij − x_i+1,j)²] over the top-left (H−1)×(W−1). */
function tvGradient(x: Volume): Float64Array {
  const g = new Float64Array(x.data.length);
  for (let c = 0; c < x.c; c++) for (let y = 0; y < x.h - 1; y++) for (let xx = 0; xx < x.w - 1; xx++) {
    const i = (c * x.h + y) * x.w + xx;
    const dx = x.data[i] - x.data[i + 1];
    const dy = x.data[i] - x.data[i + x.w];
    g[i] += dx + dy;
    g[i + 1] -= dx;
    g[i + x.w] -= dy;
  }
  return g;
}

/** One feval: the loss (content, style and histogram values) and the image gradient. */
export function torchDphStep(spec: Pick<BackboneSpec, 'layers'>, weights: WeightMap, x: Float32Array, step: RefStep): { loss: number; grad: Float64Array } {
  const { pass, width: W, height: H } = step;
  const image = volume(3, H, W, Float64Array.from(x));
  const trace = forwardChain(spec, weights, image);
  const taps = new Map(step.taps.map((t) => [t.layer, t]));
  let loss = 0;
  let grad: Volume | undefined;
  for (const l of [...spec.layers].reverse()) {
    const f = trace.out.get(l.name)!;
    if (!grad) grad = volume(f.c, f.h, f.w);
    const tap = taps.get(l.name);
    for (const m of tap ? [...tap.modules].reverse() : []) {
      const r = module(pass, m, f, tap!.mask);
      loss += r.loss;
      const weight = m.kind === 'maskOnly' ? 0 : m.weight;
      const scale = pass === 1 ? weight : weight / (norm2(r.u) + 1e-8);
      const hw = f.h * f.w;
      grad.data = grad.data.map((g, i) => tap!.mask[i % hw] * (scale * r.u[i] + g));
    }
    grad = backwardLayer(spec, weights, trace, l.name, grad);
  }
  const tv = tvGradient(image);
  const n = H * W;
  const m0 = (i: number) => step.m0[i % n];
  let out: Float64Array;
  if (pass === 1) {
    out = grad!.data.map((g, i) => step.tvWeight * tv[i] + g);
  } else {
    const masked = tv.map((v, i) => v * m0(i));
    const s = step.tvWeight / (norm2(masked) + 1e-8);
    out = grad!.data.map((g, i) => m0(i) * (s * masked[i] + g));
  }
  return { loss, grad: out.map((g, i) => g * m0(i)) };
}
