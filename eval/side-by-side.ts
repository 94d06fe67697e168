// Side-by-side PNGs for looking at evaluation results: images of one size, left to right.
import sharp from 'sharp';
import type { Image } from '../companion/image/image.js';

export async function sideBySide(images: Image[], file: string): Promise<void> {
  const { width: w, height: h } = images[0];
  const out = Buffer.alloc(w * images.length * h * 3);
  images.forEach((img, k) => {
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let c = 0; c < 3; c++) {
      out[(y * w * images.length + k * w + x) * 3 + c] = Math.round(Math.min(1, Math.max(0, img.data[(y * w + x) * 3 + c])) * 255);
    }
  });
  await sharp(out, { raw: { width: w * images.length, height: h, channels: 3 } }).png().toFile(file);
}
