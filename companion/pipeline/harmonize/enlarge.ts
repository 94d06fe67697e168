// `--detail paper` (§5): the working-size result enlarged to the document's resolution (Torch's
// resize, aligned corners) and blended into the document's painting through the enlarged soft
// compositing mask. For a document given in parts only the object's rectangle is computed: the
// same samples of the same enlargement (resizeWindow is exact), over the window's painting.
import { toRgb, type Image } from '../../image/image.js';
import type { Region } from '../../image/planar.js';
import { resize, resizeWindow } from '../../image/resize.js';
import { cropView, type DocumentView } from './document-view.js';
import { softCompositingMask } from './post-process.js';

/** The working-size result placed into the full-resolution painting through a soft mask. */
export function toInputResolution(final: Image, painting: Image, tight: Image, W0: number, H0: number): Image {
  const up = resize(final, W0, H0);
  const soft = resize(softCompositingMask(tight), W0, H0);
  return blend(up, soft, toRgb(painting));
}

/** toInputResolution over the document region `rect` only (the object's rectangle): that region of the whole one, bit for bit. */
export function toInputResolutionOver(final: Image, painting: DocumentView, tight: Image, rect: Region): Image {
  const { width: W0, height: H0 } = painting.doc;
  const up = resizeWindow(final, W0, H0, rect);
  const soft = resizeWindow(softCompositingMask(tight), W0, H0, rect);
  return blend(up, soft, toRgb(cropView(painting, rect, 'the enlargement (--detail paper)')));
}

/** up · s + base · (1 − s) per pixel: three same-sized images (RGB, 1 channel, RGB). */
function blend(up: Image, softMask: Image, base: Image): Image {
  const { width, height } = up;
  const soft = softMask.data;
  const out = { width, height, channels: 3, data: new Float32Array(width * height * 3) };
  for (let i = 0; i < width * height; i++) {
    const s = soft[i];
    for (let c = 0; c < 3; c++) out.data[i * 3 + c] = up.data[i * 3 + c] * s + base.data[i * 3 + c] * (1 - s);
  }
  return out;
}
