import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { existsSync } from 'node:fs';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { createImage, type Image } from '../../../../companion/image/image.js';
import {
  checkLabelSize,
  classifyLabelColour,
  decodeLabels,
  LABEL_COLOURS,
  pairLabels,
  singleLabel,
} from '../../../../companion/pipeline/photo-style/labels.js';
import { isPainterlyError, type PainterlyError } from '../../../../shared/errors.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const examples = path.resolve(repoRoot, '../shared/dpst-examples');

async function loadPng(file: string): Promise<Image> {
  const { data, info } = await sharp(file).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const img = createImage(info.width, info.height, 3);
  for (let i = 0; i < data.length; i++) img.data[i] = data[i] / 255;
  return img;
}

/** A label image from 8-bit colours, one pixel each, as image loaders produce (byte / 255 in float32). */
function labelRow(colours: [number, number, number][]): Image {
  const img = createImage(colours.length, 1, 3);
  colours.forEach((c, i) => img.data.set(c.map((v) => v / 255), 3 * i));
  return img;
}

const index = (name: string): number => LABEL_COLOURS.findIndex((c) => c.name === name);

function expectCode(fn: () => unknown, code: string): PainterlyError {
  try {
    fn();
  } catch (e) {
    expect(isPainterlyError(e) && e.code).toBe(code);
    return e as PainterlyError;
  }
  throw new Error('expected a PainterlyError');
}

describe('decodeLabels', () => {
  it('decodes each of the 9 colours to its own mask and nothing else', () => {
    const img = labelRow(LABEL_COLOURS.map((c) => [...c.rgb] as [number, number, number]));
    const labels = decodeLabels(img, img.width, 1);
    LABEL_COLOURS.forEach((_, k) => {
      expect(Array.from(labels.masks[k])).toEqual(LABEL_COLOURS.map((_, j) => (j === k ? 1 : 0)));
      expect(labels.counts[k]).toBe(1);
    });
  });

  it('uses the thresholds < 0.1 and > 0.9 with strict inequalities', () => {
    // 25/255 ≈ 0.098 < 0.1 and 230/255 ≈ 0.902 > 0.9 pass; 26/255 ≈ 0.102 and 229/255 ≈ 0.898 do not.
    const blue = index('blue');
    const k = (r: number, g: number, b: number) => classifyLabelColour(r / 255, g / 255, b / 255);
    expect(k(25, 25, 230)).toBe(blue);
    expect(k(26, 0, 255)).toBe(-1);
    expect(k(0, 26, 255)).toBe(-1);
    expect(k(0, 0, 229)).toBe(-1);
    expect(k(230, 230, 25)).toBe(index('yellow'));
    expect(k(229, 255, 0)).toBe(-1);
  });

  it('takes grey as every channel strictly inside (0.4, 0.6), compared in float32 like Torch', () => {
    const grey = index('grey');
    const k = (v: number) => classifyLabelColour(Math.fround(v / 255), Math.fround(v / 255), Math.fround(v / 255));
    expect(k(128)).toBe(grey);
    expect(k(103)).toBe(grey);
    expect(k(152)).toBe(grey);
    expect(k(102)).toBe(-1); // 102/255 is exactly 0.4
    expect(k(153)).toBe(-1); // exactly 0.6
    expect(classifyLabelColour(0.5, 0.5, 0.65)).toBe(-1);
  });

  it('leaves anti-aliased edge colours in no mask', () => {
    const labels = decodeLabels(labelRow([[128, 0, 128], [0, 128, 255], [200, 200, 200]]), 3, 1);
    expect(labels.counts.every((c) => c === 0)).toBe(true);
  });

  it('scales a label image drawn at another resolution to the photo size before thresholding', () => {
    // 8×4 label: left half red, right half blue; decoded at 4×2, at 4×3 (1 px taller) and at 16×8.
    const big = createImage(8, 4, 4); // RGBA: alpha is ignored
    for (let y = 0; y < 4; y++) for (let x = 0; x < 8; x++) big.data.set(x < 4 ? [1, 0, 0, 1] : [0, 0, 1, 0.5], 4 * (y * 8 + x));
    for (const [w, h] of [[4, 2], [4, 3], [16, 8]]) {
      const labels = decodeLabels(big, w, h);
      expect(labels.width).toBe(w);
      expect(labels.counts[index('red')] + labels.counts[index('blue')]).toBeGreaterThanOrEqual(w * h - 2 * h);
      expect(labels.masks[index('red')][0]).toBe(1);
      expect(labels.masks[index('blue')][w - 1]).toBe(1);
    }
  });

  it('treats a one-channel label image as grey levels', () => {
    const img = createImage(2, 1, 1);
    img.data.set([0, 1]);
    const labels = decodeLabels(img, 2, 1);
    expect(labels.masks[index('black')][0]).toBe(1);
    expect(labels.masks[index('white')][1]).toBe(1);
  });
});

describe('checkLabelSize', () => {
  it('accepts the same size, 1 px off (as some original examples are) and the same aspect ratio', () => {
    expect(() => checkLabelSize({ width: 700, height: 393 }, { width: 700, height: 394 }, 'content')).not.toThrow();
    expect(() => checkLabelSize({ width: 1400, height: 874 }, { width: 700, height: 437 }, 'content')).not.toThrow();
    expect(() => checkLabelSize({ width: 3, height: 2 }, { width: 3, height: 3 }, 'style')).not.toThrow();
  });

  it('refuses another aspect ratio with SIZE_MISMATCH naming both sizes', () => {
    const e = expectCode(() => checkLabelSize({ width: 640, height: 480 }, { width: 700, height: 437 }, 'style'), 'SIZE_MISMATCH');
    expect(e.message).toContain('640×480');
    expect(e.message).toContain('700×437');
    expect(e.message).toContain('style');
  });
});

describe('pairLabels', () => {
  it('uses labels present in both images and names those present in only one', () => {
    const content = decodeLabels(labelRow([[0, 0, 0], [255, 255, 255], [255, 0, 0]]), 3, 1);
    const style = decodeLabels(labelRow([[0, 0, 0], [255, 255, 255], [0, 255, 0]]), 3, 1);
    const p = pairLabels(content, style);
    expect(p.used).toEqual([index('black'), index('white')]);
    expect(p.contentOnly).toEqual(['red']);
    expect(p.styleOnly).toEqual(['green']);
    expect(p.notes).toHaveLength(2);
    expect(p.notes[0]).toMatch(/green.*style labels only/);
    expect(p.notes[1]).toMatch(/red.*content labels only/);
  });

  it('pairs a single label with itself in the no-labels mode', () => {
    const p = pairLabels(singleLabel(4, 3), singleLabel(5, 2));
    expect(p.used).toEqual([index('black')]);
    expect(p.notes).toEqual([]);
  });
});

describe.skipIf(!existsSync(examples))('the original examples', () => {
  it('decode with 0.4–2.3% unlabelled edge pixels and report tar3 green as style-only', async () => {
    const content = await loadPng(path.join(examples, 'input/in3.png'));
    const style = await loadPng(path.join(examples, 'style/tar3.png'));
    const li = await loadPng(path.join(examples, 'segmentation/in3.png'));
    const ls = await loadPng(path.join(examples, 'segmentation/tar3.png'));
    checkLabelSize(li, content, 'content');
    checkLabelSize(ls, style, 'style');
    const a = decodeLabels(li, content.width, content.height);
    const b = decodeLabels(ls, style.width, style.height);
    for (const m of [a, b]) {
      const unlabelled = 1 - m.counts.reduce((s, c) => s + c, 0) / (m.width * m.height);
      expect(unlabelled).toBeGreaterThan(0.003);
      expect(unlabelled).toBeLessThan(0.025);
    }
    const p = pairLabels(a, b);
    expect(p.styleOnly).toEqual(['green']);
    expect(p.used).toEqual([index('black'), index('white'), index('grey')]);
  });

  it('fit example 7, whose labels are 1 px shorter than the photo', async () => {
    const content = await loadPng(path.join(examples, 'input/in7.png'));
    const li = await loadPng(path.join(examples, 'segmentation/in7.png'));
    expect(li.height).toBe(content.height - 1);
    checkLabelSize(li, content, 'content');
    const a = decodeLabels(li, content.width, content.height);
    expect(a.height).toBe(content.height);
    expect(a.counts[index('black')] + a.counts[index('white')]).toBeGreaterThan(0.98 * content.width * content.height);
  });
});
