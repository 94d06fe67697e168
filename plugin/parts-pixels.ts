// Pixel arithmetic of a harmonize job in parts, strip by strip: what Photoshop returned for a
// region, placed into the rectangle the companion expects. Plain typed arrays; no Photoshop.
import type { Rect, RegionPixels, Samples } from './photoshop/host.js';
import { maxValue, rectHeight, rectWidth, type Bits } from './pixels.js';

function alloc(bits: Bits, length: number): Samples {
  return bits === 16 ? new Uint16Array(length) : new Uint8Array(length);
}

/** The value of component `c` of pixel (x, y) of `px` (document coordinates), or undefined outside it. */
function sample(px: RegionPixels, x: number, y: number, c: number): number | undefined {
  if (x < px.rect.left || x >= px.rect.right || y < px.rect.top || y >= px.rect.bottom) return undefined;
  return px.data[((y - px.rect.top) * px.width + (x - px.rect.left)) * px.components + c];
}

/**
 * RGB over white for `rect`, rows [row0, row1) of it, from a layer's pixels of that region as
 * Photoshop returned them (trimmed; absent where the layer has none): what the layer looks like
 * on a white canvas, as the composite of today's jobs sees it.
 */
export function rgbOverWhite(px: RegionPixels | undefined, rect: Rect, bits: Bits, out: Samples, row0 = 0, row1 = rectHeight(rect)): void {
  const w = rectWidth(rect);
  const m = maxValue(bits);
  for (let y = row0; y < row1; y++) {
    const dy = rect.top + y;
    for (let x = 0; x < w; x++) {
      const d = (y * w + x) * 3;
      const dx = rect.left + x;
      const r = px ? sample(px, dx, dy, 0) : undefined;
      if (r === undefined || !px) {
        out[d] = out[d + 1] = out[d + 2] = m;
        continue;
      }
      const a = px.components === 4 ? (sample(px, dx, dy, 3) as number) : m;
      for (let c = 0; c < 3; c++) {
        const v = c === 0 ? r : (sample(px, dx, dy, c) as number);
        out[d + c] = a === m ? v : Math.round((v * a + m * (m - a)) / m);
      }
    }
  }
}

/**
 * The whole painting at the paper's size from a scaled read: Photoshop scaled the (possibly
 * trimmed) layer; each paper pixel takes the nearest returned pixel under its centre, white
 * where the layer has none. An untrimmed read of exactly the paper's size maps one to one.
 */
export function paperRgb(px: RegionPixels | undefined, doc: { width: number; height: number }, paper: { width: number; height: number }, bits: Bits, out: Samples, row0 = 0, row1 = paper.height): void {
  const m = maxValue(bits);
  const exact = px && px.width === paper.width && px.height === paper.height && px.rect.left === 0 && px.rect.top === 0 && px.rect.right === doc.width && px.rect.bottom === doc.height;
  for (let y = row0; y < row1; y++) {
    for (let x = 0; x < paper.width; x++) {
      const d = (y * paper.width + x) * 3;
      let s = -1;
      if (px && exact) s = (y * px.width + x) * px.components;
      else if (px) {
        const docX = ((x + 0.5) * doc.width) / paper.width;
        const docY = ((y + 0.5) * doc.height) / paper.height;
        if (docX >= px.rect.left && docX < px.rect.right && docY >= px.rect.top && docY < px.rect.bottom) {
          const sx = Math.min(px.width - 1, Math.floor(((docX - px.rect.left) * px.width) / rectWidth(px.rect)));
          const sy = Math.min(px.height - 1, Math.floor(((docY - px.rect.top) * px.height) / rectHeight(px.rect)));
          s = (sy * px.width + sx) * px.components;
        }
      }
      if (s < 0 || !px) {
        out[d] = out[d + 1] = out[d + 2] = m;
        continue;
      }
      const a = px.components === 4 ? px.data[s + 3] : m;
      for (let c = 0; c < 3; c++) out[d + c] = a === m ? px.data[s + c] : Math.round((px.data[s + c] * a + m * (m - a)) / m);
    }
  }
}

/**
 * The pasted layer as the user sees it over `rect`, rows [row0, row1): its colour, and its alpha
 * times its user mask (absent: none) times `opacity` (0..1, opacity × fill). `alpha8` gets the
 * same alpha in 8 bits (the job's mask when there is no selection).
 */
export function pastedRgba(px: RegionPixels | undefined, mask: RegionPixels | undefined, opacity: number, rect: Rect, bits: Bits, rgba: Samples, alpha8: Uint8Array | undefined, row0 = 0, row1 = rectHeight(rect)): void {
  const w = rectWidth(rect);
  const m = maxValue(bits);
  const maskMax = mask ? maxValue(mask.data instanceof Uint16Array ? 16 : 8) : 1;
  for (let y = row0; y < row1; y++) {
    const dy = rect.top + y;
    for (let x = 0; x < w; x++) {
      const dx = rect.left + x;
      const d = (y * w + x) * 4;
      const r = px ? sample(px, dx, dy, 0) : undefined;
      let a = 0;
      if (r !== undefined && px) {
        rgba[d] = r;
        rgba[d + 1] = sample(px, dx, dy, 1) as number;
        rgba[d + 2] = sample(px, dx, dy, 2) as number;
        a = (px.components === 4 ? (sample(px, dx, dy, 3) as number) : m) * opacity;
        // A user mask hides where it is black; outside its returned rect it is white (shows).
        if (mask) a *= (sample(mask, dx, dy, 0) ?? maskMax) / maskMax;
      } else {
        rgba[d] = rgba[d + 1] = rgba[d + 2] = 0;
      }
      rgba[d + 3] = Math.round(a);
      if (alpha8) alpha8[y * w + x] = bits === 8 ? Math.round(a) : Math.round((a * 255) / 65535);
    }
  }
}

/** A selection's (or any one-component) pixels as an 8-bit mask over `rect` (0 where there are none). */
export function mask8Of(px: RegionPixels | undefined, rect: Rect): Uint8Array {
  const w = rectWidth(rect);
  const out = new Uint8Array(w * rectHeight(rect));
  if (!px) return out;
  const sixteen = px.data instanceof Uint16Array;
  for (let y = Math.max(rect.top, px.rect.top); y < Math.min(rect.bottom, px.rect.bottom); y++) {
    for (let x = Math.max(rect.left, px.rect.left); x < Math.min(rect.right, px.rect.right); x++) {
      const v = px.data[((y - px.rect.top) * px.width + (x - px.rect.left)) * px.components];
      out[(y - rect.top) * w + (x - rect.left)] = sixteen ? Math.round((v * 255) / 65535) : v;
    }
  }
  return out;
}

/** The smallest rect (document coordinates) holding every non-zero value of a mask over `rect`. */
export function maskExtent(mask: Uint8Array, rect: Rect): Rect | undefined {
  const w = rectWidth(rect);
  let left = w, top = -1, right = 0, bottom = 0;
  // Per row, scan in from both ends only: a solid mask costs its outline, not its area.
  for (let y = 0; y < rectHeight(rect); y++) {
    const row = y * w;
    let a = 0;
    while (a < w && mask[row + a] === 0) a++;
    if (a === w) continue;
    let b = w;
    while (mask[row + b - 1] === 0) b--;
    if (top < 0) top = y;
    bottom = y + 1;
    if (a < left) left = a;
    if (b > right) right = b;
  }
  return top < 0 ? undefined : { left: rect.left + left, top: rect.top + top, right: rect.left + right, bottom: rect.top + bottom };
}

export { alloc as allocSamples };
