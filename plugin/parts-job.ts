// A harmonization sent in parts (shared/protocol.ts HARMONIZE_PARTS_PLANES): the panel reads only
// what the job needs and never holds a document-sized plane. The whole painting is read scaled
// to the paper's size (Photoshop's targetSize); the painting around the object, the pasted
// layer over its bounds and the mask over its bounds are read at the document's resolution, a
// strip at a time, each strip sent before the next is read. The result comes back as the
// object's rectangle and becomes the new layer's pixels.
import { PainterlyError } from '../shared/errors.js';
import { nativeWindow, objectRegion, paperPaintingSide, paperSize, type DocRegion } from '../shared/native-window.js';
import { rowsPerChunk, UPLOAD_CHUNK_BYTES, type PlaneInput, type PlaneRows } from '../shared/plane-upload.js';
import type { JobOutput, JobRequest } from '../shared/client.js';
import type { HarmonizeJobOptions } from '../shared/protocol.js';
import { PanelError } from './errors.js';
import { allocSamples, mask8Of, maskExtent, pastedRgba, paperRgb, rgbOverWhite } from './parts-pixels.js';
import type { DocumentSummary, LayerSummary, PhotoshopHost, Rect, Samples } from './photoshop/host.js';
import { isEmptyRect, rectHeight, rectWidth, type Bits } from './pixels.js';
import { inSlices, rowsFor } from './slices.js';

const toRegion = (r: Rect): DocRegion => ({ x0: r.left, y0: r.top, width: rectWidth(r), height: rectHeight(r) });
const toRect = (r: DocRegion): Rect => ({ left: r.x0, top: r.y0, right: r.x0 + r.width, bottom: r.y0 + r.height });
const clip = (a: Rect, b: Rect): Rect => ({ left: Math.max(a.left, b.left), top: Math.max(a.top, b.top), right: Math.min(a.right, b.right), bottom: Math.min(a.bottom, b.bottom) });

/** What a job in parts reads, and where: decided from the document's summary before any pixel is read. */
export interface PartsPlan {
  documentId: number;
  doc: { width: number; height: number };
  bits: Bits;
  paintingId: number;
  pasted: LayerSummary;
  /** The mask is the selection, or else the pasted layer's shape. */
  fromSelection: boolean;
  /** Where the mask can be non-zero (the selection's or the pasted layer's bounds, on the canvas). */
  maskRect: Rect;
  /** The pasted layer's pixels on the canvas. */
  pastedRect: Rect;
  /** The painting read at the document's resolution. */
  window: Rect;
  /** The result's rectangle. */
  object: Rect;
  /** The whole painting's size as sent. */
  paper: { width: number; height: number };
}

/** The blend modes the companion's compositing reproduces (normal blending, as a paste shows). */
const NORMAL_MODES = new Set(['normal', 'passThrough']);

/** The plan of a harmonize job in parts, or a refusal in words for what the panel cannot send as the user sees it. */
export function planParts(doc: DocumentSummary, pasted: LayerSummary, paintingId: number, workingSize: number): PartsPlan {
  if (!NORMAL_MODES.has(pasted.blendMode)) {
    throw new PanelError('UNSUPPORTED_LAYER', `The pasted layer “${pasted.name}” blends in ${pasted.blendMode} mode; Painterly composites it normally. Set its blend mode to Normal, or merge it onto a normal layer, then try again.`);
  }
  const canvas: Rect = { left: 0, top: 0, right: doc.width, bottom: doc.height };
  const pastedRect = clip(pasted.bounds, canvas);
  if (isEmptyRect(pastedRect)) throw new PanelError('EMPTY_LAYER', 'The pasted layer has no pixels on the canvas: select the layer that holds the pasted object.');
  if ((pasted.opacity * pasted.fillOpacity) / 1e4 === 0) throw new PanelError('EMPTY_LAYER', `The pasted layer “${pasted.name}” has 0 % opacity: there is nothing to harmonize.`);
  const fromSelection = doc.hasSelection && doc.selectionBounds !== undefined;
  const maskRect = fromSelection ? clip(doc.selectionBounds!, canvas) : pastedRect;
  if (isEmptyRect(maskRect)) throw new PainterlyError('EMPTY_MASK', 'The selection lies outside the canvas: select the pasted object, or deselect to use its shape.');
  const size = { width: doc.width, height: doc.height };
  return {
    documentId: doc.id,
    doc: size,
    bits: doc.bits as Bits,
    paintingId,
    pasted,
    fromSelection,
    maskRect,
    pastedRect,
    window: toRect(nativeWindow(size, toRegion(maskRect), workingSize)),
    object: toRect(objectRegion(size, toRegion(maskRect), workingSize)),
    paper: paperSize(size, paperPaintingSide(size, workingSize)),
  };
}

/** A job in parts ready to submit, and what writing its result back needs. */
export interface PartsJob {
  request: JobRequest;
  bits: Bits;
  /** The job's mask over `maskRect`, 8-bit: the new layer's alpha. Filled while the pasted layer is sent when it comes from it. */
  mask: Uint8Array;
  maskRect: Rect;
  notice?: string;
}

/** Reads what must be known before sending (the paper's painting, the selection), and makes the planes that read the rest strip by strip. */
export async function preparePartsJob(host: PhotoshopHost, plan: PartsPlan, options: HarmonizeJobOptions, cancelled: () => boolean): Promise<PartsJob> {
  const { bits, documentId } = plan;
  const canvas: Rect = { left: 0, top: 0, right: plan.doc.width, bottom: plan.doc.height };

  const scaled = await host.readRegion({ documentId, source: { layer: plan.paintingId }, rect: canvas, targetSize: plan.paper });
  const painting = allocSamples(bits, plan.paper.width * plan.paper.height * 3);
  if (!(await inSlices(plan.paper.height, rowsFor(plan.paper.width), (r0, r1) => paperRgb(scaled, plan.doc, plan.paper, bits, painting, r0, r1), cancelled))) throw new PainterlyError('CANCELLED');

  const mask = plan.fromSelection ? mask8Of(await host.readRegion({ documentId, source: { selection: true }, rect: plan.maskRect }), plan.maskRect) : new Uint8Array(rectWidth(plan.maskRect) * rectHeight(plan.maskRect));
  if (plan.fromSelection) checkMask(mask, plan.maskRect, plan.doc, true);

  const fmt = (rect: Rect, channels: number, b: Bits) => ({ width: rectWidth(rect), height: rectHeight(rect), channels, bitsPerChannel: b, left: rect.left, top: rect.top });
  const opacity = (plan.pasted.opacity * plan.pasted.fillOpacity) / 1e4;
  const planes: PlaneInput[] = [
    { plane: 'painting', width: plan.paper.width, height: plan.paper.height, channels: 3, bitsPerChannel: bits, data: painting },
    {
      plane: 'pasted',
      ...fmt(plan.pastedRect, 4, bits),
      rows: stripReader(plan.pastedRect, 4, bits, async (strip, row0) => {
        // One after the other: each read is a modal scope of its own, and Photoshop runs one at a time.
        const px = await host.readRegion({ documentId, source: { layer: plan.pasted.id }, rect: strip });
        const layerMask = await host.readRegion({ documentId, source: { layerMask: plan.pasted.id }, rect: strip });
        const out = allocSamples(bits, rectWidth(strip) * rectHeight(strip) * 4);
        // Without a selection the mask is this layer's shape: keep its alpha as the strips go by.
        const alpha = plan.fromSelection ? undefined : mask.subarray(row0 * rectWidth(strip), (row0 + rectHeight(strip)) * rectWidth(strip));
        await inSlices(rectHeight(strip), rowsFor(rectWidth(strip)), (r0, r1) => pastedRgba(px, layerMask, opacity, strip, bits, out, alpha, r0, r1));
        return out;
      }),
    },
    {
      plane: 'mask',
      ...fmt(plan.maskRect, 1, 8),
      rows: stripReader(plan.maskRect, 1, 8, async (strip, row0) => {
        if (row0 === 0 && !plan.fromSelection) checkMask(mask, plan.maskRect, plan.doc, false);
        const w = rectWidth(strip);
        return mask.slice(row0 * w, (row0 + rectHeight(strip)) * w);
      }),
    },
    {
      plane: 'paintingWindow',
      ...fmt(plan.window, 3, bits),
      rows: stripReader(plan.window, 3, bits, async (strip) => {
        const px = await host.readRegion({ documentId, source: { layer: plan.paintingId }, rect: strip });
        const out = allocSamples(bits, rectWidth(strip) * rectHeight(strip) * 3);
        await inSlices(rectHeight(strip), rowsFor(rectWidth(strip)), (r0, r1) => rgbOverWhite(px, strip, bits, out, r0, r1));
        return out;
      }),
    },
  ];
  const smart = plan.pasted.kind === 'smartObject' ? ` “${plan.pasted.name}” is a smart object: its rendered pixels were used.` : '';
  const notice = (plan.fromSelection ? '' : 'No selection: the pasted layer’s shape is used as the mask.') + smart;
  return { request: { options, planes, document: plan.doc }, bits, mask, maskRect: plan.maskRect, ...(notice ? { notice: notice.trim() } : {}) };
}

/** Rows of `rect` read a strip at a time by `read(strip, firstRow)`: as many rows as fit one upload frame. */
function stripReader(rect: Rect, channels: number, bits: Bits, read: (strip: Rect, row0: number) => Promise<Samples>): PlaneRows {
  return {
    rowsPerChunk: rowsPerChunk({ width: rectWidth(rect), channels, bitsPerChannel: bits }, UPLOAD_CHUNK_BYTES),
    read: (row, count) => read({ left: rect.left, top: rect.top + row, right: rect.right, bottom: rect.top + row + count }, row),
  };
}

/** An empty or a whole-canvas mask cannot be harmonized: said before the companion works on it. */
function checkMask(mask: Uint8Array, rect: Rect, doc: { width: number; height: number }, fromSelection: boolean): void {
  let on = 0;
  for (let i = 0; i < mask.length; i++) if (mask[i] > 127) on++;
  if (on === 0) throw new PainterlyError('EMPTY_MASK', fromSelection ? 'The selection is empty: select the pasted object, or deselect to use its shape.' : 'The pasted layer is transparent everywhere (or hidden by its mask): there is nothing to harmonize.');
  if (on === doc.width * doc.height && rectWidth(rect) === doc.width && rectHeight(rect) === doc.height) throw new PainterlyError('FULL_MASK', 'The mask covers the whole document: select only the pasted object.');
}

/** The new layer's pixels: the result's colour where the job's mask is, over the mask's extent. */
export async function partsResultPixels(job: PartsJob, out: JobOutput): Promise<{ rect: Rect; rgba: Samples }> {
  if (out.left === undefined || out.top === undefined || out.channels !== 3) throw new PainterlyError('BAD_FRAME', 'The companion answered a job in parts without the place of its result.');
  const result: Rect = { left: out.left, top: out.top, right: out.left + out.width, bottom: out.top + out.height };
  const extent = maskExtent(job.mask, job.maskRect);
  if (!extent) throw new PainterlyError('EMPTY_MASK');
  const rect = clip(extent, result);
  if (isEmptyRect(rect) || rect.left !== extent.left || rect.top !== extent.top || rect.right !== extent.right || rect.bottom !== extent.bottom) {
    throw new PainterlyError('SIZE_MISMATCH', `The companion's result (${out.width}×${out.height} at ${out.left}, ${out.top}) does not cover the object's mask.`);
  }
  const w = rectWidth(rect);
  const mw = rectWidth(job.maskRect);
  const rgba = allocSamples(job.bits, w * rectHeight(rect) * 4);
  const from: Bits = out.data instanceof Uint16Array ? 16 : 8;
  const scale = job.bits === 16 ? 257 : 1;
  const convert = (v: number) => (from === job.bits ? v : job.bits === 16 ? v * 257 : Math.round(v / 257));
  await inSlices(rectHeight(rect), rowsFor(w), (r0, r1) => {
    for (let y = r0; y < r1; y++) {
      for (let x = 0; x < w; x++) {
        const s = ((rect.top - result.top + y) * out.width + (rect.left - result.left + x)) * 3;
        const d = (y * w + x) * 4;
        rgba[d] = convert(out.data[s]);
        rgba[d + 1] = convert(out.data[s + 1]);
        rgba[d + 2] = convert(out.data[s + 2]);
        rgba[d + 3] = job.mask[(rect.top - job.maskRect.top + y) * mw + (rect.left - job.maskRect.left + x)] * scale;
      }
    }
  });
  return { rect, rgba };
}
