// Documents from specs, for test set-up: layers with their pixels, masks and properties, and the
// selection. Pixels may be given per pixel (`fill`, simple) or per row (`fillRows`, fast: tens of
// megapixels in well under a second), over the whole canvas or only an `area`; a `procedural`
// layer keeps its fillRows and computes its rows on every read instead of storing them.
import type { PsBounds } from '../../../plugin/photoshop/uxp-types.js';
import { CONSTANTS, contains, intersect, isEmpty, nativeArray, nativeMax, normaliseBounds, rectHeight, rectWidth } from './constants.js';
import { FakeLayer, type FakeDocument } from './model.js';
import { emptyRaster, proceduralFill, rowsOf, storeFill, storeGrey, StoredRaster, trimmed, type PixelFill, type Raster, type RowFill } from './raster.js';

export type RGBA = readonly [number, number, number, number];

export interface FakeRect {
  left: number;
  top: number;
  right: number;
  bottom: number;
}

export interface FakeLayerSpec {
  name: string;
  /** constants.LayerKind value: 'pixel' (default), 'smartObject' (pixels are its rendered pixels; putPixels refuses it), 'group' (with children), … */
  kind?: string;
  /** A background layer: opaque (white where the fill gives nothing), locked, not movable. */
  background?: boolean;
  visible?: boolean;
  /** 0–100, default 100. */
  opacity?: number;
  /** 0–100, default 100. */
  fillOpacity?: number;
  /** A constants.BlendMode value; default 'normal' ('passThrough' for groups). */
  blendMode?: string;
  /** Lock all: allLocked and pixelsLocked are true, putPixels and move refuse it. */
  locked?: boolean;
  /** Colour at (x, y) as floats 0..1, or undefined for transparent. */
  fill?: PixelFill;
  /** The fast form of `fill`: see RowFill (RGBA floats 0..1 for a row, zero on entry). */
  fillRows?: RowFill;
  /** Where fill / fillRows are asked for (transparent elsewhere); default the whole canvas. */
  area?: FakeRect;
  /** With fillRows: store nothing, compute the rows on every read (the bench's 48 Mpx painting). A write stores them. */
  procedural?: boolean;
  /** A user mask: 0..1 at (x, y) (1 shows the layer), stored over the whole canvas. */
  mask?: (x: number, y: number) => number;
  children?: FakeLayerSpec[];
}

export interface FakeDocumentSpec {
  title?: string;
  width: number;
  height: number;
  bits?: 1 | 8 | 16 | 32;
  mode?: 'RGB' | 'CMYK' | 'Lab' | 'Grayscale' | 'Indexed' | 'Bitmap';
  profile?: string;
  /** Topmost first. */
  layers: FakeLayerSpec[];
  /** Name of the active layer; default the topmost. */
  active?: string;
  selection?: FakeRect | ((x: number, y: number) => number);
  /** Make it the active document, as opening one does (default true). */
  activate?: boolean;
}

function pixelsOf(doc: FakeDocument, spec: FakeLayerSpec): Raster {
  const area = intersect(spec.area ? normaliseBounds(spec.area) : doc.rect, doc.rect);
  const opaque = spec.background === true;
  let rows = spec.fillRows ?? (spec.fill ? rowsOf(spec.fill) : undefined);
  if (spec.procedural && !spec.fillRows) throw new Error(`Layer '${spec.name}': procedural needs fillRows.`);
  if (!rows && !opaque) return emptyRaster(doc.bits);
  rows ??= () => {}; // a background without a fill: white
  // A background covers the canvas whatever the area: white outside it.
  if (opaque && !contains(area, doc.rect)) rows = within(area, rows);
  const rect = opaque ? doc.rect : area;
  return spec.procedural ? proceduralFill(rect, doc.bits, opaque, rows) : storeFill(rect, doc.bits, opaque, rows);
}

/** `rows` asked only inside `area`. */
function within(area: PsBounds, rows: RowFill): RowFill {
  return (y, row, left) => {
    if (y < area.top || y >= area.bottom) return;
    rows(y, row.subarray((area.left - left) * 4, (area.right - left) * 4), area.left);
  };
}

/** The spec's layers (topmost first), with ids from `nextId`. */
export function buildLayers(doc: FakeDocument, specs: FakeLayerSpec[], nextId: () => number): FakeLayer[] {
  return specs.map((spec) => {
    const kind = spec.kind ?? (spec.children ? CONSTANTS.LayerKind.GROUP : CONSTANTS.LayerKind.NORMAL);
    const group = kind === CONSTANTS.LayerKind.GROUP;
    if (spec.background && (spec.mask || (spec.opacity ?? 100) < 100 || (spec.fillOpacity ?? 100) < 100)) {
      throw new Error(`Layer '${spec.name}': a background layer has no mask and no opacity in Photoshop.`);
    }
    const layer = new FakeLayer(doc, {
      id: nextId(),
      name: spec.name,
      kind,
      background: spec.background,
      visible: spec.visible,
      opacity: spec.opacity,
      fillOpacity: spec.fillOpacity,
      blendMode: spec.blendMode,
      locked: spec.locked,
      raster: group ? null : pixelsOf(doc, spec),
      mask: spec.mask ? storeGrey(doc.rect, doc.bits, spec.mask) : null,
    });
    if (spec.children) layer.children = buildLayers(doc, spec.children, nextId);
    return layer;
  });
}

/** The selection as a one-channel raster over its bounds; null for none. */
export function selectionRaster(doc: FakeDocument, sel: FakeDocumentSpec['selection'] | null | undefined): Raster | null {
  if (!sel) return null;
  if (typeof sel === 'function') {
    const all = trimmed(storeGrey(doc.rect, doc.bits, sel));
    return all.content() ? all : null;
  }
  const r: PsBounds = intersect(normaliseBounds(sel), doc.rect);
  if (isEmpty(r)) return null;
  const data = nativeArray(doc.bits, rectWidth(r) * rectHeight(r)).fill(nativeMax(doc.bits));
  return new StoredRaster(r, 1, doc.bits, data);
}
