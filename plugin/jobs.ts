// A photo-style job from whole layers: what the adapter read from Photoshop into a companion job
// (planes + options), and the companion's result back into the pixels of the new layer. Plain
// data in, plain data out. (Harmonization is sent in parts: parts-job.ts.)
import { PainterlyError } from '../shared/errors.js';
import type { JobOutput, JobRequest, PlaneInput } from '../shared/client.js';
import type { HarmonizeJobOptions, PhotoStyleJobOptions } from '../shared/protocol.js';
import { PanelError } from './errors.js';
import type { LayerPixels, PixelRead, Rect, Samples } from './photoshop/host.js';
import { alphaMask, convertBits, cropWithAlpha, isEmptyRect, overWhite, placeRgba, rectHeight, rectWidth, type Bits } from './pixels.js';

/** A job ready to submit, with what is needed to write its result back. */
export interface PreparedJob {
  request: JobRequest;
  /** Where the result layer's pixels go (document coordinates). */
  rect: Rect;
  /** The plane the result covers (the content layer). */
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
