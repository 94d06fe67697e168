// Pixels as the fake stores them: a raster covers a rectangle of the document (a layer's pixels
// only over where it has them, not the whole canvas), chunky, in Photoshop's native range, with
// 1 (masks, selections), 3 (background layers: opaque, no alpha) or 4 (RGBA) samples a pixel.
// Rasters never change once made: a write makes a new one (copy-on-write), so a history snapshot
// keeps references, and whatever is derived from a raster (its content bounds) is cached on it.
import type { PsBounds } from '../../../plugin/photoshop/uxp-types.js';
import { contains, intersect, isEmpty, nativeArray, nativeMax, rectHeight, rectWidth, type NativeData } from './constants.js';
import type { Slicer } from './slicer.js';

export type Channels = 1 | 3 | 4;

/** Colour at (x, y) as floats 0..1 (RGBA), or undefined for transparent. */
export type PixelFill = (x: number, y: number) => readonly [number, number, number, number] | undefined;
/**
 * The fast form for big scenes: fills `row` (RGBA floats 0..1, all zero on entry, i.e.
 * transparent) for the pixels (left + i, y), i = 0 … row.length / 4 − 1.
 */
export type RowFill = (y: number, row: Float32Array, left: number) => void;

export abstract class Raster {
  abstract readonly rect: PsBounds;
  abstract readonly channels: Channels;
  abstract readonly bits: number;
  /** Bytes this raster keeps in memory. */
  abstract readonly bytes: number;
  /** Row y (inside rect) over rect.left … rect.right; may be a scratch buffer, valid until the next call. */
  abstract row(y: number): NativeData;

  private cachedContent: PsBounds | null | undefined;

  /**
   * Bounds of the pixels that are not empty (alpha ≠ 0; value ≠ 0 for one channel; all of rect
   * for three, which are opaque). Computed once: rasters do not change.
   */
  content(): PsBounds | undefined {
    if (this.cachedContent === undefined) {
      if (this.channels === 3 || isEmpty(this.rect)) this.cachedContent = isEmpty(this.rect) ? null : this.rect;
      else this.cachedContent = this.scan(this.rect, this.rect.top, this.rect.bottom, undefined) ?? null;
    }
    return this.cachedContent ?? undefined;
  }

  /** Content bounds inside `region`, exactly: the cached bounds when they lie inside it, else a (sliced) scan. */
  async contentIn(region: PsBounds, slicer: Slicer): Promise<PsBounds | undefined> {
    const all = this.content();
    if (!all) return undefined;
    const r = intersect(region, all);
    if (isEmpty(r)) return undefined;
    if (contains(region, all) || this.channels === 3) return r;
    let found: PsBounds | undefined;
    await slicer.rows(r.top, r.bottom, (y) => {
      found = this.scan(r, y, y + 1, found);
    });
    return found;
  }

  /** Grows `found` by the non-empty pixels of rows [top, bottom) inside `r`. */
  private scan(r: PsBounds, top: number, bottom: number, found: PsBounds | undefined): PsBounds | undefined {
    const c = this.channels;
    let b = found ? { ...found } : undefined;
    for (let y = top; y < bottom; y++) {
      const row = this.row(y);
      let first = -1;
      let last = -1;
      for (let x = r.left; x < r.right; x++) {
        if (row[(x - this.rect.left) * c + c - 1] === 0) continue;
        if (first < 0) first = x;
        last = x;
      }
      if (first < 0) continue;
      if (!b) b = { left: first, top: y, right: last + 1, bottom: y + 1 };
      else b = { left: Math.min(b.left, first), top: Math.min(b.top, y), right: Math.max(b.right, last + 1), bottom: y + 1 };
    }
    return b;
  }
}

/** Pixels kept in a typed array over `rect`. */
export class StoredRaster extends Raster {
  constructor(
    readonly rect: PsBounds,
    readonly channels: Channels,
    readonly bits: number,
    readonly data: NativeData,
  ) {
    super();
    if (data.length !== rectWidth(rect) * rectHeight(rect) * channels) throw new Error('StoredRaster: the data does not fit its rectangle.');
  }

  get bytes(): number {
    return this.data.byteLength;
  }

  row(y: number): NativeData {
    const n = rectWidth(this.rect) * this.channels;
    const at = (y - this.rect.top) * n;
    return this.data.subarray(at, at + n);
  }
}

/**
 * Pixels computed from a RowFill on every read and never stored: for the big benchmark scene,
 * whose painting would otherwise take 8000 × 6000 × 3 × 2 bytes (288 MB) of the page's memory
 * (in real Photoshop it lives in Photoshop's process, not the panel's).
 */
export class RowRaster extends Raster {
  private readonly floats: Float32Array;
  private readonly native: NativeData;
  readonly bytes = 0;

  constructor(
    readonly rect: PsBounds,
    readonly channels: 3 | 4,
    readonly bits: number,
    private readonly fill: RowFill,
  ) {
    super();
    this.floats = new Float32Array(rectWidth(rect) * 4);
    this.native = nativeArray(bits, rectWidth(rect) * channels);
  }

  row(y: number): NativeData {
    const f = this.floats;
    f.fill(0);
    this.fill(y, f, this.rect.left);
    const m = nativeMax(this.bits);
    const c = this.channels;
    const out = this.native;
    const n = f.length / 4;
    for (let p = 0; p < n; p++) for (let k = 0; k < c; k++) out[p * c + k] = toNative(f[p * 4 + k], m);
    return out;
  }
}

export const toNative = (v: number, max: number): number => Math.round((v < 0 ? 0 : v > 1 ? 1 : v) * max);

export function emptyRaster(bits: number, channels: Channels = 4): StoredRaster {
  return new StoredRaster({ left: 0, top: 0, right: 0, bottom: 0 }, channels, bits, nativeArray(bits, 0));
}

/**
 * Copies row y of `region` from `src` into `out` (region-sized, `channels` a pixel, starting at
 * the region's first row), converting RGB ↔ RGBA (alpha = opaque); zeros outside the raster.
 */
export function copyRow(src: Raster, region: PsBounds, channels: Channels, out: NativeData, y: number): void {
  const w = rectWidth(region);
  const base = (y - region.top) * w * channels;
  const r = intersect(src.rect, { left: region.left, top: y, right: region.right, bottom: y + 1 });
  if (isEmpty(r)) return;
  const row = src.row(y);
  const sc = src.channels;
  const sx = r.left - src.rect.left;
  const dx = r.left - region.left;
  const n = r.right - r.left;
  if (sc === channels) {
    out.set(row.subarray(sx * sc, (sx + n) * sc), base + dx * channels);
    return;
  }
  const opaque = nativeMax(src.bits);
  for (let i = 0; i < n; i++) {
    const s = (sx + i) * sc;
    const d = base + (dx + i) * channels;
    if (channels === 1) {
      out[d] = row[s + sc - 1];
      continue;
    }
    out[d] = row[s];
    out[d + 1] = row[s + 1];
    out[d + 2] = row[s + 2];
    if (channels === 4) out[d + 3] = sc === 4 ? row[s + 3] : opaque;
  }
}

/** `region` of `src` as a chunky array (sliced). */
export async function readRegion(src: Raster, region: PsBounds, channels: Channels, slicer: Slicer): Promise<NativeData> {
  const out = nativeArray(src.bits, rectWidth(region) * rectHeight(region) * channels);
  await slicer.rows(region.top, region.bottom, (y) => copyRow(src, region, channels, out, y));
  return out;
}

/** `region` of `src` as a chunky array, in one go (test set-up and small documents). */
export function readRegionNow(src: Raster, region: PsBounds, channels: Channels): NativeData {
  const out = nativeArray(src.bits, rectWidth(region) * rectHeight(region) * channels);
  for (let y = region.top; y < region.bottom; y++) copyRow(src, region, channels, out, y);
  return out;
}

/** The raster cut down to its content (a copy), or itself when there is nothing to cut. */
export function trimmed(src: Raster): Raster {
  const c = src.content();
  if (!c) return emptyRaster(src.bits, src.channels);
  if (c.left === src.rect.left && c.top === src.rect.top && c.right === src.rect.right && c.bottom === src.rect.bottom) return src;
  return new StoredRaster(c, src.channels, src.bits, readRegionNow(src, c, src.channels));
}

/** Stores pixels given per row over `rect`, trimmed to where they exist (opaque: 3 channels, not trimmed). */
export function storeFill(rect: PsBounds, bits: number, opaque: boolean, rows: RowFill): Raster {
  const channels = opaque ? 3 : 4;
  const raster = new RowRaster(rect, channels, bits, opaque ? opaqueRows(rows) : rows);
  const stored = new StoredRaster(rect, channels, bits, readRegionNow(raster, rect, channels));
  return opaque ? stored : trimmed(stored);
}

/** A procedural raster (see RowRaster); opaque ones are white where the fill leaves them transparent. */
export function proceduralFill(rect: PsBounds, bits: number, opaque: boolean, rows: RowFill): Raster {
  return new RowRaster(rect, opaque ? 3 : 4, bits, opaque ? opaqueRows(rows) : rows);
}

/** A RowFill from a PixelFill. */
export function rowsOf(pixel: PixelFill): RowFill {
  return (y, row, left) => {
    for (let i = 0; i < row.length / 4; i++) {
      const c = pixel(left + i, y);
      if (c) row.set(c, i * 4);
    }
  };
}

/** Background layers have no transparency: where the fill gives none, they are white. */
function opaqueRows(rows: RowFill): RowFill {
  return (y, row, left) => {
    rows(y, row, left);
    for (let i = 0; i < row.length; i += 4) if (row[i + 3] === 0) row.fill(1, i, i + 4);
  };
}

/** A one-channel raster (mask, selection) from values 0..1 over `rect`, in one go. */
export function storeGrey(rect: PsBounds, bits: number, value: (x: number, y: number) => number): StoredRaster {
  const w = rectWidth(rect);
  const m = nativeMax(bits);
  const data = nativeArray(bits, w * rectHeight(rect));
  for (let y = rect.top; y < rect.bottom; y++) for (let x = rect.left; x < rect.right; x++) data[(y - rect.top) * w + x - rect.left] = toNative(value(x, y), m);
  return new StoredRaster(rect, 1, bits, data);
}
