// Where a harmonization needs the document's own pixels, computed the same way by the panel
// (which reads them) and the companion (which checks it was given enough): the object's
// rectangle — the mask's bounds plus the context native detail reads around them — grown by
// half its longer side for the painting nearby that detail is matched against, inside the
// document. Plain arithmetic; the panel bundles this file.

/** Columns [x0, x0 + width), rows [y0, y0 + height) of the document. */
export interface DocRegion {
  x0: number;
  y0: number;
  width: number;
  height: number;
}

export interface DocSize {
  width: number;
  height: number;
}

/** The paper's canvas long side for a working size: never larger than the document. */
export function paperSide(doc: DocSize, workingSize: number): number {
  return Math.min(workingSize, Math.max(doc.width, doc.height));
}

/**
 * Document pixels of context around the mask's bounds that native detail reads: the compositing
 * mask's spread, a 7×7 patch and the back-projection's footprint, a few paper pixels each.
 */
export function objectMargin(doc: DocSize, workingSize: number): number {
  return Math.ceil(32 + (4 * Math.max(doc.width, doc.height)) / paperSide(doc, workingSize));
}

/** `r` with its edges moved out to whole pixels and kept inside the document. */
export function clampToDocument(r: DocRegion, doc: DocSize): DocRegion {
  const x0 = Math.max(0, Math.floor(r.x0));
  const y0 = Math.max(0, Math.floor(r.y0));
  return { x0, y0, width: Math.min(doc.width, Math.ceil(r.x0 + r.width)) - x0, height: Math.min(doc.height, Math.ceil(r.y0 + r.height)) - y0 };
}

/** `r` grown by `by` on every side, inside the document. */
export function growRegion(r: DocRegion, by: number, doc: DocSize): DocRegion {
  return clampToDocument({ x0: r.x0 - by, y0: r.y0 - by, width: r.width + 2 * by, height: r.height + 2 * by }, doc);
}

/** The object's rectangle: the mask's bounds plus objectMargin, inside the document. The result covers it. */
export function objectRegion(doc: DocSize, maskBounds: DocRegion, workingSize: number): DocRegion {
  return growRegion(maskBounds, objectMargin(doc, workingSize), doc);
}

/**
 * The document region whose painting a harmonization reads natively: the object's rectangle grown
 * by half its longer side, plus one paper pixel and one more document pixel of slack, since a
 * coarser level's pixel at the window's edge reaches that far past it.
 */
export function nativeWindow(doc: DocSize, maskBounds: DocRegion, workingSize: number): DocRegion {
  const rect = objectRegion(doc, maskBounds, workingSize);
  const paper = paperSize(doc, paperSide(doc, workingSize));
  const slack = Math.ceil(Math.max(doc.width / paper.width, doc.height / paper.height)) + 1;
  return growRegion(rect, Math.max(rect.width, rect.height) / 2 + slack, doc);
}

/** The long side the panel sends the whole painting at: the working size, or the 700 px its noise is measured at if larger, never more than the document. */
export function paperPaintingSide(doc: DocSize, workingSize: number): number {
  return Math.min(Math.max(doc.width, doc.height), Math.max(workingSize, NOISE_SIDE));
}

/** The long side at which the painting's noise is measured (it sets pass 2's TV/histogram balance). */
export const NOISE_SIDE = 700;

/** Whether `inner` lies inside `outer`. */
export function regionContains(outer: DocRegion, inner: DocRegion): boolean {
  return inner.x0 >= outer.x0 && inner.y0 >= outer.y0 && inner.x0 + inner.width <= outer.x0 + outer.width && inner.y0 + inner.height <= outer.y0 + outer.height;
}

/** The canvas of a document resized to a long side of `side` (Torch's rule: each side floor(side · longSide / max)). */
export function paperSize(doc: DocSize, side: number): DocSize {
  const m = Math.max(doc.width, doc.height);
  return { width: Math.max(1, Math.floor((doc.width * side) / m)), height: Math.max(1, Math.floor((doc.height * side) / m)) };
}
