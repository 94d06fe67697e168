// Torch7's image.scale(…, 'bilinear'), which the original photo style code uses to fit label
// images to their photos and to halve masks at each max-pool (spec §2.1, §2.2). One
// implementation serves the whole companion: companion/image/torch-scale.ts.
import { torchScale } from '../../image/torch-scale.js';

/**
 * Scales an interleaved image (`channels` values per pixel) from w×h to dw×dh the way Torch7's
 * image.scale(img, dw, dh, 'bilinear') does.
 */
export function torchScaleBilinear(src: Float32Array, w: number, h: number, channels: number, dw: number, dh: number): Float32Array {
  return torchScale(src, w, h, channels, dw, dh);
}
