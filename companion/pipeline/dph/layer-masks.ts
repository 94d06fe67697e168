// The mask in effect at every layer (§1.4), walked through the backbone description: after a
// conv, a k×k average with count-include-pad (÷k² even at borders, Torch's default); after a
// downsampling max pool, Torch's area resize to the pooled grid. Stride-1 pools (inception
// branches) act like a 3×3 conv here. Through a concat, the masks of the branches are averaged
// weighted by their channel counts (§11).
import { inferShapes, type BackboneSpec, type Shape } from '../../compute/backbones/types.js';
import { maskAfterConv, maskAfterPool } from './masks.js';

export function layerMasks(spec: BackboneSpec, m0: Float32Array, height: number, width: number, upTo?: string[]): Map<string, Float32Array> {
  const shapes = inferShapes(spec, height, width);
  const masks = new Map<string, Float32Array>([['input', m0]]);
  const stop = upTo ? new Set(upTo) : undefined;
  for (const l of spec.layers) {
    const [, oh, ow] = shapes.get(l.name)!;
    if (l.op === 'conv') {
      const [, h, w] = shapes.get(l.from)!;
      masks.set(l.name, maskAfterConv(masks.get(l.from)!, h, w, l.k, l.stride, l.pad));
    } else if (l.op === 'maxpool') {
      const [, h, w] = shapes.get(l.from)!;
      masks.set(l.name, l.stride === 1 ? maskAfterConv(masks.get(l.from)!, h, w, l.k, 1, l.pad) : maskAfterPool(masks.get(l.from)!, h, w, oh, ow));
    } else if (l.op === 'lrn') {
      masks.set(l.name, masks.get(l.from)!);
    } else {
      const out = new Float32Array(oh * ow);
      let total = 0;
      for (const f of l.from) {
        const c = shapes.get(f)![0];
        const m = masks.get(f)!;
        for (let i = 0; i < out.length; i++) out[i] += c * m[i];
        total += c;
      }
      for (let i = 0; i < out.length; i++) out[i] /= total;
      masks.set(l.name, out);
    }
    if (stop && [...stop].every((s) => masks.has(s))) break;
  }
  return masks;
}

/** Total stride of each layer relative to the image (product of strides along its first input chain). */
export function layerStrides(spec: BackboneSpec): Map<string, number> {
  const strides = new Map<string, number>([['input', 1]]);
  for (const l of spec.layers) {
    if (l.op === 'conv' || l.op === 'maxpool') strides.set(l.name, strides.get(l.from)! * l.stride);
    else strides.set(l.name, strides.get(l.op === 'concat' ? l.from[0] : l.from)!);
  }
  return strides;
}

export function shapeOf(spec: BackboneSpec, layer: string, height: number, width: number): Shape {
  return inferShapes(spec, height, width).get(layer)!;
}
