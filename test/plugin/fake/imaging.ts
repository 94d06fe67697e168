// The fake `imaging` module: getPixels (trimmed to pixels that exist), getSelection,
// createImageDataFromBuffer, putPixels, encodeImageData, with Photoshop's 16-bit range
// (0..32768, or 0..65535 with fullRange) and every PhotoshopImageData tracked until disposed.
import type { PsBounds, PsComponentData, PsImageData, PsImaging } from '../../../plugin/photoshop/uxp-types.js';
import { CONSTANTS, nativeMax, nonZeroBounds, type FakeApp, type FakeDocument, type NativeData } from './model.js';

export class FakeImageData implements PsImageData {
  readonly colorProfile: string;
  readonly hasAlpha: boolean;
  readonly isChunky = true;
  readonly type = 'image/uncompressed';
  disposed = false;

  constructor(
    private readonly live: Set<FakeImageData>,
    readonly width: number,
    readonly height: number,
    readonly components: number,
    readonly componentSize: 8 | 16 | 32,
    readonly colorSpace: 'RGB' | 'Grayscale' | 'Lab',
    /** Chunky samples in Photoshop's native range. */
    private readonly native: PsComponentData,
    profile: string,
  ) {
    this.hasAlpha = colorSpace === 'Grayscale' ? components === 2 : components === 4;
    this.colorProfile = profile;
    live.add(this);
  }

  get pixelFormat(): PsImageData['pixelFormat'] {
    if (this.colorSpace === 'Grayscale') return this.hasAlpha ? 'GrayscaleAlpha' : 'Grayscale';
    if (this.colorSpace === 'Lab') return this.hasAlpha ? 'LABAlpha' : 'LAB';
    return this.hasAlpha ? 'RGBA' : 'RGB';
  }

  /** The native samples, for the fake's own use (putPixels, encodeImageData). */
  samples(): PsComponentData {
    if (this.disposed) throw new Error('This PhotoshopImageData was disposed.');
    return this.native;
  }

  async getData(options: { chunky?: boolean; fullRange?: boolean } = {}): Promise<PsComponentData> {
    const src = this.samples();
    let out: PsComponentData = src.slice();
    if (this.componentSize === 16 && options.fullRange) out = (out as Uint16Array).map((v) => Math.round((v * 65535) / 32768));
    if (options.chunky === false) {
      const planar = out.slice();
      const n = this.width * this.height;
      for (let p = 0; p < n; p++) for (let c = 0; c < this.components; c++) planar[c * n + p] = out[p * this.components + c];
      out = planar;
    }
    return out;
  }

  dispose(): void {
    this.disposed = true;
    this.live.delete(this);
  }
}

/** Converts native samples between 8 and 16 bits (Photoshop ranges). */
function convertNative(data: NativeData, from: number, to: number): NativeData {
  if (from === to) return data;
  const out = to === 16 ? new Uint16Array(data.length) : new Uint8Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = Math.round((data[i] * nativeMax(to)) / nativeMax(from));
  return out;
}

/** The visible layers flattened with normal blending and layer opacity: document-sized RGBA, native range. */
export function compositeOf(doc: FakeDocument): NativeData {
  const n = doc.width * doc.height;
  const m = nativeMax(doc.bits);
  const acc = new Float64Array(n * 4);
  const paint = (list: typeof doc.tree) => {
    for (const layer of [...list].reverse()) {
      if (!layer.visible) continue;
      if (layer.children) {
        paint(layer.children);
        continue;
      }
      const d = layer.data!;
      for (let p = 0; p < n; p++) {
        const at = (d[p * 4 + 3] / m) * (layer.opacity / 100);
        if (at === 0) continue; // exactly nothing above: keep what is below bit for bit
        const ab = acc[p * 4 + 3];
        const ao = at + ab * (1 - at);
        for (let c = 0; c < 3; c++) acc[p * 4 + c] = ((d[p * 4 + c] / m) * at + acc[p * 4 + c] * ab * (1 - at)) / ao;
        acc[p * 4 + 3] = ao;
      }
    }
  };
  paint(doc.tree);
  const out = doc.emptyPlane(4);
  for (let i = 0; i < out.length; i++) out[i] = Math.round(acc[i] * m);
  return out;
}

function intersect(a: PsBounds, b: PsBounds): PsBounds {
  return { left: Math.max(a.left, b.left), top: Math.max(a.top, b.top), right: Math.min(a.right, b.right), bottom: Math.min(a.bottom, b.bottom) };
}

function normaliseBounds(b: PsBounds & { width?: number; height?: number }): PsBounds {
  const right = b.right ?? b.left + (b.width ?? 0);
  const bottom = b.bottom ?? b.top + (b.height ?? 0);
  return { left: b.left, top: b.top, right, bottom };
}

function crop(plane: NativeData, docWidth: number, channels: number, r: PsBounds): NativeData {
  const w = r.right - r.left;
  const out = plane instanceof Uint16Array ? new Uint16Array(w * (r.bottom - r.top) * channels) : new Uint8Array(w * (r.bottom - r.top) * channels);
  for (let y = r.top; y < r.bottom; y++) out.set(plane.subarray((y * docWidth + r.left) * channels, (y * docWidth + r.right) * channels), (y - r.top) * w * channels);
  return out;
}

export function createFakeImaging(app: FakeApp & { document(id?: number): FakeDocument; live: Set<FakeImageData> }): PsImaging {
  const rgbOnly = (doc: FakeDocument) => {
    if (doc.mode !== CONSTANTS.DocumentMode.RGB || (doc.bits !== 8 && doc.bits !== 16)) {
      throw new Error(`The fake models imaging only for 8/16-bit RGB documents, not ${doc.mode} ${doc.bits}-bit.`);
    }
  };
  return {
    async getPixels(o) {
      app.assertModal('imaging.getPixels');
      const doc = app.document(o.documentID);
      rgbOnly(doc);
      if (o.targetSize) throw new Error('The fake does not model targetSize (pyramid levels).');
      if (o.colorSpace && o.colorSpace !== 'RGB') throw new Error(`The fake returns RGB only, not ${o.colorSpace}.`);
      const size = o.componentSize === undefined || o.componentSize === -1 ? doc.bits : o.componentSize;
      if (size !== 8 && size !== 16) throw new Error(`The fake does not model componentSize ${size}.`);
      let plane: NativeData;
      let opaque = false;
      if (o.layerID !== undefined) {
        const layer = doc.find(o.layerID);
        if (!layer) throw new Error(`No layer with id ${o.layerID}.`);
        if (!layer.data) throw new Error(`Layer '${layer.name}' is not a pixel layer.`);
        plane = layer.data;
        opaque = layer.isBackgroundLayer;
      } else {
        plane = compositeOf(doc);
        opaque = doc.allLayers().some((l) => l.isBackgroundLayer && l.visible);
      }
      const whole = { left: 0, top: 0, right: doc.width, bottom: doc.height };
      const region = intersect(o.sourceBounds ? normaliseBounds(o.sourceBounds) : whole, whole);
      // Trimmed to the pixels that exist inside the region, as Photoshop does.
      const rw = region.right - region.left;
      const inside = nonZeroBounds((i) => plane[((region.top + Math.floor(i / rw)) * doc.width + region.left + (i % rw)) * 4 + 3], rw, region.bottom - region.top);
      if (!inside) throw new Error('getPixels: there are no pixels in the requested area.');
      const bounds = { left: region.left + inside.left, top: region.top + inside.top, right: region.left + inside.right, bottom: region.top + inside.bottom };
      let data = crop(plane, doc.width, 4, bounds);
      const m = nativeMax(doc.bits);
      if (opaque || o.applyAlpha) {
        const rgb = data instanceof Uint16Array ? new Uint16Array((data.length / 4) * 3) : new Uint8Array((data.length / 4) * 3);
        for (let p = 0; p < data.length / 4; p++) {
          const a = data[p * 4 + 3];
          for (let c = 0; c < 3; c++) rgb[p * 3 + c] = o.applyAlpha ? Math.round((data[p * 4 + c] * a + m * (m - a)) / m) : data[p * 4 + c];
        }
        data = rgb;
      }
      data = convertNative(data, doc.bits, size);
      const components = opaque || o.applyAlpha ? 3 : 4;
      const imageData = new FakeImageData(app.live, bounds.right - bounds.left, bounds.bottom - bounds.top, components, size as 8 | 16, 'RGB', data, doc.colorProfileName);
      return { imageData, sourceBounds: bounds, level: 0 };
    },

    async getSelection(o) {
      app.assertModal('imaging.getSelection');
      const doc = app.document(o.documentID);
      const s = doc.selectionData;
      const b = s && nonZeroBounds((i) => s[i], doc.width, doc.height);
      if (!s || !b) throw new Error('getSelection: the document has no selection.');
      if (o.targetSize) throw new Error('The fake does not model targetSize.');
      const region = o.sourceBounds ? intersect(normaliseBounds(o.sourceBounds), b) : b;
      const data = crop(s, doc.width, 1, region);
      const imageData = new FakeImageData(app.live, region.right - region.left, region.bottom - region.top, 1, doc.bits as 8 | 16, 'Grayscale', data, 'Gray Gamma 2.2');
      return { imageData, sourceBounds: region };
    },

    async createImageDataFromBuffer(data, o) {
      if (data.length !== o.width * o.height * o.components) {
        throw new Error(`createImageDataFromBuffer: ${data.length} values given; ${o.width}×${o.height}×${o.components} needs ${o.width * o.height * o.components}.`);
      }
      if (!o.colorSpace) throw new Error('createImageDataFromBuffer: colorSpace is required.');
      if (data instanceof Float32Array) throw new Error('The fake does not model 32-bit image data.');
      let native: NativeData = data.slice();
      const size = data instanceof Uint16Array ? 16 : 8;
      if (size === 16) native = (native as Uint16Array).map((v) => (o.fullRange ? Math.round((v * 32768) / 65535) : Math.min(v, 32768)));
      if (o.chunky === false) {
        const chunky = native.slice();
        const n = o.width * o.height;
        for (let p = 0; p < n; p++) for (let c = 0; c < o.components; c++) chunky[p * o.components + c] = native[c * n + p];
        native = chunky;
      }
      return new FakeImageData(app.live, o.width, o.height, o.components, size, o.colorSpace, native, o.colorProfile ?? '');
    },

    async putPixels(o) {
      app.assertModal('imaging.putPixels');
      const doc = app.document(o.documentID);
      rgbOnly(doc);
      const layer = doc.find(o.layerID);
      if (!layer) throw new Error(`No layer with id ${o.layerID}.`);
      if (!layer.data || layer.kind !== CONSTANTS.LayerKind.NORMAL) throw new Error(`putPixels: layer '${layer.name}' is not a pixel layer.`);
      const img = o.imageData as FakeImageData;
      if (img.colorSpace !== 'RGB' || (img.components !== 3 && img.components !== 4)) throw new Error('putPixels: the fake takes RGB or RGBA image data.');
      const src = convertNative(img.samples() as NativeData, img.componentSize, doc.bits);
      const dst = layer.data;
      if (o.replace !== false) dst.fill(0);
      const left = o.targetBounds?.left ?? 0;
      const top = o.targetBounds?.top ?? 0;
      const m = nativeMax(doc.bits);
      for (let y = 0; y < img.height; y++) {
        const dy = top + y;
        if (dy < 0 || dy >= doc.height) continue;
        for (let x = 0; x < img.width; x++) {
          const dx = left + x;
          if (dx < 0 || dx >= doc.width) continue;
          const s = (y * img.width + x) * img.components;
          const d = (dy * doc.width + dx) * 4;
          dst[d] = src[s];
          dst[d + 1] = src[s + 1];
          dst[d + 2] = src[s + 2];
          dst[d + 3] = img.components === 4 ? src[s + 3] : m;
        }
      }
      app.recordChange(doc, o.commandName ?? 'Put Pixels', 'set');
    },

    async encodeImageData(o) {
      const img = o.imageData as FakeImageData;
      if (img.colorSpace !== 'RGB' || img.components !== 3 || img.componentSize !== 8) throw new Error('encodeImageData: RGB 8-bit image data only.');
      // Photoshop answers with JPEG; the fake writes a BMP, which browsers sniff and show all the same.
      const bytes = encodeBmp(img.samples() as Uint8Array, img.width, img.height);
      return o.base64 ? toBase64(bytes) : Array.from(bytes);
    },
  };
}

/** A 24-bit bottom-up BMP of chunky RGB samples. */
export function encodeBmp(rgb: Uint8Array, width: number, height: number): Uint8Array {
  const rowBytes = Math.ceil((width * 3) / 4) * 4;
  const size = 54 + rowBytes * height;
  const out = new Uint8Array(size);
  const v = new DataView(out.buffer);
  out[0] = 0x42;
  out[1] = 0x4d;
  v.setUint32(2, size, true);
  v.setUint32(10, 54, true);
  v.setUint32(14, 40, true);
  v.setInt32(18, width, true);
  v.setInt32(22, height, true);
  v.setUint16(26, 1, true);
  v.setUint16(28, 24, true);
  v.setUint32(34, rowBytes * height, true);
  for (let y = 0; y < height; y++) {
    const row = 54 + (height - 1 - y) * rowBytes;
    for (let x = 0; x < width; x++) {
      const s = (y * width + x) * 3;
      out[row + x * 3] = rgb[s + 2];
      out[row + x * 3 + 1] = rgb[s + 1];
      out[row + x * 3 + 2] = rgb[s];
    }
  }
  return out;
}

function toBase64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}
