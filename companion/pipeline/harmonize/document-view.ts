// The document's own pixels as native detail and the enlargement read them: an image over a
// region of the document, with what lies outside that region. A whole document is a view of
// itself; a document given in parts (the panel) sends the painting only around the object and
// the tight mask only where it is not 0, so its views say what a read outside them means: the
// mask is 0 there, and the painting is not there at all — reading it would be a bug or a window
// too small, which is refused rather than guessed.
import { PainterlyError } from '../../../shared/errors.js';
import { firstChannel, type Image } from '../../image/image.js';
import { boundsAbove, type Region, type Size } from '../../image/planar.js';

export interface DocumentView {
  /** The document's size: reads near its edge repeat the edge pixel, as on a whole document. */
  doc: Size;
  /** Where `image` lies in the document. */
  region: Region;
  image: Image;
  /** Outside `region`: 0 ('zero'), or nothing to read ('refuse': BAD_MESSAGE naming `what`). */
  outside: 'zero' | 'refuse';
  /** What the view holds, for the refusal's sentence ("the painting window"). */
  what: string;
}

/** A whole document-sized image as a view (never read outside). */
export function wholeDocument(image: Image, what = 'the document'): DocumentView {
  return { doc: { width: image.width, height: image.height }, region: { x0: 0, y0: 0, width: image.width, height: image.height }, image, outside: 'refuse', what };
}

/** A part of the document that is 0 everywhere else (a mask). */
export function zeroOutside(part: { region: Region; image: Image }, doc: Size, what: string): DocumentView {
  return { doc, region: part.region, image: part.image, outside: 'zero', what };
}

/** A part of the document beyond which nothing may be read (the painting the panel sent). */
export function refuseOutside(part: { region: Region; image: Image }, doc: Size, what: string): DocumentView {
  return { doc, region: part.region, image: part.image, outside: 'refuse', what };
}

/** The view with its image's first channel only (masks are read from the first channel). */
export function firstChannelView(view: DocumentView): DocumentView {
  return { ...view, image: firstChannel(view.image) };
}

/** Columns [x0, x0 + width), rows … as a sentence's words. */
export function describeRegion(r: Region): string {
  return `columns ${r.x0}–${r.x0 + r.width - 1}, rows ${r.y0}–${r.y0 + r.height - 1}`;
}

/** Throws BAD_MESSAGE when a refusing view does not hold all of `reads` (document pixels), saying what was sent and what is needed. */
export function requireInside(view: DocumentView, reads: Region, by: string): void {
  if (view.outside === 'zero') return;
  const r = view.region;
  if (reads.x0 >= r.x0 && reads.y0 >= r.y0 && reads.x0 + reads.width <= r.x0 + r.width && reads.y0 + reads.height <= r.y0 + r.height) return;
  throw new PainterlyError('BAD_MESSAGE', `${capitalise(by)} reads ${view.what} over ${describeRegion(reads)} of the ${view.doc.width}×${view.doc.height} document, but it was sent only over ${describeRegion(r)}: the panel sent too small a window.`);
}

/** `r` (inside the document) cut from the view: 0 outside its region for a mask, a refusal for the painting. */
export function cropView(view: DocumentView, r: Region, by: string): Image {
  requireInside(view, r, by);
  const { image, region } = view;
  const c = image.channels;
  const out = new Float32Array(r.width * r.height * c);
  // The rows and columns of `r` that the view holds (all of them for a refusing view).
  const x0 = Math.max(r.x0, region.x0), x1 = Math.min(r.x0 + r.width, region.x0 + region.width);
  const y0 = Math.max(r.y0, region.y0), y1 = Math.min(r.y0 + r.height, region.y0 + region.height);
  for (let y = y0; y < y1 && x0 < x1; y++) {
    const from = ((y - region.y0) * image.width + (x0 - region.x0)) * c;
    out.set(image.data.subarray(from, from + (x1 - x0) * c), ((y - r.y0) * r.width + (x0 - r.x0)) * c);
  }
  return { width: r.width, height: r.height, channels: c, data: out };
}

/** The smallest document region holding every pixel whose first channel is above `threshold`; undefined when none is. */
export function boundsInDocument(view: DocumentView, threshold: number): Region | undefined {
  const b = boundsAbove(view.image, threshold);
  return b && { ...b, x0: b.x0 + view.region.x0, y0: b.y0 + view.region.y0 };
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
