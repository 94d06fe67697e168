// Resizing with the semantics of Torch7's `image.scale`, which the original DPH code relies on
// (spec §1.1). Its 'bilinear' mode is not plain bilinear: per axis it averages exact areas when
// shrinking and interpolates with aligned corners when enlarging. 'simple' is nearest neighbour.
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

function resizeNearest(img: Image, width: number, height: number): Image {
  const c = img.channels;
  const out = new Float32Array(width * height * c);
  const sx = new Int32Array(width);
  // floor(i·src/dst) in exact integer arithmetic.
  for (let x = 0; x < width; x++) sx[x] = Math.floor((x * img.width) / width);
  for (let y = 0; y < height; y++) {
    const srcRow = Math.floor((y * img.height) / height) * img.width;
    for (let x = 0; x < width; x++) {
      const s = (srcRow + sx[x]) * c;
      const d = (y * width + x) * c;
      for (let k = 0; k < c; k++) out[d + k] = img.data[s + k];
    }
  }
  return { width, height, channels: c, data: out };
}
