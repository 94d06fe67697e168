// Small synthetic harmonization inputs: a textured "painting", a flat-coloured pasted square,
// and its mask. Deterministic.
import type { Image } from '../../companion/image/image.js';
import { mulberry32 } from './gradcheck.js';

export function syntheticScene(width: number, height: number, box: { x: number; y: number; w: number; h: number }, seed = 3) {
  const rand = mulberry32(seed);
  const painting: Image = { width, height, channels: 3, data: new Float32Array(width * height * 3) };
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) {
    const i = (y * width + x) * 3;
    // Brush-stroke-like stripes with noise.
    const s = 0.5 + 0.3 * Math.sin((x + 2 * y) * 0.5) + 0.1 * (rand() - 0.5);
    painting.data[i] = 0.8 * s + 0.1;
    painting.data[i + 1] = 0.5 * s + 0.2;
    painting.data[i + 2] = 0.3 * s + 0.1;
  }
  const composite: Image = { ...painting, data: painting.data.slice() };
  const mask: Image = { width, height, channels: 1, data: new Float32Array(width * height) };
  for (let y = box.y; y < box.y + box.h; y++) for (let x = box.x; x < box.x + box.w; x++) {
    const i = y * width + x;
    mask.data[i] = 1;
    composite.data[i * 3] = 0.1;
    composite.data[i * 3 + 1] = 0.3 + 0.2 * ((x >> 2) & 1);
    composite.data[i * 3 + 2] = 0.9;
  }
  return { painting, composite, mask };
}
