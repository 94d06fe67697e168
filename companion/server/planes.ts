// Pixels between wire format and the companion's Image: incoming chunks are converted straight
// into float32 (no second copy of the plane in bytes), results and previews go back as bytes.
import type { Image } from '../image/image.js';
import { bytesPerPixel, type BitsPerChannel, type PlaneFormat } from '../../shared/frames.js';
import { PREVIEW_POLICY } from '../../shared/stages.js';

/**
 * An Image for a plane and the sink that fills it from chunks. Extra channels beyond
 * `outChannels` (alpha) are dropped. The image is allocated on the first chunk.
 */
export function planeSink(format: PlaneFormat, outChannels: number): { sink: (payload: Uint8Array, byteOffset: number) => void; image: () => Image } {
  let image: Image | undefined;
  const inC = format.channels;
  const keep = Math.min(inC, outChannels);
  const bpp = bytesPerPixel(format);
  const alloc = () => (image ??= { width: format.width, height: format.height, channels: outChannels, data: new Float32Array(format.width * format.height * outChannels) });
  const sink = (payload: Uint8Array, byteOffset: number) => {
    const out = alloc().data;
    const firstPixel = byteOffset / bpp;
    const pixels = payload.byteLength / bpp;
    if (format.bitsPerChannel === 8) {
      for (let p = 0; p < pixels; p++) {
        const src = p * inC;
        const dst = (firstPixel + p) * outChannels;
        for (let c = 0; c < keep; c++) out[dst + c] = payload[src + c] / 255;
      }
    } else {
      const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
      for (let p = 0; p < pixels; p++) {
        const src = p * inC * 2;
        const dst = (firstPixel + p) * outChannels;
        for (let c = 0; c < keep; c++) out[dst + c] = view.getUint16(src + c * 2, true) / 65535;
      }
    }
  };
  return { sink, image: alloc };
}

/** RGB samples of an image (grey is repeated, alpha dropped), clamped to [0,1] and quantised. */
export function imageToSamples(img: Image, bits: BitsPerChannel): Uint8Array | Uint16Array {
  const n = img.width * img.height;
  const max = bits === 8 ? 255 : 65535;
  const out = bits === 8 ? new Uint8Array(n * 3) : new Uint16Array(n * 3);
  const c = img.channels;
  for (let p = 0; p < n; p++) {
    for (let k = 0; k < 3; k++) {
      const v = img.data[p * c + (c >= 3 ? k : 0)];
      out[p * 3 + k] = Math.round((v > 1 ? 1 : v > 0 ? v : 0) * max);
    }
  }
  return out;
}

/** A small 8-bit RGB copy (box-averaged) whose longer side is at most `maxSide`. */
export function previewSamples(img: Image, maxSide: number = PREVIEW_POLICY.maxSide): { width: number; height: number; data: Uint8Array } {
  const scale = Math.min(1, maxSide / Math.max(img.width, img.height));
  const width = Math.max(1, Math.round(img.width * scale));
  const height = Math.max(1, Math.round(img.height * scale));
  const data = new Uint8Array(width * height * 3);
  const c = img.channels;
  for (let y = 0; y < height; y++) {
    const y0 = Math.floor((y * img.height) / height);
    const y1 = Math.max(y0 + 1, Math.floor(((y + 1) * img.height) / height));
    for (let x = 0; x < width; x++) {
      const x0 = Math.floor((x * img.width) / width);
      const x1 = Math.max(x0 + 1, Math.floor(((x + 1) * img.width) / width));
      for (let k = 0; k < 3; k++) {
        let sum = 0;
        for (let yy = y0; yy < y1; yy++) for (let xx = x0; xx < x1; xx++) sum += img.data[(yy * img.width + xx) * c + (c >= 3 ? k : 0)];
        const v = sum / ((y1 - y0) * (x1 - x0));
        data[(y * width + x) * 3 + k] = Math.round((v > 1 ? 1 : v > 0 ? v : 0) * 255);
      }
    }
  }
  return { width, height, data };
}
