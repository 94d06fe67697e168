// Mask operations of Deep Painterly Harmonization (spec §1.2, §1.4), reproducing the original
// tools exactly: MATLAB's `dilate_mask.m`, Torch's `image.gaussian`/`image.convolve`, Torch's
// `image.scale` ('bilinear' = area averaging when shrinking, 'simple' = nearest) and the
// `nn.SpatialAveragePooling` the Lua code applies to the mask after every convolution.
//
// Masks are plain row-major Float32Array (h·w values) except in the two Image-level helpers.
// Torch does its resampling index arithmetic in float32; Math.fround reproduces it so that
// borderline indices land where Torch puts them.
import { torchScale } from '../../image/torch-scale.js';
import { createImage, type Image } from '../../image/image.js';

/** Normalised 1-D Gaussian with a true σ (MATLAB `fspecial('gaussian')`), centred, odd `size`. */
export function gaussianKernel1d(size: number, sigma: number): Float64Array {
  const k = new Float64Array(size);
  const c = (size - 1) / 2;
  let sum = 0;
  for (let i = 0; i < size; i++) {
    k[i] = Math.exp(-((i - c) ** 2) / (2 * sigma * sigma));
    sum += k[i];
  }
  for (let i = 0; i < size; i++) k[i] /= sum;
  return k;
}

/**
 * Torch7 `image.gaussian(size, sigma, 1, true)` as a normalised 1-D factor. Torch's σ is
 * relative to the kernel size (effective σ = sigma·size) and the centre sits at size/2 + 0.5
 * (1-based), i.e. in the middle for odd sizes. The 2-D kernel is the outer product of this.
 */
export function torchGaussianKernel1d(size: number, sigma: number): Float64Array {
  const k = new Float64Array(size);
  const centre = size / 2 + 0.5;
  let sum = 0;
  for (let j = 1; j <= size; j++) {
    k[j - 1] = Math.exp(-(((j - centre) / (sigma * size)) ** 2) / 2);
    sum += k[j - 1];
  }
  for (let i = 0; i < size; i++) k[i] /= sum;
  return k;
}

/**
 * Zero-padded 'same' convolution of every plane of an HWC buffer with the separable kernel
 * k ⊗ k (odd length, symmetric, so convolution = correlation).
 */
function separableConvSame(src: Float32Array, h: number, w: number, c: number, k: Float64Array): Float32Array {
  const r = (k.length - 1) / 2;
  const tmp = new Float64Array(h * w * c);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const x0 = Math.max(0, x - r);
      const x1 = Math.min(w - 1, x + r);
      for (let ch = 0; ch < c; ch++) {
        let acc = 0;
        for (let xx = x0; xx <= x1; xx++) acc += k[xx - x + r] * src[(y * w + xx) * c + ch];
        tmp[(y * w + x) * c + ch] = acc;
      }
    }
  }
  const out = new Float32Array(h * w * c);
  for (let y = 0; y < h; y++) {
    const y0 = Math.max(0, y - r);
    const y1 = Math.min(h - 1, y + r);
    for (let x = 0; x < w; x++) {
      for (let ch = 0; ch < c; ch++) {
        let acc = 0;
        for (let yy = y0; yy <= y1; yy++) acc += k[yy - y + r] * tmp[(yy * w + x) * c + ch];
        out[(y * w + x) * c + ch] = acc;
      }
    }
  }
  return out;
}

/**
 * The dilated ("loose") mask made from the tight one as `dilate_mask.m` does: first channel only,
 * 35×35 Gaussian with true σ = 35/3, zero padding, then 1 where the result is > 0.1 and 0
 * elsewhere. Returns a 1-channel image of the same size. A straight edge grows by 12 px (the
 * truncated kernel's tail mass falls below 0.1 there), not the ~14 px an untruncated σ would give.
 */
export function dilateTightMask(tight: Image): Image {
  const { width: w, height: h, channels: c } = tight;
  const first = new Float32Array(w * h);
  for (let i = 0; i < w * h; i++) first[i] = tight.data[i * c];
  const blurred = separableConvSame(first, h, w, 1, gaussianKernel1d(35, 35 / 3));
  const out = createImage(w, h, 1);
  for (let i = 0; i < w * h; i++) out.data[i] = blurred[i] > 0.1 ? 1 : 0;
  return out;
}

/**
 * The blurred tight mask T̃ used for compositing (spec §1.2, §2.4): Torch
 * `image.convolve(T, image.gaussian(7, 3, 1, true), 'same')`, every channel, zero padding.
 * Torch's relative σ makes this σ = 21 px on a 7×7 support: almost a 7×7 box blur (§9.7).
 */
export function blurTightMaskTorch(tight: Image): Image {
  const data = separableConvSame(tight.data, tight.height, tight.width, tight.channels, torchGaussianKernel1d(7, 3));
  return { width: tight.width, height: tight.height, channels: tight.channels, data };
}

/**
 * 1 where mask > thr, else 0: Torch's `gt` on a float tensor, which compares against the
 * threshold rounded to float32 (so a stored 0.1 is not above 0.1).
 */
export function binarize(mask: Float32Array, thr: number): Float32Array {
  const t = Math.fround(thr);
  const out = new Float32Array(mask.length);
  for (let i = 0; i < mask.length; i++) out[i] = mask[i] > t ? 1 : 0;
  return out;
}

/** Output length of a convolution or pooling window (floor mode). */
export function convOutSize(n: number, k: number, stride: number, pad: number): number {
  return Math.floor((n + 2 * pad - k) / stride) + 1;
}

/**
 * The mask after a convolution layer (spec §1.4): a k×k average pool with the given stride and
 * zero padding that divides by k² even where the window overlaps the padding (Torch's
 * `nn.SpatialAveragePooling` counts padded cells). Output size: convOutSize(h|w, k, stride, pad).
 * VGG's 3×3 / stride 1 / pad 1 convolutions keep the size.
 */
export function maskAfterConv(mask: Float32Array, h: number, w: number, k = 3, stride = 1, pad = 1): Float32Array {
  const oh = convOutSize(h, k, stride, pad);
  const ow = convOutSize(w, k, stride, pad);
  const out = new Float32Array(Math.max(0, oh) * Math.max(0, ow));
  const area = k * k;
  for (let oy = 0; oy < oh; oy++) {
    const y0 = oy * stride - pad;
    const ya = Math.max(0, y0);
    const yb = Math.min(h, y0 + k);
    for (let ox = 0; ox < ow; ox++) {
      const x0 = ox * stride - pad;
      const xa = Math.max(0, x0);
      const xb = Math.min(w, x0 + k);
      let acc = 0;
      for (let y = ya; y < yb; y++) for (let x = xa; x < xb; x++) acc += mask[y * w + x];
      out[oy * ow + ox] = acc / area;
    }
  }
  return out;
}

/** Torch `image.scale(…, 'bilinear')` on an HWC buffer (see companion/image/torch-scale.ts). */
export function torchScaleBilinear(data: Float32Array, h: number, w: number, c: number, outH: number, outW: number): Float32Array {
  return torchScale(data, w, h, c, outW, outH);
}

/**
 * The mask after a max-pooling layer (spec §1.4): Torch 'bilinear' resize to the pooled grid,
 * which for VGG's 2×2 ceil-mode pooling is (ceil(h/2), ceil(w/2)). For an odd size this is not
 * the pooling footprint but exact area averaging: 5 → 3 weighs the rows 1, ⅔ | ⅓, 1, ⅓ | ⅔, 1.
 */
export function maskAfterPool(mask: Float32Array, h: number, w: number, outH: number, outW: number): Float32Array {
  return torchScaleBilinear(mask, h, w, 1, outH, outW);
}

/** Torch `image.scale(..., 'simple')`: nearest neighbour with source index floor(i·src/dst) (float32). */
export function nearestResize(mask: Float32Array, h: number, w: number, outH: number, outW: number): Float32Array {
  const scx = Math.fround(w / outW);
  const scy = Math.fround(h / outH);
  const out = new Float32Array(outH * outW);
  for (let y = 0; y < outH; y++) {
    const sy = Math.min(h - 1, Math.floor(Math.fround(y * scy)));
    for (let x = 0; x < outW; x++) {
      const sx = Math.min(w - 1, Math.floor(Math.fround(x * scx)));
      out[y * outW + x] = mask[sy * w + sx];
    }
  }
  return out;
}
