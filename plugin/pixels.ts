// Pixel arithmetic of the panel on plain typed arrays: placing trimmed Photoshop pixels into
// planes, alpha compositing, masks and crops. No Photoshop here, so all of it runs in tests.
import type { LayerPixels, Rect, Samples } from './photoshop/host.js';

export type Bits = 8 | 16;

export const maxValue = (bits: Bits): number => (bits === 16 ? 65535 : 255);

export function rectWidth(r: Rect): number {
  return Math.max(0, r.right - r.left);
}

export function rectHeight(r: Rect): number {
  return Math.max(0, r.bottom - r.top);
}

export function isEmptyRect(r: Rect): boolean {
  return rectWidth(r) === 0 || rectHeight(r) === 0;
}

function alloc(bits: Bits, length: number): Samples {
  return bits === 16 ? new Uint16Array(length) : new Uint8Array(length);
}

/**
 * The layer's pixels as RGBA in a plane covering `target` (document coordinates), transparent
 * where the layer has none. Photoshop trims what it returns, so the layer's rect decides where
 * each pixel lands; 3-component data (a background layer) is opaque.
 */
export function placeRgba(px: LayerPixels, target: Rect, bits: Bits): Samples {
  const tw = rectWidth(target);
  const out = alloc(bits, tw * rectHeight(target) * 4);
  const sw = rectWidth(px.rect);
  const c = px.components;
  const opaque = maxValue(bits);
  const x0 = Math.max(px.rect.left, target.left);
  const x1 = Math.min(px.rect.right, target.right);
  const y0 = Math.max(px.rect.top, target.top);
  const y1 = Math.min(px.rect.bottom, target.bottom);
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      const s = ((y - px.rect.top) * sw + (x - px.rect.left)) * c;
      const d = ((y - target.top) * tw + (x - target.left)) * 4;
      out[d] = px.data[s];
      out[d + 1] = px.data[s + 1];
      out[d + 2] = px.data[s + 2];
      out[d + 3] = c === 4 ? px.data[s + 3] : opaque;
    }
  }
  return out;
}

/** An 8-bit value from an 8- or 16-bit one. */
function to8(v: number, from: Bits): number {
  return from === 8 ? v : Math.round((v * 255) / 65535);
}

/** The alpha channel of an RGBA plane as an 8-bit mask. */
export function alphaMask(rgba: Samples, bits: Bits): Uint8Array {
  const n = rgba.length / 4;
  const out = new Uint8Array(n);
  for (let p = 0; p < n; p++) out[p] = to8(rgba[p * 4 + 3], bits);
  return out;
}

/** RGB of an RGBA plane matted onto white, as Photoshop shows transparency over a white canvas. */
export function overWhite(rgba: Samples, bits: Bits): Samples {
  const n = rgba.length / 4;
  const m = maxValue(bits);
  const out = alloc(bits, n * 3);
  for (let p = 0; p < n; p++) {
    const a = rgba[p * 4 + 3];
    for (let c = 0; c < 3; c++) out[p * 3 + c] = Math.round((rgba[p * 4 + c] * a + m * (m - a)) / m);
  }
  return out;
}

/**
 * RGBA pixels for a new layer over `rect`: the colour from `rgb` (a plane of `planeWidth` px
 * starting at `origin`) and the alpha from `alpha` (8-bit, same plane), at `bits` depth.
 */
export function cropWithAlpha(rgb: Samples, alpha: Uint8Array, planeWidth: number, origin: { left: number; top: number }, rect: Rect, bits: Bits): Samples {
  const w = rectWidth(rect);
  const h = rectHeight(rect);
  const out = alloc(bits, w * h * 4);
  const scale = bits === 16 ? 257 : 1;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const s = (rect.top - origin.top + y) * planeWidth + (rect.left - origin.left + x);
      const d = (y * w + x) * 4;
      out[d] = rgb[s * 3];
      out[d + 1] = rgb[s * 3 + 1];
      out[d + 2] = rgb[s * 3 + 2];
      out[d + 3] = alpha[s] * scale;
    }
  }
  return out;
}

/** Samples converted between 8 and 16 bits (a no-op when equal). */
export function convertBits(samples: Samples, to: Bits): Samples {
  const from: Bits = samples instanceof Uint16Array ? 16 : 8;
  if (from === to) return samples;
  const out = alloc(to, samples.length);
  for (let i = 0; i < samples.length; i++) out[i] = to === 16 ? samples[i] * 257 : Math.round(samples[i] / 257);
  return out;
}
