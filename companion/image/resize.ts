// Resizing with the semantics of Torch7's `image.scale`, which the original DPH code relies on
// (spec §1.1): the one resize of the companion (images, masks, label images, layer grids). Its
// 'bilinear' mode is not plain bilinear: per axis it averages exact areas when shrinking and
// interpolates with aligned corners when enlarging (torch-scale.ts). 'simple' is nearest
// neighbour. A one-channel Planar (a mask) resizes as an Image. For canvases too large to hold
// (a document given in parts), 'bilinear' also runs over windows: of a canvas that is 0 outside
// a part, or of the output only — the same samples, bit for bit, as the whole resize.
import { samplesReading, torchScale, torchScaleWindow } from './torch-scale.js';
import { PainterlyError } from '../../shared/errors.js';
import type { Image } from './image.js';
import type { Region, Size } from './planar.js';

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
  checkSize(width, height);
  const c = img.channels;
  if (mode === 'simple') return resizeNearest(img, width, height);
  return { width, height, channels: c, data: torchScale(img.data, img.width, img.height, c, width, height) };
}

/** An image over a window of a larger canvas. */
export interface WindowImage {
  /** Where `image` lies on the canvas. */
  region: Region;
  image: Image;
}

/**
 * resize() ('bilinear') of a `canvas`-sized image that is `part` inside part.region and 0
 * everywhere else, computed only where it is not 0 by construction: the output window whose
 * samples read the part (every output pixel outside it is exactly 0). Bit-identical to that
 * window of resizing the zero-padded canvas, without ever making the canvas. The window is empty
 * (0×0) when the output reads none of the part.
 */
export function resizeZeroPadded(part: WindowImage, canvas: Size, width: number, height: number): WindowImage {
  checkSize(width, height);
  const { region, image } = part;
  const [x0, x1] = samplesReading(region.x0, region.x0 + region.width, canvas.width, width);
  const [y0, y1] = samplesReading(region.y0, region.y0 + region.height, canvas.height, height);
  const out: Region = { x0, y0, width: x1 - x0, height: y1 - y0 };
  const c = image.channels;
  return { region: out, image: { width: out.width, height: out.height, channels: c, data: torchScaleWindow(image.data, region, c, canvas.width, canvas.height, width, height, out) } };
}

/** The output window `out` of resize(img, width, height) ('bilinear'), computing only that window (bit-identical to cutting it from the whole resize). */
export function resizeWindow(img: Image, width: number, height: number, out: Region): Image {
  checkSize(width, height);
  const whole: Region = { x0: 0, y0: 0, width: img.width, height: img.height };
  const c = img.channels;
  return { width: out.width, height: out.height, channels: c, data: torchScaleWindow(img.data, whole, c, img.width, img.height, width, height, out) };
}

/** The zero-padded canvas itself (width × height, `part` at its region): for canvases small enough to hold. */
export function padToCanvas(part: WindowImage, canvas: Size): Image {
  const { region, image } = part;
  const c = image.channels;
  const data = new Float32Array(canvas.width * canvas.height * c);
  for (let y = 0; y < region.height; y++) {
    data.set(image.data.subarray(y * region.width * c, (y + 1) * region.width * c), ((region.y0 + y) * canvas.width + region.x0) * c);
  }
  return { width: canvas.width, height: canvas.height, channels: c, data };
}

function checkSize(width: number, height: number): void {
  if (!(Number.isInteger(width) && Number.isInteger(height) && width >= 1 && height >= 1)) {
    throw new PainterlyError('BAD_ARGUMENT', `Expected a positive integer size, got ${width}×${height}.`);
  }
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
