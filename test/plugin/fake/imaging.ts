// The fake `imaging` module: getPixels (trimmed to pixels that exist; with targetSize, a pyramid
// level and scaled data), getSelection, getLayerMask, createImageDataFromBuffer, putPixels,
// encodeImageData, with Photoshop's 16-bit range (0..32768, or 0..65535 with fullRange) and every
// PhotoshopImageData tracked until disposed. Each call checks the modal rule and Esc first, and
// works in slices (slicer.ts) as Photoshop works in its own process.
import type { PsBounds, PsImaging } from '../../../plugin/photoshop/uxp-types.js';
import { atLevel, CONSTANTS, intersect, isEmpty, nativeArray, nativeMax, normaliseBounds, rectHeight, rectWidth, union, type NativeData } from './constants.js';
import { CompositeRaster } from './composite.js';
import { encodeBmp, toBase64 } from './encode.js';
import { convertDepth, FakeImageData, flattenAlpha, nativeFromBuffer } from './image-data.js';
import type { FakeApp, FakeDocument } from './model.js';
import { copyRow, readRegion, StoredRaster, type Channels, type Raster } from './raster.js';
import { boxResample, chooseLevel, targetDimensions, type TargetSize } from './resample.js';
import type { Slicer } from './slicer.js';

export { compositeOf } from './composite.js';
export { FakeImageData } from './image-data.js';
export { encodeBmp } from './encode.js';

interface Read {
  data: NativeData;
  /** Level-0 bounds, or level-relative with a target size. */
  sourceBounds: PsBounds;
  level: number;
  width: number;
  height: number;
}

/** `region` of `src` as Photoshop returns it: as is, or scaled to `target` from the pyramid level a cache would use. */
async function readAt(src: Raster, region: PsBounds, channels: Channels, target: TargetSize | undefined, slicer: Slicer): Promise<Read> {
  if (!target) return { data: await readRegion(src, region, channels, slicer), sourceBounds: region, level: 0, width: rectWidth(region), height: rectHeight(region) };
  const { width, height } = targetDimensions(target, region);
  const level = chooseLevel(region, width, height);
  const data = await boxResample(src, region, width, height, slicer);
  return { data, sourceBounds: atLevel(region, level), level, width, height };
}

/** The flattened document over `region`, and whether a visible background makes it opaque. */
async function compositeSource(doc: FakeDocument, region: PsBounds, slicer: Slicer): Promise<{ src: Raster; opaque: boolean }> {
  const opaque = doc.allLayers().some((l) => l.isBackgroundLayer && l.visible);
  if (opaque) return { src: new CompositeRaster(doc, region), opaque };
  // Not opaque: flatten the part any visible layer covers once, so trimming and reading share it.
  const covered = doc.allLayers().filter((l) => l.visible && l.raster).reduce<PsBounds | undefined>((acc, l) => union(acc, l.bounds), undefined);
  const r = covered ? intersect(region, covered) : undefined;
  if (!r || isEmpty(r)) return { src: new StoredRaster({ left: 0, top: 0, right: 0, bottom: 0 }, 4, doc.bits, nativeArray(doc.bits, 0)), opaque };
  const flat = new CompositeRaster(doc, r);
  const data = nativeArray(doc.bits, rectWidth(r) * rectHeight(r) * 4);
  await slicer.rows(r.top, r.bottom, (y) => copyRow(flat, r, 4, data, y));
  return { src: new StoredRaster(r, 4, doc.bits, data), opaque };
}

export function createFakeImaging(app: FakeApp): PsImaging {
  const rgbOnly = (doc: FakeDocument) => {
    if (doc.mode !== CONSTANTS.DocumentMode.RGB || (doc.bits !== 8 && doc.bits !== 16)) {
      throw new Error(`The fake models imaging only for 8/16-bit RGB documents, not ${doc.mode} ${doc.bits}-bit.`);
    }
  };
  const requested = (doc: FakeDocument, b: PsBounds | undefined) => intersect(b ? normaliseBounds(b) : doc.rect, doc.rect);
  const grey = (r: Read, doc: FakeDocument) => new FakeImageData(app, r.width, r.height, 1, doc.bits as 8 | 16, 'Grayscale', r.data, 'Gray Gamma 2.2');

  return {
    async getPixels(o) {
      app.assertModal('imaging.getPixels');
      const doc = app.document(o.documentID);
      rgbOnly(doc);
      if (o.colorSpace && o.colorSpace !== 'RGB') throw new Error(`The fake returns RGB only, not ${o.colorSpace}.`);
      if (o.historyStateID !== undefined) throw new Error('The fake does not model historyStateID.');
      const size = o.componentSize === undefined || o.componentSize === -1 ? doc.bits : o.componentSize;
      if (size !== 8 && size !== 16) throw new Error(`The fake does not model componentSize ${size}.`);
      const slicer = app.slicer();
      const region = requested(doc, o.sourceBounds);
      let src: Raster;
      let opaque: boolean;
      if (o.layerID !== undefined) {
        const layer = doc.find(o.layerID);
        if (!layer) throw new Error(`No layer with id ${o.layerID}.`);
        if (!layer.raster) throw new Error(`Layer '${layer.name}' is not a pixel layer.`);
        // The layer's own pixels (a smart object's rendered ones): no mask, no opacity, as Photoshop documents.
        src = layer.raster;
        opaque = layer.isBackgroundLayer;
      } else {
        ({ src, opaque } = await compositeSource(doc, region, slicer));
      }
      // Trimmed to the pixels that exist inside the region, as Photoshop does.
      const bounds = opaque ? region : await src.contentIn(region, slicer);
      if (!bounds || isEmpty(bounds)) throw new Error('getPixels: there are no pixels in the requested area.');
      const read = await readAt(src, bounds, src.channels === 3 ? 3 : 4, o.targetSize, slicer);
      let data = read.data;
      if (data.length === read.width * read.height * 4 && (opaque || o.applyAlpha)) data = await flattenAlpha(data, doc.bits, o.applyAlpha === true, slicer);
      data = await convertDepth(data, doc.bits, size, slicer);
      const components = data.length / (read.width * read.height);
      const imageData = new FakeImageData(app, read.width, read.height, components, size, 'RGB', data, doc.colorProfileName);
      return { imageData, sourceBounds: read.sourceBounds, level: read.level };
    },

    async getSelection(o) {
      app.assertModal('imaging.getSelection');
      const doc = app.document(o.documentID);
      const s = doc.selectionRaster;
      const b = s?.content();
      if (!s || !b) throw new Error('getSelection: the document has no selection.');
      const region = o.sourceBounds ? intersect(normaliseBounds(o.sourceBounds), b) : b;
      if (isEmpty(region)) throw new Error('getSelection: the requested area holds no part of the selection.');
      const read = await readAt(s, region, 1, o.targetSize, app.slicer());
      return { imageData: grey(read, doc), sourceBounds: read.sourceBounds, level: read.level };
    },

    async getLayerMask(o) {
      app.assertModal('imaging.getLayerMask');
      const doc = app.document(o.documentID);
      const layer = doc.find(o.layerID);
      if (!layer) throw new Error(`No layer with id ${o.layerID}.`);
      // Photoshop does not document getLayerMask on a layer without a mask of that kind; the fake
      // rejects (the adapter takes a rejection as "this layer has no mask"). It models user masks only.
      if ((o.kind ?? 'user') === 'vector') throw new Error(`getLayerMask: layer '${layer.name}' has no vector mask.`);
      if (!layer.mask) throw new Error(`getLayerMask: layer '${layer.name}' has no user mask.`);
      // A user mask has a value everywhere on the canvas (black hides, it is not absent), so the
      // region is not trimmed by value: only to the canvas.
      const region = intersect(requested(doc, o.sourceBounds), layer.mask.rect);
      if (isEmpty(region)) throw new Error('getLayerMask: the requested area lies outside the document.');
      const read = await readAt(layer.mask, region, 1, o.targetSize, app.slicer());
      return { imageData: grey(read, doc), sourceBounds: read.sourceBounds, level: read.level };
    },

    async createImageDataFromBuffer(data, o) {
      app.assertNotCancelled();
      if (data.length !== o.width * o.height * o.components) {
        throw new Error(`createImageDataFromBuffer: ${data.length} values given; ${o.width}×${o.height}×${o.components} needs ${o.width * o.height * o.components}.`);
      }
      if (!o.colorSpace) throw new Error('createImageDataFromBuffer: colorSpace is required.');
      if (data instanceof Float32Array) throw new Error('The fake does not model 32-bit image data.');
      const native = await nativeFromBuffer(data, o, app.slicer());
      return new FakeImageData(app, o.width, o.height, o.components, data instanceof Uint16Array ? 16 : 8, o.colorSpace, native, o.colorProfile ?? '');
    },

    async putPixels(o) {
      app.assertModal('imaging.putPixels');
      const doc = app.document(o.documentID);
      rgbOnly(doc);
      const layer = doc.find(o.layerID);
      if (!layer) throw new Error(`No layer with id ${o.layerID}.`);
      // Smart objects, text, fills and groups are not pixel layers: Photoshop refuses to put pixels into them.
      if (!layer.raster || layer.kind !== CONSTANTS.LayerKind.NORMAL) throw new Error(`putPixels: layer '${layer.name}' is not a pixel layer.`);
      if (layer.pixelsLocked) throw new Error(`putPixels: could not complete the request because layer '${layer.name}' is locked.`);
      if (layer.isBackgroundLayer) throw new Error('The fake does not model putPixels on a background layer.');
      const img = o.imageData as FakeImageData;
      if (img.colorSpace !== 'RGB' || (img.components !== 3 && img.components !== 4)) throw new Error('putPixels: the fake takes RGB or RGBA image data.');
      const slicer = app.slicer();
      const src = await convertDepth(img.samples(), img.componentSize, doc.bits, slicer);
      const left = o.targetBounds?.left ?? 0;
      const top = o.targetBounds?.top ?? 0;
      const placed = intersect({ left, top, right: left + img.width, bottom: top + img.height }, doc.rect);
      const old = layer.raster;
      // Copy-on-write: a new raster (over the old one's area too when merging); the old one stays as history has it.
      const rect = o.replace !== false ? placed : (union(old.content(), placed) ?? placed);
      const data = o.replace !== false || isEmpty(rect) ? nativeArray(doc.bits, rectWidth(rect) * rectHeight(rect) * 4) : await readRegion(old, rect, 4, slicer);
      const m = nativeMax(doc.bits);
      const w = rectWidth(rect);
      const c = img.components;
      await slicer.rows(placed.top, placed.bottom, (y) => {
        for (let x = placed.left; x < placed.right; x++) {
          const s = ((y - top) * img.width + x - left) * c;
          const d = ((y - rect.top) * w + x - rect.left) * 4;
          data[d] = src[s];
          data[d + 1] = src[s + 1];
          data[d + 2] = src[s + 2];
          data[d + 3] = c === 4 ? src[s + 3] : m;
        }
      });
      app.assertModal('imaging.putPixels'); // Esc while it worked: nothing is written
      layer.raster = isEmpty(rect) ? new StoredRaster({ left: 0, top: 0, right: 0, bottom: 0 }, 4, doc.bits, data) : new StoredRaster(rect, 4, doc.bits, data);
      app.recordChange(doc, o.commandName ?? 'Put Pixels', 'set');
    },

    async encodeImageData(o) {
      app.assertNotCancelled();
      const img = o.imageData as FakeImageData;
      if (img.colorSpace !== 'RGB' || img.components !== 3 || img.componentSize !== 8) throw new Error('encodeImageData: RGB 8-bit image data only.');
      const bytes = encodeBmp(img.samples() as Uint8Array, img.width, img.height);
      return o.base64 ? toBase64(bytes) : Array.from(bytes);
    },
  };
}
