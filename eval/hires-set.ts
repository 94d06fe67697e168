// The large-canvas set of issue 12: real paintings larger than the paper's 700 px (the kit's
// `hires/`), some also enlarged, with objects cut from the kit's harmonization examples (naive
// composite + tight mask) and pasted larger than they were at 700 px, so the object has more
// pixels in the document than at the paper's scale. Built with sharp into a cache folder (never
// into the repository); an enlarged painting has no fine detail of its own, so those cases say
// more about cost than about detail.
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { KIT } from './shared-kit.js';

export interface HiresCase {
  name: string;
  /** File in the kit's hires/ folder. */
  painting: string;
  /** The painting's size in the document (enlarged or squashed from the file's). */
  width?: number;
  height?: number;
  /** The example whose object is pasted (its k_naive.jpg inside k_c_mask.jpg). */
  example: number;
  /** The object's longer side in the document, px. */
  objectSide: number;
  /** Where its centre goes, as fractions of the painting's width and height. */
  at: [number, number];
}

/** The quality set: every case is judged on detail, colour kept and seam. */
export const HIRES_SET: readonly HiresCase[] = [
  { name: 'starry-eagle', painting: 'starry_night.jpg', example: 1, objectSide: 520, at: [0.7, 0.55] },
  { name: 'shipwreck-destroyer', painting: 'shipwreck_of_the_minotaur.jpg', example: 9, objectSide: 460, at: [0.5, 0.32] },
  { name: 'starry-bench', painting: 'starry_night.jpg', example: 22, objectSide: 420, at: [0.45, 0.78] },
  { name: 'starry2x-eiffel', painting: 'starry_night.jpg', width: 2560, height: 2028, example: 16, objectSide: 820, at: [0.3, 0.55] },
  { name: 'shipwreck2x-balloon', painting: 'shipwreck_of_the_minotaur.jpg', width: 1920, height: 1324, example: 20, objectSide: 480, at: [0.62, 0.3] },
];

/** The memory case: an 8000×6000 document with an object about 2000×2000. */
export const HUGE_CASE: HiresCase = {
  name: 'huge-8000x6000', painting: 'starry_night.jpg', width: 8000, height: 6000, example: 4, objectSide: 2000, at: [0.5, 0.5],
};

export interface HiresFiles {
  painting: string;
  composite: string;
  mask: string;
}

/** Writes the case's painting, composite and mask as PNGs under `dir` (once; reused after). */
export async function buildCase(c: HiresCase, dir: string): Promise<HiresFiles> {
  const files = { painting: join(dir, `${c.name}-painting.png`), composite: join(dir, `${c.name}-composite.png`), mask: join(dir, `${c.name}-mask.png`) };
  if (Object.values(files).every((f) => existsSync(f))) return files;
  await mkdir(dir, { recursive: true });
  const src = join(KIT, 'hires', c.painting);
  const meta = await sharp(src).metadata();
  const W = c.width ?? meta.width!;
  const H = c.height ?? meta.height!;
  const painting = await sharp(src).removeAlpha().resize(W, H, { fit: 'fill', kernel: 'lanczos3' }).png().toBuffer();

  const { object, alpha, width: ow, height: oh } = await cutObject(c.example, c.objectSide);
  const left = Math.round(c.at[0] * W - ow / 2);
  const top = Math.round(c.at[1] * H - oh / 2);
  if (left < 0 || top < 0 || left + ow > W || top + oh > H) throw new Error(`${c.name}: the object does not fit inside the painting.`);
  const rgba = await sharp(object, { raw: { width: ow, height: oh, channels: 3 } }).joinChannel(alpha, { raw: { width: ow, height: oh, channels: 1 } }).png().toBuffer();
  await sharp(painting).toFile(files.painting);
  await sharp(painting).composite([{ input: rgba, left, top }]).removeAlpha().png().toFile(files.composite);
  const maskTile = await sharp(alpha, { raw: { width: ow, height: oh, channels: 1 } }).png().toBuffer();
  await sharp({ create: { width: W, height: H, channels: 3, background: '#000000' } })
    .composite([{ input: maskTile, left, top }]).toColourspace('b-w').png().toFile(files.mask);
  return files;
}

/** The example's object (RGB) and its mask (alpha), cut to the mask's box plus a little and resized to `side`. */
async function cutObject(k: number, side: number): Promise<{ object: Buffer; alpha: Buffer; width: number; height: number }> {
  const data = join(KIT, 'dph-examples', 'data');
  const mask = await sharp(join(data, `${k}_c_mask.jpg`)).extractChannel(0).raw().toBuffer({ resolveWithObject: true });
  const { width: w, height: h } = mask.info;
  let x0 = w, y0 = h, x1 = -1, y1 = -1;
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    if (mask.data[y * w + x] > 127) {
      x0 = Math.min(x0, x); x1 = Math.max(x1, x); y0 = Math.min(y0, y); y1 = Math.max(y1, y);
    }
  }
  const pad = 3;
  const box = { left: Math.max(0, x0 - pad), top: Math.max(0, y0 - pad), width: 0, height: 0 };
  box.width = Math.min(w, x1 + 1 + pad) - box.left;
  box.height = Math.min(h, y1 + 1 + pad) - box.top;
  const scale = side / Math.max(box.width, box.height);
  const ow = Math.round(box.width * scale);
  const oh = Math.round(box.height * scale);
  const object = await sharp(join(data, `${k}_naive.jpg`)).removeAlpha().extract(box).resize(ow, oh, { fit: 'fill', kernel: 'lanczos3' }).raw().toBuffer();
  const alpha = await sharp(join(data, `${k}_c_mask.jpg`)).extractChannel(0).extract(box).resize(ow, oh, { fit: 'fill', kernel: 'lanczos3' }).raw().toBuffer();
  return { object, alpha, width: ow, height: oh };
}
