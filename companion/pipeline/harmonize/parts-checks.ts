// The checks a document given in parts must pass before a job starts, each refusal a sentence
// that says what is wrong: every part inside the document and the size its region says, with the
// channels its kind has; the whole painting on the paper's canvas; a mask that is neither empty
// nor full; and a painting window holding nativeWindow (shared/native-window.ts) and, for native
// detail, every pixel the levels will read (refused now rather than after the passes).
import { PainterlyError } from '../../../shared/errors.js';
import { nativeWindow, paperPaintingSide, regionContains } from '../../../shared/native-window.js';
import type { Image } from '../../image/image.js';
import { boundsAbove, type Region, type Size } from '../../image/planar.js';
import { workingSize } from '../../image/resize.js';
import type { DocumentPart, HarmonizeOptions, HarmonizeParts } from '../types.js';
import { describeRegion, requireInside } from './document-view.js';
import { objectRect, paintingReads } from './detail/native.js';
import { planLevels } from './detail/plan.js';
import { partsViews } from './parts.js';

const KIND: Record<number, string> = { 1: 'one channel', 3: 'RGB', 4: 'RGBA' };

/** Throws a PainterlyError (SIZE_MISMATCH, BAD_MESSAGE, EMPTY_MASK, FULL_MASK) unless `parts` can be harmonized at working size `size` with `detail`. */
export function validateParts(parts: HarmonizeParts, size: number, detail: HarmonizeOptions['detail']): void {
  const doc = parts.document;
  if (!(isCount(doc?.width) && isCount(doc?.height))) {
    throw new PainterlyError('BAD_MESSAGE', `The document's size must be whole numbers of pixels, at least 1, got ${doc?.width}×${doc?.height}.`);
  }
  checkImage('painting', parts.painting, 3);
  const side = paperPaintingSide(doc, size);
  const want = workingSize(doc.width, doc.height, side);
  if (parts.painting.width !== want.width || parts.painting.height !== want.height) {
    throw new PainterlyError('SIZE_MISMATCH', `The painting is ${parts.painting.width}×${parts.painting.height}, but for a ${doc.width}×${doc.height} document at working size ${size} it must be ${want.width}×${want.height} (the document resampled to ${side} px on its longer side).`);
  }
  checkPart('painting window', parts.window, 3, doc);
  checkPart('pasted layer', parts.pasted, 4, doc);
  checkPart('mask', parts.mask, 1, doc);

  const m = parts.mask.image.data;
  let on = 0;
  for (let i = 0; i < m.length; i++) if (m[i] > 0.5) on++;
  if (on === 0) throw new PainterlyError('EMPTY_MASK', 'The mask is empty: it must be white where the pasted object is.');
  if (on === doc.width * doc.height) throw new PainterlyError('FULL_MASK', 'The mask covers the whole document: it must cover only the pasted object.');

  const box = boundsAbove(parts.mask.image, 0)!;
  const bounds = { ...box, x0: box.x0 + parts.mask.region.x0, y0: box.y0 + parts.mask.region.y0 };
  const need = nativeWindow(doc, bounds, size);
  if (!regionContains(parts.window.region, need)) {
    throw new PainterlyError('BAD_MESSAGE', `The painting window covers ${describeRegion(parts.window.region)}, but for the mask's bounds (${describeRegion(bounds)}) it must contain ${describeRegion(need)} (nativeWindow): the panel sent too small a window.`);
  }
  const plan = planLevels(doc, size);
  if (detail === 'native' && plan.levels.length > 0) {
    const views = partsViews(parts);
    requireInside(views.painting, paintingReads(plan, objectRect(views.mask, plan), doc), 'native detail');
  }
}

function checkImage(name: string, img: Image, channels: number): void {
  if (!img || !isCount(img.width) || !isCount(img.height) || !(img.data instanceof Float32Array)) {
    throw new PainterlyError('BAD_MESSAGE', `The ${name} is not an image (width, height, channels and float32 pixels).`);
  }
  if (img.channels !== channels) {
    throw new PainterlyError('BAD_MESSAGE', `The ${name} has ${img.channels} channel(s); it must be ${KIND[channels]} (${channels}).`);
  }
  if (img.data.length !== img.width * img.height * channels) {
    throw new PainterlyError('BAD_MESSAGE', `The ${name} is ${img.width}×${img.height}×${channels} but holds ${img.data.length} values.`);
  }
}

/** A part's image as checkImage, its region whole pixels inside the document, and the image the region's size. */
function checkPart(name: string, part: DocumentPart, channels: number, doc: Size): void {
  const r: Region | undefined = part?.region;
  if (!r || ![r.x0, r.y0].every(Number.isInteger) || !isCount(r.width) || !isCount(r.height)) {
    throw new PainterlyError('BAD_MESSAGE', `The ${name}'s region must be whole pixels with a width and height of at least 1, got ${JSON.stringify(r)}.`);
  }
  if (r.x0 < 0 || r.y0 < 0 || r.x0 + r.width > doc.width || r.y0 + r.height > doc.height) {
    throw new PainterlyError('BAD_MESSAGE', `The ${name}'s region (${describeRegion(r)}) reaches outside the ${doc.width}×${doc.height} document.`);
  }
  checkImage(name, part.image, channels);
  if (part.image.width !== r.width || part.image.height !== r.height) {
    throw new PainterlyError('SIZE_MISMATCH', `The ${name} is ${part.image.width}×${part.image.height} but its region is ${r.width}×${r.height}; they must be the same size.`);
  }
}

function isCount(v: unknown): v is number {
  return Number.isInteger(v) && (v as number) >= 1;
}
