// Resizing with the semantics of Torch7's `image.scale`, which the original DPH code relies on
// (spec §1.1): the one resize of the companion (images, masks, label images, layer grids). Its
// 'bilinear' mode is not plain bilinear: per axis it averages exact areas when shrinking and
// interpolates with aligned corners when enlarging (torch-scale.ts). 'simple' is nearest
// neighbour. A one-channel Planar (a mask) resizes as an Image.
import { torchScale } from './torch-scale.js';
import { PainterlyError } from '../../shared/errors.js';
import type { Image } from './image.js';

export type ResizeMode = 'bilinear' | 'simple';

/**
 * Torch's size rule for `image.scale(img, longSide)`: each side becomes
 * floor(side · longSide / max(w, h)), so the longer side is exactly `longSide`.
 * It enlarges too, as Torch does; callers that never enlarge cap `longSide` themselves.
 */
export function workingSize(width: number, height: number, longSide: number): { width: number; height: number } {
  if (!(width >= 1 && height >= 1 && longSide >= 1)) {
    throw new PainterlyError('BAD_ARGUMENT', `Cannot size ${width}×${height} to a long side of ${longSide}.`);
  }
  const m = Math.max(width, height);
  return {
    width: Math.max(1, Math.floor((width * longSide) / m)),
    height: Math.max(1, Math.floor((height * longSide) / m)),
  };
}

/** Resizes an image with any number of channels; returns a new image (a copy when the size is unchanged). */
export function resize(img: Image, width: number, height: number, mode: ResizeMode = 'bilinear'): Image {
  if (!(Number.isInteger(width) && Number.isInteger(height) && width >= 1 && height >= 1)) {
    throw new PainterlyError('BAD_ARGUMENT', `Expected a positive integer size, got ${width}×${height}.`);
  }
  const c = img.channels;
  if (mode === 'simple') return resizeNearest(img, width, height);
  return { width, height, channels: c, data: torchScale(img.data, img.width, img.height, c, width, height) };
}

/** Torch 'simple': source index floor(i·fround(src/dst)), the product rounded to float32 as Torch computes it. */
function resizeNearest(img: Image, width: number, height: number): Image {
  const c = img.channels;
  const out = new Float32Array(width * height * c);
  const scx = Math.fround(img.width / width);
  const scy = Math.fround(img.height / height);
  const sx = new Int32Array(width);
  for (let x = 0; x < width; x++) sx[x] = Math.min(img.width - 1, Math.floor(Math.fround(x * scx)));
  for (let y = 0; y < height; y++) {
    const srcRow = Math.min(img.height - 1, Math.floor(Math.fround(y * scy))) * img.width;
    for (let x = 0; x < width; x++) {
      const s = (srcRow + sx[x]) * c;
      const d = (y * width + x) * c;
      for (let k = 0; k < c; k++) out[d + k] = img.data[s + k];
    }
  }
  return { width, height, channels: c, data: out };
}
