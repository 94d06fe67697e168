// Slow literal transcriptions of the Torch modules a VGG-shaped net is made of, in float64:
// nn.SpatialConvolution (stride 1), nn.ReLU and THCUNN's SpatialMaxPooling(2,2,2,2):ceil(),
// each with its forward and its backward (updateGradInput). Test oracles: explicit loops, no
// companion/ code.
import type { BackboneSpec } from '../../companion/compute/backbones/types.js';
import type { WeightMap } from '../../companion/compute/backbones/index.js';

/** C×H×W values, channel-major. */
export interface Volume {
  c: number;
  h: number;
  w: number;
  data: Float64Array;
}

export const volume = (c: number, h: number, w: number, data = new Float64Array(c * h * w)): Volume => ({ c, h, w, data });

/** SpatialConvolution forward, stride 1, zero padding `pad`. */
export function convForward(x: Volume, weight: ArrayLike<number>, bias: ArrayLike<number>, out: number, k: number, pad: number): Volume {
  const h = x.h + 2 * pad - k + 1;
  const w = x.w + 2 * pad - k + 1;
  const y = volume(out, h, w);
  for (let o = 0; o < out; o++) {
    for (let oy = 0; oy < h; oy++) {
      for (let ox = 0; ox < w; ox++) {
        let s = bias[o];
        for (let i = 0; i < x.c; i++) {
          for (let ky = 0; ky < k; ky++) {
            const iy = oy + ky - pad;
            if (iy < 0 || iy >= x.h) continue;
            for (let kx = 0; kx < k; kx++) {
              const ix = ox + kx - pad;
              if (ix < 0 || ix >= x.w) continue;
              s += weight[((o * x.c + i) * k + ky) * k + kx] * x.data[(i * x.h + iy) * x.w + ix];
            }
          }
        }
        y.data[(o * h + oy) * w + ox] = s;
      }
    }
  }
  return y;
}

/** SpatialConvolution updateGradInput, stride 1: every output gradient spread back over its window. */
export function convBackward(x: Volume, gradOut: Volume, weight: ArrayLike<number>, k: number, pad: number): Volume {
  const g = volume(x.c, x.h, x.w);
  for (let o = 0; o < gradOut.c; o++) {
    for (let oy = 0; oy < gradOut.h; oy++) {
      for (let ox = 0; ox < gradOut.w; ox++) {
        const go = gradOut.data[(o * gradOut.h + oy) * gradOut.w + ox];
        if (go === 0) continue;
        for (let i = 0; i < x.c; i++) {
          for (let ky = 0; ky < k; ky++) {
            const iy = oy + ky - pad;
            if (iy < 0 || iy >= x.h) continue;
            for (let kx = 0; kx < k; kx++) {
              const ix = ox + kx - pad;
              if (ix < 0 || ix >= x.w) continue;
              g.data[(i * x.h + iy) * x.w + ix] += weight[((o * x.c + i) * k + ky) * k + kx] * go;
            }
          }
        }
      }
    }
  }
  return g;
}

export const reluForward = (x: Volume): Volume => volume(x.c, x.h, x.w, x.data.map((v) => (v > 0 ? v : 0)));

/** nn.ReLU updateGradInput: the gradient passes where the output is > 0. */
export const reluBackward = (y: Volume, gradOut: Volume): Volume => volume(y.c, y.h, y.w, gradOut.data.map((g, i) => (y.data[i] > 0 ? g : 0)));

/**
 * THCUNN MaxPoolForward for 2×2/2 ceil mode: windows clipped to the input, scanned rows outer,
 * columns inner, from −FLT_MAX with a strict > (the first maximum wins). Returns the output and
 * the flat index (within its plane) of each window's winner.
 */
export function maxPoolForward(x: Volume): { y: Volume; argmax: Int32Array } {
  const h = Math.ceil(x.h / 2);
  const w = Math.ceil(x.w / 2);
  const y = volume(x.c, h, w);
  const argmax = new Int32Array(x.c * h * w);
  for (let c = 0; c < x.c; c++) {
    for (let oy = 0; oy < h; oy++) {
      for (let ox = 0; ox < w; ox++) {
        let best = -3.4028234663852886e38;
        let at = -1;
        for (let iy = 2 * oy; iy < Math.min(2 * oy + 2, x.h); iy++) {
          for (let ix = 2 * ox; ix < Math.min(2 * ox + 2, x.w); ix++) {
            const v = x.data[(c * x.h + iy) * x.w + ix];
            if (v > best) {
              best = v;
              at = iy * x.w + ix;
            }
          }
        }
        y.data[(c * h + oy) * w + ox] = best;
        argmax[(c * h + oy) * w + ox] = at;
      }
    }
  }
  return { y, argmax };
}

/** THCUNN MaxPoolBackward: an input element gets the gradient of each window whose stored index is it. */
export function maxPoolBackward(x: Volume, argmax: Int32Array, gradOut: Volume): Volume {
  const g = volume(x.c, x.h, x.w);
  for (let c = 0; c < gradOut.c; c++) {
    for (let o = 0; o < gradOut.h * gradOut.w; o++) g.data[c * x.h * x.w + argmax[c * gradOut.h * gradOut.w + o]] += gradOut.data[c * gradOut.h * gradOut.w + o];
  }
  return g;
}

/** What the forward pass keeps for the backward one, by layer name ('input' → the image). */
export interface Trace {
  out: Map<string, Volume>;
  argmax: Map<string, Int32Array>;
}

/** The forward pass of a VGG-shaped chain (3×3-or-any stride-1 convs + ReLU, 2×2/2 pools). */
export function forwardChain(spec: Pick<BackboneSpec, 'layers'>, weights: WeightMap, image: Volume): Trace {
  const out = new Map<string, Volume>([['input', image]]);
  const argmax = new Map<string, Int32Array>();
  let x = image;
  for (const l of spec.layers) {
    if (l.op === 'conv' && l.stride === 1 && l.relu) {
      x = reluForward(convForward(x, weights.get(`${l.weight}.weight`)!.data, weights.get(`${l.weight}.bias`)!.data, l.out, l.k, l.pad));
    } else if (l.op === 'maxpool' && l.k === 2 && l.stride === 2 && l.pad === 0) {
      const p = maxPoolForward(x);
      argmax.set(l.name, p.argmax);
      x = p.y;
    } else {
      throw new Error(`forwardChain: layer ${l.name} is not a VGG conv + ReLU or a 2×2/2 pool`);
    }
    out.set(l.name, x);
  }
  return { out, argmax };
}

/** The backward of one layer of such a chain: the gradient at its input from the one at its output. */
export function backwardLayer(spec: Pick<BackboneSpec, 'layers'>, weights: WeightMap, trace: Trace, name: string, gradOut: Volume): Volume {
  const l = spec.layers.find((x) => x.name === name)!;
  const input = trace.out.get(l.op === 'concat' ? l.from[0] : l.from)!;
  if (l.op === 'conv') {
    return convBackward(input, reluBackward(trace.out.get(l.name)!, gradOut), weights.get(`${l.weight}.weight`)!.data, l.k, l.pad);
  }
  return maxPoolBackward(input, trace.argmax.get(l.name)!, gradOut);
}
