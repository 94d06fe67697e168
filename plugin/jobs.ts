// Turns what the adapter read from Photoshop into a companion job (planes + options), and the
// companion's result back into the pixels of the new layer. Plain data in, plain data out.
import { PainterlyError } from '../shared/errors.js';
import type { JobOutput, JobRequest, PlaneInput } from '../shared/client.js';
import type { HarmonizeJobOptions, PhotoStyleJobOptions } from '../shared/protocol.js';
import { PanelError } from './errors.js';
import type { LayerPixels, PixelRead, Rect, Samples } from './photoshop/host.js';
import { alphaMask, compositeOver, convertBits, cropWithAlpha, isEmptyRect, maskBounds, overWhite, placeMask, placeRgba, rectHeight, rectWidth, type Bits } from './pixels.js';

/** A job ready to submit, with what is needed to write its result back. */
export interface PreparedJob {
  request: JobRequest;
  /** Where the result layer's pixels go (document coordinates). */
  rect: Rect;
  /** The plane the result covers (the document for harmonize, the content layer for photo style). */
  plane: Rect;
  /** 8-bit alpha of the result layer over `plane`. */
  alpha: Uint8Array;
  bits: Bits;
  /** Something the user should know about how the job was made, e.g. where the mask came from. */
  notice?: string;
}

function layerOf(read: PixelRead, id: number): LayerPixels {
  const px = read.layers.find((l) => l.layerId === id);
  if (!px) throw new PanelError('LAYER_MISSING');
  return px;
}

/**
 * Harmonize: the painting is the chosen layer, the composite is the pasted layer over it, the
 * mask is the selection or, without one, the pasted layer's transparency.
 */
export function prepareHarmonize(read: PixelRead, pastedId: number, paintingId: number, options: HarmonizeJobOptions): PreparedJob {
  const { width, height, bits } = read;
  const doc: Rect = { left: 0, top: 0, right: width, bottom: height };
  const pastedPx = layerOf(read, pastedId);
  if (isEmptyRect(pastedPx.rect)) throw new PanelError('EMPTY_LAYER', 'The pasted layer has no pixels: select the layer that holds the pasted object.');
  const pasted = placeRgba(pastedPx, doc, bits);
  const painting = placeRgba(layerOf(read, paintingId), doc, bits);
  const fromSelection = read.selection !== undefined;
  const mask = read.selection ? placeMask(read.selection, doc) : alphaMask(pasted, bits);
  const rect = maskBounds(mask, width, height);
  if (!rect) throw new PainterlyError('EMPTY_MASK', fromSelection ? 'The selection is empty: select the pasted object, or deselect to use its shape.' : undefined);
  if (mask.every((v) => v === 255)) throw new PainterlyError('FULL_MASK', 'The mask covers the whole document: select only the pasted object.');
  const fmt = { width, height, bitsPerChannel: bits } as const;
  const planes: PlaneInput[] = [
    { plane: 'painting', ...fmt, channels: 3, data: overWhite(painting, bits) },
    { plane: 'composite', ...fmt, channels: 3, data: compositeOver(pasted, painting, bits) },
    { plane: 'mask', ...fmt, bitsPerChannel: 8, channels: 1, data: mask },
  ];
  return {
    request: { options, planes },
    rect,
    plane: doc,
    alpha: mask,
    bits,
    notice: fromSelection ? undefined : 'No selection: the pasted layer’s shape is used as the mask.',
  };
}

/**
 * Photo style: the content is the active layer (over white), the style the reference layer;
 * label layers, when given, are read over the content's and the reference's areas.
 */
export function prepareLayerStyle(
  read: PixelRead,
  ids: { content: number; style: number; contentLabels?: number; styleLabels?: number },
  options: PhotoStyleJobOptions,
): PreparedJob {
  const bits = read.bits;
  const contentPx = layerOf(read, ids.content);
  const stylePx = layerOf(read, ids.style);
  if (isEmptyRect(contentPx.rect)) throw new PanelError('EMPTY_LAYER', 'The photo layer has no pixels.');
  if (isEmptyRect(stylePx.rect)) throw new PanelError('EMPTY_LAYER', 'The reference layer has no pixels.');
  const content = placeRgba(contentPx, contentPx.rect, bits);
  const planeOf = (px: LayerPixels, over: Rect, name: PlaneInput['plane']): PlaneInput => ({
    plane: name,
    width: rectWidth(over),
    height: rectHeight(over),
    channels: 3,
    bitsPerChannel: bits,
    data: overWhite(placeRgba(px, over, bits), bits),
  });
  const planes: PlaneInput[] = [
    { plane: 'content', width: rectWidth(contentPx.rect), height: rectHeight(contentPx.rect), channels: 3, bitsPerChannel: bits, data: overWhite(content, bits) },
    planeOf(stylePx, stylePx.rect, 'style'),
  ];
  if (ids.contentLabels !== undefined) planes.push(planeOf(layerOf(read, ids.contentLabels), contentPx.rect, 'contentLabels'));
  if (ids.styleLabels !== undefined) planes.push(planeOf(layerOf(read, ids.styleLabels), stylePx.rect, 'styleLabels'));
  return { request: { options, planes }, rect: contentPx.rect, plane: contentPx.rect, alpha: alphaMask(content, bits), bits };
}

/** The new layer's pixels: the result's colour inside `job.rect`, with the job's alpha. */
export function resultLayerPixels(job: PreparedJob, out: JobOutput): { rect: Rect; rgba: Samples } {
  const w = rectWidth(job.plane);
  const h = rectHeight(job.plane);
  if (out.width !== w || out.height !== h || out.channels !== 3) {
    throw new PainterlyError('SIZE_MISMATCH', `The companion returned a ${out.width}×${out.height} result with ${out.channels} channels for a ${w}×${h} RGB job.`);
  }
  const rgb = convertBits(out.data, job.bits);
  return { rect: job.rect, rgba: cropWithAlpha(rgb, job.alpha, w, job.plane, job.rect, job.bits) };
}
