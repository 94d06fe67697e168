// What the user sees: the visible layers flattened, each through its user mask, with opacity ×
// fill opacity and its blend mode (normal, multiply, screen; groups pass through or, with another
// mode, are flattened on their own first). Layers are read as Photoshop stores them (no mask in
// their pixels); this is where masks and opacities apply. Computed a row at a time, as a raster,
// so a 48 Mpx document is never flattened into one array unless a caller asks for all of it.
import type { PsBounds } from '../../../plugin/photoshop/uxp-types.js';
import { CONSTANTS, nativeArray, nativeMax, rectWidth, type NativeData } from './constants.js';
import { Raster, readRegionNow } from './raster.js';
import type { FakeDocument, FakeLayer } from './model.js';

const { NORMAL, MULTIPLY, SCREEN, PASSTHROUGH } = CONSTANTS.BlendMode;

/** The blend functions B(backdrop, source) of the modes the fake models, on values 0..1. */
const BLEND: Record<string, (cb: number, cs: number) => number> = {
  [MULTIPLY]: (cb, cs) => cb * cs,
  [SCREEN]: (cb, cs) => cb + cs - cb * cs,
};

/** The visible layers flattened over `rect`: four channels, native range, one row per read. */
export class CompositeRaster extends Raster {
  readonly channels = 4;
  readonly bytes = 0;
  readonly bits: number;
  private readonly acc: Float64Array;
  private readonly out: NativeData;
  private readonly scratch: Float64Array[] = [];

  constructor(
    private readonly doc: FakeDocument,
    readonly rect: PsBounds,
  ) {
    super();
    this.bits = doc.bits;
    this.acc = new Float64Array(rectWidth(rect) * 4);
    this.out = nativeArray(doc.bits, rectWidth(rect) * 4);
    for (const l of doc.allLayers()) checkMode(l);
  }

  row(y: number): NativeData {
    this.acc.fill(0);
    this.paint(this.doc.tree, y, this.acc, 0);
    const m = nativeMax(this.bits);
    for (let i = 0; i < this.acc.length; i++) this.out[i] = Math.round(this.acc[i] * m);
    return this.out;
  }

  /** A row buffer for nesting depth `depth` (reused: no allocation per row). */
  private buffer(depth: number): Float64Array {
    return (this.scratch[depth] ??= new Float64Array(this.acc.length));
  }

  /** Paints `list` (topmost first) onto `acc`, bottom layer first. */
  private paint(list: readonly FakeLayer[], y: number, acc: Float64Array, depth: number): void {
    for (let i = list.length - 1; i >= 0; i--) {
      const layer = list[i];
      if (!layer.visible) continue;
      const scale = (layer.opacity / 100) * (layer.children ? 1 : layer.fillOpacity / 100);
      if (layer.children) {
        const own = this.buffer(depth);
        if (layer.blendMode === PASSTHROUGH) {
          if (scale === 1 && !layer.mask) {
            this.paint(layer.children, y, acc, depth + 1);
            continue;
          }
          // Pass-through with opacity or a mask: the children on the backdrop, mixed back by opacity × mask.
          own.set(acc);
          this.paint(layer.children, y, own, depth + 1);
          this.mix(acc, own, scale, layer, y);
          continue;
        }
        own.fill(0);
        this.paint(layer.children, y, own, depth + 1);
        this.fade(own, scale, layer, y);
        blend(acc, own, layer.blendMode);
        continue;
      }
      const src = this.buffer(depth);
      if (!this.source(layer, y, src)) continue;
      this.fade(src, scale, layer, y);
      blend(acc, src, layer.blendMode);
    }
  }

  /** The layer's row y as RGBA 0..1 over this raster's columns; false when it has no pixels there. */
  private source(layer: FakeLayer, y: number, out: Float64Array): boolean {
    const r = layer.raster!;
    if (y < r.rect.top || y >= r.rect.bottom || r.rect.right <= this.rect.left || r.rect.left >= this.rect.right) return false;
    out.fill(0);
    const row = r.row(y);
    const m = nativeMax(this.bits);
    const c = r.channels;
    const from = Math.max(r.rect.left, this.rect.left);
    const to = Math.min(r.rect.right, this.rect.right);
    for (let x = from; x < to; x++) {
      const s = (x - r.rect.left) * c;
      const d = (x - this.rect.left) * 4;
      out[d] = row[s] / m;
      out[d + 1] = row[s + 1] / m;
      out[d + 2] = row[s + 2] / m;
      out[d + 3] = c === 4 ? row[s + 3] / m : 1;
    }
    return true;
  }

  /** The layer's user mask at row y (0..1, one per column of this raster), or undefined without a mask. */
  private maskRow(layer: FakeLayer, y: number): ((i: number) => number) | undefined {
    const mask = layer.mask;
    if (!mask) return undefined;
    if (y < mask.rect.top || y >= mask.rect.bottom) return () => 0;
    const row = mask.row(y);
    const m = nativeMax(mask.bits);
    return (i) => {
      const x = this.rect.left + i;
      return x < mask.rect.left || x >= mask.rect.right ? 0 : row[x - mask.rect.left] / m;
    };
  }

  /** Scales the alpha of `src` by opacity × fill opacity and the mask. */
  private fade(src: Float64Array, scale: number, layer: FakeLayer, y: number): void {
    const mask = this.maskRow(layer, y);
    if (scale === 1 && !mask) return;
    for (let i = 0; i < src.length / 4; i++) src[i * 4 + 3] = mask ? src[i * 4 + 3] * scale * mask(i) : src[i * 4 + 3] * scale;
  }

  /** acc ← acc mixed toward `over` by t = scale × mask (premultiplied). */
  private mix(acc: Float64Array, over: Float64Array, scale: number, layer: FakeLayer, y: number): void {
    const mask = this.maskRow(layer, y);
    for (let i = 0; i < acc.length / 4; i++) {
      const t = mask ? scale * mask(i) : scale;
      const p = i * 4;
      const ab = acc[p + 3];
      const a = ab + (over[p + 3] - ab) * t;
      for (let k = 0; k < 3; k++) acc[p + k] = a > 0 ? (acc[p + k] * ab + (over[p + k] * over[p + 3] - acc[p + k] * ab) * t) / a : 0;
      acc[p + 3] = a;
    }
  }
}

/** Refuses blend modes the fake does not model, before any pixel is read. */
function checkMode(layer: FakeLayer): void {
  const mode = layer.blendMode;
  if (mode === NORMAL || BLEND[mode]) return;
  if (mode === PASSTHROUGH && layer.children) return;
  throw new Error(`The fake does not model blend mode '${mode}' (layer '${layer.name}'): it composites normal, multiply and screen.`);
}

/** Source `src` (RGBA 0..1, alpha already faded) over the backdrop `acc`, in place (W3C compositing with a blend function). */
function blend(acc: Float64Array, src: Float64Array, mode: string): void {
  const f = BLEND[mode];
  for (let p = 0; p < acc.length; p += 4) {
    const at = src[p + 3];
    if (at === 0) continue; // exactly nothing above: keep what is below bit for bit
    const ab = acc[p + 3];
    const ao = at + ab * (1 - at);
    for (let c = 0; c < 3; c++) {
      const cs = src[p + c];
      const cb = acc[p + c];
      acc[p + c] = f ? (at * (1 - ab) * cs + at * ab * f(cb, cs) + (1 - at) * ab * cb) / ao : (cs * at + cb * ab * (1 - at)) / ao;
    }
    acc[p + 3] = ao;
  }
}

/** The visible layers flattened over `region` (default the document): RGBA, native range, in one go (tests). */
export function compositeOf(doc: FakeDocument, region: PsBounds = doc.rect): NativeData {
  return readRegionNow(new CompositeRaster(doc, region), region, 4);
}
