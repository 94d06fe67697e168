// Imperceptible, reproducible changes to an example's input, for measuring how much the result
// moves on its own: every channel of every pixel moves by −1, 0 or +1 grey level (of 255), chosen
// by a seeded generator and kept inside the image's range [0, 255].
import type { Image } from '../companion/image/image.js';
import { mulberry32 } from '../shared/seeded-random.js';

/** The seeded generator the perturbations use; the same seed gives the same sequence. */
export const seededRandom = mulberry32;

/** A copy of `img` with ±1 grey level of noise from `seed`; values are snapped to the 8-bit grid first. */
export function perturbImage(img: Image, seed: number): Image {
  if (!Number.isInteger(seed)) throw new Error(`the seed must be a whole number, got ${seed}`);
  const rand = seededRandom(seed);
  const data = new Float32Array(img.data.length);
  for (let i = 0; i < data.length; i++) {
    const level = Math.round(Math.min(1, Math.max(0, img.data[i])) * 255);
    const step = Math.floor(rand() * 3) - 1;
    data[i] = Math.min(255, Math.max(0, level + step)) / 255;
  }
  return { width: img.width, height: img.height, channels: img.channels, data };
}
