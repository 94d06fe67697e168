// Where each level of the native-detail refinement works: the same rectangle of the document
// (the object plus context) on every level's grid, and moving pixels between those grids without
// ever resizing the whole canvas. A level's crop is a Region of that level's canvas; a canvas of
// W_L × H_L maps to the document by the per-axis factors W_L / W0 and H_L / H0.
import { PainterlyError } from '../../../../shared/errors.js';
import type { Image } from '../../../image/image.js';
import type { Region, Size } from '../../../image/planar.js';
import { requireInside, wholeDocument, type DocumentView } from '../document-view.js';

/** A document rectangle: a Region in (possibly fractional) pixels of its grid. */
export type DocRect = Region;

/** A crop of one level: its canvas's size and the region of that canvas. */
export interface LevelCrop {
  canvas: Size;
  region: Region;
}

/** The region of `canvas` covering the document rectangle `doc` (document pixels), grown outward to whole pixels. */
export function cropAt(doc: DocRect, docSize: Size, canvas: Size): LevelCrop {
  const sx = canvas.width / docSize.width;
  const sy = canvas.height / docSize.height;
  const x0 = Math.max(0, Math.floor(doc.x0 * sx));
  const y0 = Math.max(0, Math.floor(doc.y0 * sy));
  const x1 = Math.min(canvas.width, Math.ceil((doc.x0 + doc.width) * sx));
  const y1 = Math.min(canvas.height, Math.ceil((doc.y0 + doc.height) * sy));
  return { canvas, region: { x0, y0, width: x1 - x0, height: y1 - y0 } };
}

/** Where crop `of` lies in the pixel coordinates of crop `in` (fractional; may reach outside it). */
export function rectIn(of: LevelCrop, inCrop: LevelCrop): DocRect {
  const fx = inCrop.canvas.width / of.canvas.width;
  const fy = inCrop.canvas.height / of.canvas.height;
  return {
    x0: of.region.x0 * fx - inCrop.region.x0,
    y0: of.region.y0 * fy - inCrop.region.y0,
    width: of.region.width * fx,
    height: of.region.height * fy,
  };
}

/** Crop `to` resampled from an image holding crop `from` (the same document rectangle, another grid). */
export function transfer(img: Image, from: LevelCrop, to: LevelCrop): Image {
  return resampleRect(img, rectIn(to, from), to.region.width, to.region.height);
}

/**
 * Crop `to` cut and resampled from the document's own pixels, read through a view (the whole
 * document, or the part of it the panel sent): the view's pixels are read exactly as the whole
 * document's would be, clamped at the document's edge; `by` names the reader for a refusal.
 */
export function cropFromCanvas(view: DocumentView, to: LevelCrop, by = 'native detail'): Image {
  return resampleView(view, rectIn(to, wholeCanvas(view.doc)), to.region.width, to.region.height, by);
}

/** The document pixels cropFromCanvas reads for crop `to` of a `doc`-sized document. */
export function canvasReads(to: LevelCrop, doc: Size): Region {
  const r = rectIn(to, wholeCanvas(doc));
  return readSpan(axisTaps(r.x0, r.width, to.region.width, doc.width), axisTaps(r.y0, r.height, to.region.height, doc.height));
}

function wholeCanvas(size: Size): LevelCrop {
  return { canvas: size, region: { x0: 0, y0: 0, width: size.width, height: size.height } };
}

/** One axis of a resampling: for every output sample, the source indices and weights it mixes. */
interface AxisTaps {
  start: Int32Array;
  count: Int32Array;
  index: Int32Array;
  weight: Float64Array;
}

/**
 * Per output sample i of `outLen`, covering source span [x0 + i·s, x0 + (i+1)·s) with
 * s = len/outLen: when s ≥ 1 the exact area average of the source pixels under the span
 * (fractional edge weights, as Torch's shrinking resize); when s < 1 linear interpolation
 * between the two source pixel centres around the span's centre. Source indices are clamped to
 * [0, srcLen), so a span reaching past the image repeats its edge pixels.
 */
function axisTaps(x0: number, len: number, outLen: number, srcLen: number): AxisTaps {
  const s = len / outLen;
  const starts: number[] = [];
  const counts: number[] = [];
  const idx: number[] = [];
  const wts: number[] = [];
  const clamp = (i: number): number => (i < 0 ? 0 : i >= srcLen ? srcLen - 1 : i);
  for (let i = 0; i < outLen; i++) {
    starts.push(idx.length);
    if (s >= 1) {
      const a = x0 + i * s;
      const b = a + s;
      for (let p = Math.floor(a); p < b; p++) {
        const w = Math.min(b, p + 1) - Math.max(a, p);
        if (w > 1e-9) {
          idx.push(clamp(p));
          wts.push(w / s);
        }
      }
    } else {
      const c = x0 + (i + 0.5) * s - 0.5;
      const p = Math.floor(c);
      const f = c - p;
      idx.push(clamp(p), clamp(p + 1));
      wts.push(1 - f, f);
    }
    counts.push(idx.length - starts[i]);
  }
  return { start: Int32Array.from(starts), count: Int32Array.from(counts), index: Int32Array.from(idx), weight: Float64Array.from(wts) };
}

/**
 * The part `rect` of `img` (in its pixel units) on a width × height grid: per axis an exact area
 * average when shrinking and linear interpolation between pixel centres when enlarging (see
 * axisTaps). Reads only the source rows and columns under `rect`, so cropping a huge canvas
 * costs the crop, not the canvas.
 */
export function resampleRect(img: Image, rect: DocRect, width: number, height: number): Image {
  return resampleView(wholeDocument(img), rect, width, height, 'a resampling');
}

/** The source columns and rows some tap reads. */
function readSpan(tx: AxisTaps, ty: AxisTaps): Region {
  const span = (t: AxisTaps): [number, number] => {
    let lo = Infinity, hi = -1;
    for (let k = 0; k < t.index.length; k++) {
      lo = Math.min(lo, t.index[k]);
      hi = Math.max(hi, t.index[k]);
    }
    return [lo, hi];
  };
  const [x0, x1] = span(tx);
  const [y0, y1] = span(ty);
  return { x0, y0, width: x1 - x0 + 1, height: y1 - y0 + 1 };
}

/** resampleRect on the document a view shows, in document pixels; outside the view's region a mask reads 0 and a painting refuses. */
function resampleView(view: DocumentView, rect: DocRect, width: number, height: number, by: string): Image {
  if (!(Number.isInteger(width) && Number.isInteger(height) && width >= 1 && height >= 1)) {
    throw new PainterlyError('BAD_ARGUMENT', `Expected a positive integer size, got ${width}×${height}.`);
  }
  if (!(rect.width > 0 && rect.height > 0)) throw new PainterlyError('BAD_ARGUMENT', `Expected a non-empty rectangle, got ${rect.width}×${rect.height}.`);
  const { image: img, region, doc } = view;
  const c = img.channels;
  const tx = axisTaps(rect.x0, rect.width, width, doc.width);
  const ty = axisTaps(rect.y0, rect.height, height, doc.height);
  const reads = readSpan(tx, ty);
  requireInside(view, reads, by);
  // Rows first: only the source rows some output row reads. Document column x is the view's
  // column x − region.x0; where the view does not hold it (a mask's 0s) it reads 0.
  const rowMin = reads.y0;
  const rows = reads.height;
  const tmp = new Float32Array(rows * width * c);
  const src = img.data;
  for (let r = 0; r < rows; r++) {
    const y = rowMin + r - region.y0;
    if (y < 0 || y >= region.height) continue; // a row of 0s: its tmp row stays 0
    const rowBase = y * img.width - region.x0;
    for (let x = 0; x < width; x++) {
      const s0 = tx.start[x];
      const o = (r * width + x) * c;
      for (let t = 0; t < tx.count[x]; t++) {
        const w = tx.weight[s0 + t];
        const col = tx.index[s0 + t] - region.x0;
        if (col < 0 || col >= region.width) continue; // w · 0 adds nothing
        const si = (rowBase + tx.index[s0 + t]) * c;
        for (let ch = 0; ch < c; ch++) tmp[o + ch] += w * src[si + ch];
      }
    }
  }
  const out = new Float32Array(width * height * c);
  for (let y = 0; y < height; y++) {
    const s0 = ty.start[y];
    for (let t = 0; t < ty.count[y]; t++) {
      const w = ty.weight[s0 + t];
      const rowOff = (ty.index[s0 + t] - rowMin) * width * c;
      const outOff = y * width * c;
      for (let i = 0; i < width * c; i++) out[outOff + i] += w * tmp[rowOff + i];
    }
  }
  return { width, height, channels: c, data: out };
}

/** Writes `part` (region-sized, HWC) into `full` at `region`, in place. */
export function pasteImage(full: Image, region: Region, part: Image): void {
  const c = full.channels;
  if (part.channels !== c || part.width !== region.width || part.height !== region.height) {
    throw new PainterlyError('SIZE_MISMATCH', `Cannot paste a ${part.width}×${part.height}×${part.channels} image into a ${region.width}×${region.height}×${c} region.`);
  }
  for (let y = 0; y < region.height; y++) {
    full.data.set(part.data.subarray(y * region.width * c, (y + 1) * region.width * c), ((region.y0 + y) * full.width + region.x0) * c);
  }
}

/** Copies `region` out of an HWC image. */
export function cropImage(img: Image, region: Region): Image {
  const c = img.channels;
  const out = new Float32Array(region.width * region.height * c);
  for (let y = 0; y < region.height; y++) {
    const from = ((region.y0 + y) * img.width + region.x0) * c;
    out.set(img.data.subarray(from, from + region.width * c), y * region.width * c);
  }
  return { width: region.width, height: region.height, channels: c, data: out };
}
