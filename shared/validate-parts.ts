// The rules of a harmonize job given in parts (`submit.document`, HARMONIZE_PARTS_PLANES): which
// planes, where each lies, and the paper-scale painting's size. Whether the window holds what
// native detail needs depends on the mask's pixels, so the pipeline checks that once they arrive.
import { PainterlyError, expected } from './errors.js';
import { paperPaintingSide, paperSize, type DocSize } from './native-window.js';
import { HARMONIZE_PARTS_PLANES, type PlaneDeclaration, type ResolvedJobOptions } from './protocol.js';
import type { InputPlaneName } from './frames.js';

/** Photoshop's largest document side. */
export const MAX_DOCUMENT_SIDE = 300_000;

export function parseDocumentSize(v: unknown): DocSize {
  const d = v as { width?: unknown; height?: unknown } | null;
  const side = (x: unknown) => typeof x === 'number' && Number.isInteger(x) && x >= 1 && x <= MAX_DOCUMENT_SIDE;
  if (typeof d !== 'object' || d === null || Array.isArray(d) || !side(d.width) || !side(d.height) || Object.keys(d).some((k) => k !== 'width' && k !== 'height')) {
    throw expected('document', `{ width, height }, integers from 1 to ${MAX_DOCUMENT_SIDE}`, v);
  }
  return { width: d.width as number, height: d.height as number };
}

/** The planes of a job in parts against the document: all four, placed inside it, the painting at the paper's scale. */
export function checkPartsPlanes(doc: DocSize, options: ResolvedJobOptions, planes: Map<InputPlaneName, PlaneDeclaration>): void {
  if (options.mode !== 'harmonize') throw new PainterlyError('BAD_MESSAGE', `Only harmonize jobs can be given in parts (with \`document\`), not ${options.mode}.`);
  for (const name of HARMONIZE_PARTS_PLANES) if (!planes.has(name)) throw new PainterlyError('BAD_MESSAGE', `A harmonize job in parts needs plane '${name}'.`);
  for (const p of planes.values()) {
    if (!(HARMONIZE_PARTS_PLANES as readonly string[]).includes(p.plane)) {
      throw new PainterlyError('BAD_MESSAGE', `A harmonize job in parts takes planes ${HARMONIZE_PARTS_PLANES.join(', ')}; got '${p.plane}'.`);
    }
    const placed = p.plane !== 'painting';
    if (!placed) {
      if (p.left !== undefined || p.top !== undefined) throw new PainterlyError('BAD_MESSAGE', "Plane 'painting' is the whole painting: it has no left or top.");
      continue;
    }
    if (p.left === undefined || p.top === undefined) throw new PainterlyError('BAD_MESSAGE', `Plane '${p.plane}' needs its left and top in the document.`);
    if (p.left + p.width > doc.width || p.top + p.height > doc.height) {
      throw new PainterlyError('BAD_MESSAGE', `Plane '${p.plane}' (${p.width}×${p.height} at ${p.left}, ${p.top}) reaches outside the ${doc.width}×${doc.height} document.`);
    }
  }
  const want = paperSize(doc, paperPaintingSide(doc, options.size));
  const painting = planes.get('painting')!;
  if (painting.width !== want.width || painting.height !== want.height) {
    throw new PainterlyError('SIZE_MISMATCH', `Plane 'painting' is ${painting.width}×${painting.height}; for a ${doc.width}×${doc.height} document at working size ${options.size} it must be the whole painting at ${want.width}×${want.height}.`);
  }
}
