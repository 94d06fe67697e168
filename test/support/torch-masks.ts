// Slow literal transcriptions of the Torch7 calls the original's mask walk makes, in float32 as
// the original runs them on CPU float tensors: nn.SpatialAveragePooling(3,3,1,1,1,1) after
// every conv, image.scale(M, ceil(w/2), ceil(h/2)) ('bilinear': torch/image's
// scaleLinear_rowcol, rows then columns) after every max pool, and image.scale(…, 'simple').
// A test oracle for the masks on VGG-shaped chains; independent of companion/ code.
import type { BackboneSpec } from '../../companion/compute/backbones/types.js';

const f = Math.fround;

/** A one-channel float32 plane, row-major. */
export interface Plane {
  width: number;
  height: number;
  data: Float32Array;
}

/** SpatialAveragePooling(3,3,1,1,1,1), count_include_pad: the clipped window summed in float, then /9. */
export function averagePool3(m: Plane): Plane {
  const { width: w, height: h, data } = m;
  const out = new Float32Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let sum = 0;
      for (let ky = Math.max(0, y - 1); ky < Math.min(h, y + 2); ky++) {
        for (let kx = Math.max(0, x - 1); kx < Math.min(w, x + 2); kx++) sum = f(sum + data[ky * w + kx]);
      }
      out[y * w + x] = f(sum / 9);
    }
  }
  return { width: w, height: h, data: out };
}

/** scaleLinear_rowcol when shrinking (the only case a mask walk needs): float scale, acc and n. */
function shrinkLine(src: (i: number) => number, srcLen: number, dstLen: number, dst: (i: number, v: number) => void): void {
  const scale = f(srcLen / dstLen);
  let si0i = 0;
  let si0f = 0;
  for (let di = 0; di < dstLen; di++) {
    let si1f = f((di + 1) * scale);
    const si1i = Math.trunc(si1f);
    si1f = f(si1f - si1i);
    let acc = f(f(1 - si0f) * src(si0i));
    let n = f(1 - si0f);
    for (let si = si0i + 1; si < si1i; si++) {
      acc = f(acc + src(si));
      n = f(n + 1);
    }
    if (si1i < srcLen) {
      acc = f(acc + f(si1f * src(si1i)));
      n = f(n + si1f);
    }
    dst(di, f(acc / n));
    si0i = si1i;
    si0f = si1f;
  }
}

/** image.scale(m, outW, outH, 'bilinear') for a shrink on both axes: rows first into a float buffer, then columns. */
export function scaleBilinearShrink(m: Plane, outW: number, outH: number): Plane {
  const { width: w, height: h } = m;
  if (outW > w || outH > h) throw new Error('scaleBilinearShrink only shrinks');
  const copyOrShrink = (srcLen: number, dstLen: number, src: (i: number) => number, dst: (i: number, v: number) => void): void => {
    if (srcLen === dstLen) for (let i = 0; i < dstLen; i++) dst(i, src(i));
    else shrinkLine(src, srcLen, dstLen, dst);
  };
  const tmp = new Float32Array(h * outW);
  for (let y = 0; y < h; y++) copyOrShrink(w, outW, (i) => m.data[y * w + i], (i, v) => (tmp[y * outW + i] = v));
  const out = new Float32Array(outH * outW);
  for (let x = 0; x < outW; x++) copyOrShrink(h, outH, (i) => tmp[i * outW + x], (i, v) => (out[i * outW + x] = v));
  return { width: outW, height: outH, data: out };
}

/** image.scale(m, outW, outH, 'simple'): source index (long)((float)i · (float)(src/dst)). */
export function scaleSimple(m: Plane, outW: number, outH: number): Plane {
  const scx = f(m.width / outW);
  const scy = f(m.height / outH);
  const out = new Float32Array(outW * outH);
  for (let j = 0; j < outH; j++) {
    for (let i = 0; i < outW; i++) {
      const ii = Math.min(m.width - 1, Math.trunc(f(i * scx)));
      const jj = Math.min(m.height - 1, Math.trunc(f(j * scy)));
      out[j * outW + i] = m.data[jj * m.width + ii];
    }
  }
  return { width: outW, height: outH, data: out };
}

/**
 * The original's walk over a VGG-shaped chain (3×3/1/1 convs, 2×2/2 ceil pools, each reading
 * the layer before): the mask after every layer, by layer name ('input' → m0).
 */
export function vggMaskChain(spec: Pick<BackboneSpec, 'layers'>, m0: Plane): Map<string, Plane> {
  const out = new Map<string, Plane>([['input', m0]]);
  let m = m0;
  for (const l of spec.layers) {
    if (l.op === 'conv' && l.k === 3 && l.stride === 1 && l.pad === 1) m = averagePool3(m);
    else if (l.op === 'maxpool' && l.k === 2 && l.stride === 2 && l.pad === 0) m = scaleBilinearShrink(m, Math.ceil(m.width / 2), Math.ceil(m.height / 2));
    else throw new Error(`vggMaskChain: layer ${l.name} is not a VGG conv or pool`);
    out.set(l.name, m);
  }
  return out;
}
