// The mask in effect at every layer (DPH §1.4, photo style §2.2), walked through the backbone
// description: after a conv, a k×k average with count-include-pad (÷k² even at borders, Torch's
// SpatialAveragePooling); after a downsampling max pool, Torch's area resize to the pooled grid.
// Stride-1 pools (inception branches) act like a k×k conv here. Through a concat, the masks of
// the branches are averaged weighted by their channel counts (§11). Masks are one-channel planes.
import { convOutSize, inferShapes, type BackboneSpec } from '../../compute/backbones/types.js';
import { torchScale } from '../../image/torch-scale.js';
import type { Planar } from '../../image/planar.js';

export interface LayerMaskOptions {
  /** Stop once these layers have masks. */
  upTo?: readonly string[];
}

/** Every layer's mask (and 'input' → m0) for a mask m0 on the image grid. */
export function layerMasks(spec: BackboneSpec, m0: Planar, opts: LayerMaskOptions = {}): Map<string, Planar> {
  const shapes = inferShapes(spec, m0.width, m0.height);
  const masks = new Map<string, Planar>([['input', m0]]);
  const stop = opts.upTo ? new Set(opts.upTo) : undefined;
  for (const l of spec.layers) {
    const [, oh, ow] = shapes.get(l.name)!;
    if (l.op === 'conv') {
      masks.set(l.name, maskAfterConv(masks.get(l.from)!, l.k, l.stride, l.pad));
    } else if (l.op === 'maxpool') {
      masks.set(l.name, l.stride === 1 ? maskAfterConv(masks.get(l.from)!, l.k, 1, l.pad) : maskAfterPool(masks.get(l.from)!, ow, oh));
    } else if (l.op === 'lrn') {
      masks.set(l.name, masks.get(l.from)!);
    } else {
      const out = new Float32Array(oh * ow);
      let total = 0;
      for (const f of l.from) {
        const c = shapes.get(f)![0];
        const m = masks.get(f)!.data;
        for (let i = 0; i < out.length; i++) out[i] += c * m[i];
        total += c;
      }
      for (let i = 0; i < out.length; i++) out[i] /= total;
      masks.set(l.name, { data: out, channels: 1, width: ow, height: oh });
    }
    if (stop && [...stop].every((s) => masks.has(s))) break;
  }
  return masks;
}

/**
 * The mask after a convolution layer (§1.4): a k×k average pool with the given stride and zero
 * padding that divides by k² even where the window overlaps the padding. Output grid:
 * convOutSize(width|height, k, stride, pad); VGG's 3×3 / stride 1 / pad 1 convolutions keep it.
 * The arithmetic is Torch's (`SpatialAveragePooling` on a float tensor): the window's values
 * inside the image summed row by row in float32, then that sum divided by k² in float32.
 */
export function maskAfterConv(mask: Planar, k = 3, stride = 1, pad = 1): Planar {
  const { width: w, height: h, data } = mask;
  const oh = convOutSize(h, k, stride, pad);
  const ow = convOutSize(w, k, stride, pad);
  const out = new Float32Array(Math.max(0, oh) * Math.max(0, ow));
  const area = k * k;
  const f32 = Math.fround;
  for (let oy = 0; oy < oh; oy++) {
    const y0 = oy * stride - pad;
    const ya = Math.max(0, y0);
    const yb = Math.min(h, y0 + k);
    for (let ox = 0; ox < ow; ox++) {
      const x0 = ox * stride - pad;
      const xa = Math.max(0, x0);
      const xb = Math.min(w, x0 + k);
      let acc = 0;
      for (let y = ya; y < yb; y++) for (let x = xa; x < xb; x++) acc = f32(acc + data[y * w + x]);
      out[oy * ow + ox] = acc / area;
    }
  }
  return { data: out, channels: 1, width: Math.max(0, ow), height: Math.max(0, oh) };
}

/**
 * The mask after a downsampling max pool (§1.4): Torch 'bilinear' resize to the pooled grid,
 * which for VGG's 2×2 ceil-mode pooling is (ceil(w/2), ceil(h/2)). For an odd size this is not
 * the pooling footprint but exact area averaging: 5 → 3 weighs the rows 1, ⅔ | ⅓, 1, ⅓ | ⅔, 1.
 */
export function maskAfterPool(mask: Planar, width: number, height: number): Planar {
  return { data: torchScale(mask.data, mask.width, mask.height, 1, width, height), channels: 1, width, height };
}
