// The seam measure (hires-metrics.ts) on the hires paintings' own shapes: a mask that follows a
// shape the painter drew (the cypress against Van Gogh's sky, his moon, Turner's yellow sail) and
// the painting itself as the "result". A perfect harmonization is indistinguishable from the
// painting, so these figures are what the measure gives an object that belongs there.
// Each shape is selected by growing from a seed over pixels of the lightly smoothed grey image
// on the shape's side of a threshold, then filling the holes the brushwork leaves.
import { join } from 'node:path';
import { gaussianBlur } from '../companion/image/gaussian.js';
import { signedDistance } from '../companion/image/distance.js';
import { greyOf } from '../companion/image/fine-detail.js';
import { readImage, writeImage } from '../companion/image/io.js';
import type { Image } from '../companion/image/image.js';
import { cropImage } from '../companion/pipeline/harmonize/detail/geometry.js';
import { seamRatio } from './hires-metrics.js';
import { KIT } from './shared-kit.js';

export interface PaintingShape {
  name: string;
  painting: string;
  /** The part of the painting measured, [left, top, width, height] in the file's pixels: where a shape runs into others (the cypress into the village), the cut is the crop's edge, which the measure does not count as outline. */
  crop: [number, number, number, number];
  /** A pixel inside the shape, in the file's own pixels. */
  seed: [number, number];
  /** Grey level (0–1) separating the shape from its surroundings, and which side the shape is on. */
  threshold: number;
  side: 'dark' | 'light';
}

export const PAINTING_SHAPES: readonly PaintingShape[] = [
  { name: 'starry-cypress', painting: 'starry_night.jpg', crop: [0, 0, 640, 600], seed: [260, 500], threshold: 0.2, side: 'dark' },
  { name: 'starry-moon', painting: 'starry_night.jpg', crop: [900, 0, 366, 400], seed: [1160, 170], threshold: 0.62, side: 'light' },
  { name: 'shipwreck-sail', painting: 'shipwreck_of_the_minotaur.jpg', crop: [740, 150, 180, 250], seed: [800, 290], threshold: 0.45, side: 'light' },
];

/** 4-connected flood fill from `seed` over pixels where `inside(i)`; 1 inside the region, else 0. */
export function growRegion(width: number, height: number, seed: [number, number], inside: (i: number) => boolean): Uint8Array {
  const region = new Uint8Array(width * height);
  const start = seed[1] * width + seed[0];
  if (!inside(start)) throw new Error(`The seed (${seed.join(', ')}) is not on the shape's side of the threshold.`);
  const stack = [start];
  region[start] = 1;
  while (stack.length) {
    const i = stack.pop()!;
    const x = i % width;
    const y = (i - x) / width;
    for (const j of [x > 0 ? i - 1 : -1, x < width - 1 ? i + 1 : -1, y > 0 ? i - width : -1, y < height - 1 ? i + width : -1]) {
      if (j >= 0 && !region[j] && inside(j)) {
        region[j] = 1;
        stack.push(j);
      }
    }
  }
  return region;
}

/** The region with its holes filled: every pixel not reachable from the image's border outside the region. */
export function fillHoles(width: number, height: number, region: Uint8Array): Uint8Array {
  const outside = new Uint8Array(width * height);
  const stack: number[] = [];
  const visit = (i: number): void => {
    if (!region[i] && !outside[i]) {
      outside[i] = 1;
      stack.push(i);
    }
  };
  for (let x = 0; x < width; x++) { visit(x); visit((height - 1) * width + x); }
  for (let y = 0; y < height; y++) { visit(y * width); visit(y * width + width - 1); }
  while (stack.length) {
    const i = stack.pop()!;
    const x = i % width;
    if (x > 0) visit(i - 1);
    if (x < width - 1) visit(i + 1);
    if (i >= width) visit(i - width);
    if (i + width < width * height) visit(i + width);
  }
  const filled = new Uint8Array(width * height);
  for (let i = 0; i < filled.length; i++) filled[i] = outside[i] ? 0 : 1;
  return filled;
}

/** The shape's mask (1 inside), from the painting; the smoothing repeats the crop's edge, which is not the shape's. */
export function shapeMask(painting: Image, s: PaintingShape): Image {
  const g = gaussianBlur(greyOf(painting), 7, 1.5, 'replicate').data;
  const inside = s.side === 'dark' ? (i: number) => g[i] < s.threshold : (i: number) => g[i] > s.threshold;
  const region = fillHoles(painting.width, painting.height, growRegion(painting.width, painting.height, [s.seed[0] - s.crop[0], s.seed[1] - s.crop[1]], inside));
  return { width: painting.width, height: painting.height, channels: 1, data: Float32Array.from(region) };
}

/** The painting with the mask tinted red, to see what was selected. */
function tint(painting: Image, mask: Image): Image {
  const data = Float32Array.from(painting.data);
  for (let i = 0; i < mask.data.length; i++) {
    if (mask.data[i] > 0.5) for (let c = 0; c < 3; c++) data[3 * i + c] = 0.5 * data[3 * i + c] + (c === 0 ? 0.5 : 0);
  }
  return { ...painting, data };
}

/** Seam ratio of each shape on its own painting (its crop); writes each selection to `out` to look at. */
export async function paintingShapeSeams(out: string): Promise<{ name: string; area: number; seam: number }[]> {
  const rows = [];
  for (const s of PAINTING_SHAPES) {
    const [left, top, width, height] = s.crop;
    const painting = cropImage(await readImage(join(KIT, 'hires', s.painting)), { x0: left, y0: top, width, height });
    const mask = shapeMask(painting, s);
    await writeImage(join(out, `${s.name}-overlay.png`), tint(painting, mask));
    const area = mask.data.reduce((a, b) => a + b, 0) / mask.data.length;
    rows.push({ name: s.name, area, seam: seamRatio(painting, signedDistance(mask)) });
  }
  return rows;
}
