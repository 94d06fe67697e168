import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Image } from '../../../companion/image/image.js';
import { decodeImage, encodeJpegRoundTrip, readImage, readMask, writeImage } from '../../../companion/image/io.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const examples = path.resolve(repoRoot, '../shared/dph-examples/data');

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'painterly-io-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A smooth RGB gradient whose values are exact multiples of 1/255. */
function gradient(w: number, h: number): Image {
  const data = new Float32Array(w * h * 3);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = (y * w + x) * 3;
      data[i] = Math.round((255 * x) / (w - 1)) / 255;
      data[i + 1] = Math.round((255 * y) / (h - 1)) / 255;
      data[i + 2] = 128 / 255;
    }
  }
  return { width: w, height: h, channels: 3, data };
}

describe('writeImage and readImage', () => {
  it('round-trips 8-bit values through PNG exactly', async () => {
    const img = gradient(17, 11);
    const file = path.join(dir, 'g.png');
    await writeImage(file, img);
    const back = await readImage(file);
    expect([back.width, back.height, back.channels]).toEqual([17, 11, 3]);
    for (let i = 0; i < img.data.length; i++) expect(back.data[i]).toBeCloseTo(img.data[i], 6);
  });

  it('clamps and rounds out-of-range values when writing', async () => {
    const img: Image = { width: 2, height: 1, channels: 3, data: Float32Array.from([-0.5, 1.5, 0.5, Number.NaN, 0.002, 0.998]) };
    const file = path.join(dir, 'clamp.png');
    await writeImage(file, img);
    const back = await readImage(file);
    expect(Array.from(back.data, (v) => Math.round(v * 255))).toEqual([0, 255, 128, 0, 1, 254]);
  });

  it('writes JPEG for .jpg, close to the input', async () => {
    const img = gradient(32, 24);
    const file = path.join(dir, 'g.jpg');
    await writeImage(file, img, { jpegQuality: 95 });
    expect((await sharp(file).metadata()).format).toBe('jpeg');
    const back = await readImage(file);
    let worst = 0;
    for (let i = 0; i < img.data.length; i++) worst = Math.max(worst, Math.abs(back.data[i] - img.data[i]));
    expect(worst).toBeLessThan(0.06);
  });

  it('replicates a grey file to RGB and drops alpha', async () => {
    const grey = path.join(dir, 'grey.png');
    await sharp(Buffer.from([0, 64, 128, 255]), { raw: { width: 2, height: 2, channels: 1 } }).png().toFile(grey);
    const g = await readImage(grey);
    expect(g.channels).toBe(3);
    expect(Array.from(g.data.subarray(3, 6), (v) => Math.round(v * 255))).toEqual([64, 64, 64]);

    const rgba = path.join(dir, 'rgba.png');
    await sharp(Buffer.from([10, 20, 30, 0, 40, 50, 60, 255]), { raw: { width: 2, height: 1, channels: 4 } }).png().toFile(rgba);
    const c = await readImage(rgba);
    expect(Array.from(c.data, (v) => Math.round(v * 255))).toEqual([10, 20, 30, 40, 50, 60]);
  });

  it('refuses an extension it cannot write', async () => {
    await expect(writeImage(path.join(dir, 'x.gif'), gradient(4, 4))).rejects.toMatchObject({ code: 'BAD_ARGUMENT' });
  });
});

describe('readMask', () => {
  it('takes the first channel of an RGB file', async () => {
    const file = path.join(dir, 'mask.png');
    await sharp(Buffer.from([255, 0, 0, 0, 255, 255]), { raw: { width: 2, height: 1, channels: 3 } }).png().toFile(file);
    const m = await readMask(file);
    expect(m.channels).toBe(1);
    expect(Array.from(m.data)).toEqual([1, 0]);
  });

  it('reads a real example mask at its stored size', async () => {
    const m = await readMask(path.join(examples, '1_c_mask.jpg'));
    expect([m.width, m.height, m.channels]).toEqual([586, 700, 1]);
    expect(m.data.reduce((a, v) => Math.max(a, v), 0)).toBeGreaterThan(0.9);
    expect(m.data.reduce((a, v) => Math.min(a, v), 1)).toBeLessThan(0.1);
  });
});

describe('read errors', () => {
  it('reports a missing file as FILE_NOT_FOUND, naming it', async () => {
    const file = path.join(dir, 'nope.png');
    await expect(readImage(file)).rejects.toMatchObject({ code: 'FILE_NOT_FOUND', message: expect.stringContaining(file) });
  });

  it('reports a file that is not an image as IMAGE_UNREADABLE, naming it', async () => {
    const file = path.join(dir, 'junk.jpg');
    await writeFile(file, 'this is not a jpeg');
    await expect(readImage(file)).rejects.toMatchObject({ code: 'IMAGE_UNREADABLE', message: expect.stringContaining(file) });
  });

  it('reports a directory as IMAGE_UNREADABLE', async () => {
    await expect(readMask(dir)).rejects.toMatchObject({ code: 'IMAGE_UNREADABLE' });
  });

  it('refuses an image over the pixel limit before decoding it, with its size', async () => {
    const file = path.join(dir, 'big.png');
    await writeImage(file, gradient(40, 30));
    await expect(readImage(file, { maxPixels: 1000 })).rejects.toMatchObject({
      code: 'IMAGE_TOO_LARGE',
      message: expect.stringContaining('40×30 = 1200 pixels; the limit is 1000'),
    });
    await expect(readImage(file, { maxPixels: 1200 })).resolves.toMatchObject({ width: 40 });
  });
});

describe('decodeImage', () => {
  it('decodes an in-memory PNG', async () => {
    const png = await sharp(Buffer.from([1, 2, 3]), { raw: { width: 1, height: 1, channels: 3 } }).png().toBuffer();
    const img = await decodeImage(png);
    expect(Array.from(img.data, (v) => Math.round(v * 255))).toEqual([1, 2, 3]);
  });
});

describe('encodeJpegRoundTrip', () => {
  it('returns the same size with JPEG loss: close to the input but not equal', async () => {
    const rand = (i: number): number => ((i * 2654435761) % 1000) / 1000;
    const img: Image = { width: 24, height: 16, channels: 3, data: Float32Array.from({ length: 24 * 16 * 3 }, (_, i) => rand(i)) };
    const back = await encodeJpegRoundTrip(img, 75);
    expect([back.width, back.height, back.channels]).toEqual([24, 16, 3]);
    let diff = 0;
    for (let i = 0; i < img.data.length; i++) diff += Math.abs(back.data[i] - img.data[i]);
    expect(diff).toBeGreaterThan(0);
    const smooth = gradient(24, 16);
    const smoothBack = await encodeJpegRoundTrip(smooth);
    let worst = 0;
    for (let i = 0; i < smooth.data.length; i++) worst = Math.max(worst, Math.abs(smoothBack.data[i] - smooth.data[i]));
    expect(worst).toBeLessThan(0.1);
  });

  it('loses more at lower quality', async () => {
    const img = gradient(40, 40);
    for (let i = 0; i < img.data.length; i += 7) img.data[i] = 1 - img.data[i];
    const err = async (q: number): Promise<number> => {
      const back = await encodeJpegRoundTrip(img, q);
      let s = 0;
      for (let i = 0; i < img.data.length; i++) s += (back.data[i] - img.data[i]) ** 2;
      return s;
    };
    expect(await err(30)).toBeGreaterThan(await err(95));
  });
});
