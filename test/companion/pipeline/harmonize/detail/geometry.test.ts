import { describe, it, expect } from 'vitest';
import { canvasReads, cropAt, cropFromCanvas, cropImage, rectIn, resampleRect, transfer, type DocRect } from '../../../../../companion/pipeline/harmonize/detail/geometry.js';
import { refuseOutside, wholeDocument, zeroOutside } from '../../../../../companion/pipeline/harmonize/document-view.js';
import { padToCanvas, resize } from '../../../../../companion/image/resize.js';
import type { Image } from '../../../../../companion/image/image.js';
import { mulberry32 } from '../../../../support/gradcheck.js';
import { expectSameBits } from '../../../../support/same-bits.js';

function randomImage(w: number, h: number, c: number, seed = 1): Image {
  const r = mulberry32(seed);
  return { width: w, height: h, channels: c, data: Float32Array.from({ length: w * h * c }, () => r()) };
}

/** Exact area average, the obvious way: every source pixel weighted by its overlap with the footprint. */
function slowArea(img: Image, rect: DocRect, ow: number, oh: number): Image {
  const out = new Float32Array(ow * oh * img.channels);
  const sx = rect.width / ow, sy = rect.height / oh;
  for (let j = 0; j < oh; j++) for (let i = 0; i < ow; i++) {
    const ax = rect.x0 + i * sx, bx = ax + sx, ay = rect.y0 + j * sy, by = ay + sy;
    for (let q = 0; q < img.height; q++) for (let p = 0; p < img.width; p++) {
      const w = Math.max(0, Math.min(bx, p + 1) - Math.max(ax, p)) * Math.max(0, Math.min(by, q + 1) - Math.max(ay, q));
      if (w === 0) continue;
      for (let c = 0; c < img.channels; c++) out[(j * ow + i) * img.channels + c] += (w / (sx * sy)) * img.data[(q * img.width + p) * img.channels + c];
    }
  }
  return { width: ow, height: oh, channels: img.channels, data: out };
}

/** Bilinear between pixel centres, the obvious way. */
function slowBilinear(img: Image, rect: DocRect, ow: number, oh: number): Image {
  const out = new Float32Array(ow * oh * img.channels);
  const at = (x: number, y: number, c: number) => img.data[(Math.min(img.height - 1, Math.max(0, y)) * img.width + Math.min(img.width - 1, Math.max(0, x))) * img.channels + c];
  for (let j = 0; j < oh; j++) for (let i = 0; i < ow; i++) {
    const x = rect.x0 + ((i + 0.5) * rect.width) / ow - 0.5, y = rect.y0 + ((j + 0.5) * rect.height) / oh - 0.5;
    const x0 = Math.floor(x), y0 = Math.floor(y), fx = x - x0, fy = y - y0;
    for (let c = 0; c < img.channels; c++) {
      out[(j * ow + i) * img.channels + c] = (1 - fy) * ((1 - fx) * at(x0, y0, c) + fx * at(x0 + 1, y0, c)) + fy * ((1 - fx) * at(x0, y0 + 1, c) + fx * at(x0 + 1, y0 + 1, c));
    }
  }
  return { width: ow, height: oh, channels: img.channels, data: out };
}

function maxDiff(a: Image, b: Image): number {
  let m = 0;
  for (let i = 0; i < a.data.length; i++) m = Math.max(m, Math.abs(a.data[i] - b.data[i]));
  return m;
}

describe('resampleRect', () => {
  const img = randomImage(23, 17, 3);

  it('shrinks a fractional rectangle by its exact area average', () => {
    for (const [rect, ow, oh] of [[{ x0: 1.3, y0: 2.7, width: 17.4, height: 11.1 }, 7, 5], [{ x0: 0, y0: 0, width: 23, height: 17 }, 10, 6], [{ x0: 4, y0: 3, width: 9, height: 9 }, 3, 3]] as const) {
      expect(maxDiff(resampleRect(img, rect, ow, oh), slowArea(img, rect, ow, oh))).toBeLessThan(1e-5);
    }
  });

  it('enlarges a fractional rectangle by bilinear interpolation between pixel centres', () => {
    for (const [rect, ow, oh] of [[{ x0: 2.25, y0: 1.5, width: 6.5, height: 4.75 }, 19, 13], [{ x0: 0, y0: 0, width: 23, height: 17 }, 46, 34]] as const) {
      expect(maxDiff(resampleRect(img, rect, ow, oh), slowBilinear(img, rect, ow, oh))).toBeLessThan(1e-5);
    }
  });

  it('shrinking a whole image agrees with the companion\'s Torch-style resize (both exact area averages)', () => {
    const big = randomImage(91, 64, 3, 5);
    expect(maxDiff(resampleRect(big, { x0: 0, y0: 0, width: 91, height: 64 }, 40, 27), resize(big, 40, 27))).toBeLessThan(1e-4);
  });
});

describe('level crops', () => {
  const doc = { width: 1000, height: 800 };
  const rect = { x0: 300.5, y0: 220, width: 250, height: 310 };

  it('cover the document rectangle on every canvas, grown outward to whole pixels', () => {
    for (const canvas of [{ width: 350, height: 280 }, { width: 700, height: 560 }, doc]) {
      const { region } = cropAt(rect, doc, canvas);
      const s = canvas.width / doc.width;
      expect(region.x0).toBeLessThanOrEqual(rect.x0 * s);
      expect(region.y0).toBeLessThanOrEqual(rect.y0 * s);
      expect(region.x0 + region.width).toBeGreaterThanOrEqual((rect.x0 + rect.width) * s);
      expect(region.y0 + region.height).toBeGreaterThanOrEqual((rect.y0 + rect.height) * s);
      expect(region.width).toBeLessThanOrEqual(Math.ceil(rect.width * s) + 2);
    }
  });

  it('cutting a crop from a canvas equals shrinking the whole canvas and cropping it, away from the crop\'s edge', () => {
    const big = randomImage(200, 160, 3, 9);
    const small = { width: 120, height: 96 };
    const crop = cropAt({ x0: 50, y0: 40, width: 80, height: 60 }, { width: 200, height: 160 }, small);
    const direct = cropFromCanvas(wholeDocument(big), crop);
    const whole = resampleRect(big, { x0: 0, y0: 0, width: 200, height: 160 }, small.width, small.height);
    let m = 0;
    for (let y = 1; y < crop.region.height - 1; y++) for (let x = 1; x < crop.region.width - 1; x++) for (let c = 0; c < 3; c++) {
      m = Math.max(m, Math.abs(direct.data[(y * crop.region.width + x) * 3 + c] - whole.data[((crop.region.y0 + y) * small.width + crop.region.x0 + x) * 3 + c]));
    }
    expect(m).toBeLessThan(1e-5);
  });

  it('place one crop inside another in its pixel units, and transfer through them', () => {
    const a = cropAt(rect, doc, { width: 500, height: 400 });
    const b = cropAt(rect, doc, doc);
    const r = rectIn(a, b);
    expect(r.x0).toBeCloseTo(a.region.x0 * 2 - b.region.x0, 10);
    expect(r.width).toBeCloseTo(a.region.width * 2, 10);
    // A linear ramp over the document moves between grids as the same ramp (interior).
    const ramp = (crop: typeof a): Image => {
      const s = crop.canvas.width / doc.width;
      const { x0, y0, width, height } = crop.region;
      const data = new Float32Array(width * height);
      for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data[y * width + x] = 0.01 * ((x0 + x + 0.5) / s) + 0.002 * ((y0 + y + 0.5) / s);
      return { width, height, channels: 1, data };
    };
    const up = transfer(ramp(a), a, b);
    const want = ramp(b);
    let m = 0;
    for (let y = 4; y < up.height - 4; y++) for (let x = 4; x < up.width - 4; x++) m = Math.max(m, Math.abs(up.data[y * up.width + x] - want.data[y * up.width + x]));
    expect(m).toBeLessThan(1e-4);
    const down = transfer(want, b, a);
    const wantDown = ramp(a);
    m = 0;
    for (let y = 2; y < down.height - 2; y++) for (let x = 2; x < down.width - 2; x++) m = Math.max(m, Math.abs(down.data[y * down.width + x] - wantDown.data[y * down.width + x]));
    expect(m).toBeLessThan(1e-4);
  });
});

describe('cropFromCanvas through a view of part of the document', () => {
  const doc = { width: 300, height: 240 };
  const full = randomImage(300, 240, 3, 13);
  // Level canvases below, at and (never in practice, but the taps allow it) the document's size, crops at an edge and inside.
  const crops = [cropAt({ x0: 80.5, y0: 61, width: 97, height: 70 }, doc, { width: 113, height: 90 }), cropAt({ x0: 0, y0: 100, width: 60, height: 140 }, doc, { width: 211, height: 169 }), cropAt({ x0: 40, y0: 30, width: 120, height: 100 }, doc, doc)];

  it('a mask that is 0 outside its region reads exactly as the zero-padded document-sized mask', () => {
    const region = { x0: 95, y0: 70, width: 70, height: 50 };
    const part = cropImage(randomImage(300, 240, 1, 5), region);
    const padded = padToCanvas({ region, image: part }, doc);
    for (const crop of crops) expectSameBits(cropFromCanvas(zeroOutside({ region, image: part }, doc, 'the mask'), crop), cropFromCanvas(wholeDocument(padded), crop));
  });

  it('a painting window reads exactly as the whole document where it holds what the crop reads (canvasReads), and refuses with BAD_MESSAGE one pixel short of it', () => {
    for (const crop of crops) {
      const reads = canvasReads(crop, doc);
      const view = refuseOutside({ region: reads, image: cropImage(full, reads) }, doc, 'the painting window');
      expectSameBits(cropFromCanvas(view, crop), cropFromCanvas(wholeDocument(full), crop));
      const short = [
        { ...reads, x0: reads.x0 + 1, width: reads.width - 1 }, { ...reads, width: reads.width - 1 },
        { ...reads, y0: reads.y0 + 1, height: reads.height - 1 }, { ...reads, height: reads.height - 1 },
      ];
      for (const r of short) {
        const small = refuseOutside({ region: r, image: cropImage(full, r) }, doc, 'the painting window');
        expect(() => cropFromCanvas(small, crop)).toThrow(expect.objectContaining({ code: 'BAD_MESSAGE', message: expect.stringMatching(/^Native detail reads the painting window over columns \d+–\d+, rows \d+–\d+ of the 300×240 document, but it was sent only over .*: the panel sent too small a window\.$/) }));
      }
    }
  });
});
