// Region of interest: the optimisation only needs the pixels that some loss term reads. The
// masks stay those of the full image (the original computes them there, and Torch's area
// resizes drift differently on another size): a crop cuts its layer grids out of the full
// image's. The crop holds the receptive field of every cell a loss reads, so its features,
// and with them every loss and gradient, are those of the whole canvas (to float rounding, or
// within a measured tolerance where a backbone's receptive fields are huge). Its top-left
// corner is aligned to the backbone's largest stride, so each layer grid of the crop is an
// exact sub-grid.
import { PainterlyError } from '../../../shared/errors.js';
import { allTaps } from '../../compute/backbones/index.js';
import { inferShapes, layerStrides, type BackboneSpec } from '../../compute/backbones/types.js';
import { boundsAbove, type Planar, type Region } from '../../image/planar.js';
import type { DphMasks } from './masks.js';

/** Image pixels cell q of a layer sees: [stride·q − before, stride·q + after]. */
export interface ReceptiveField {
  stride: number;
  before: number;
  after: number;
}

/** The receptive field of every layer, by the conv/pool recursion (a concat takes its widest branch). */
export function receptiveFields(spec: Pick<BackboneSpec, 'layers'>): Map<string, ReceptiveField> {
  const rf = new Map<string, ReceptiveField>([['input', { stride: 1, before: 0, after: 0 }]]);
  for (const l of spec.layers) {
    if (l.op === 'conv' || l.op === 'maxpool') {
      const i = rf.get(l.from)!;
      rf.set(l.name, { stride: i.stride * l.stride, before: i.before + l.pad * i.stride, after: i.after + (l.k - 1 - l.pad) * i.stride });
    } else if (l.op === 'lrn') {
      rf.set(l.name, rf.get(l.from)!);
    } else {
      const parts = l.from.map((f) => rf.get(f)!);
      rf.set(l.name, { stride: parts[0].stride, before: Math.max(...parts.map((p) => p.before)), after: Math.max(...parts.map((p) => p.after)) });
    }
  }
  return rf;
}

/**
 * Cells read around the masked cells: pass 1 matches 3×3 patches around every masked position;
 * pass 2's refinement reads the matches within 2 of the tight mask, and each match reads a 3×3
 * patch.
 */
const PATCH_REACH = 1;
const REFINE_REACH = 3;

/**
 * A layer mask's cells at or below this value are left out of the region: a cell weighs at
 * most this much in any term (measured: the first-step gradient of both passes stays within
 * 3e-7 of the whole canvas's with vgg19-shallow, docs/algorithm-notes.md). The masks' far tails
 * (a 3×3 mean per conv never reaches 0) would otherwise make every crop the whole image.
 */
const MASK_FLOOR = 0.05;

/**
 * Context kept around a cell, in pixels, where a backbone's receptive fields are far larger
 * than what changes its features: SqueezeNet's and GoogLeNet's deepest taps see 200+ px, but 32
 * px keep their first-step gradients within 1e-4 of the whole canvas's on the kit's examples
 * (measured, docs/algorithm-notes.md). Other backbones keep their whole receptive field.
 */
const MEASURED_CONTEXT: Readonly<Record<string, number>> = { squeezenet: 32, googlenet: 32 };

/**
 * The box holding the receptive field (or the measured context) of every cell within reach of a
 * cell where M_l > MASK_FLOOR (every tap) or where T is set at the reference layer, plus `extra`
 * pixels, its top-left corner moved down to a multiple of the largest stride. The whole image
 * when no mask is above the floor.
 */
export function regionOfInterest(spec: BackboneSpec, masks: DphMasks, extra = 0): Region {
  const { width: W, height: H } = masks.layers.get('input')!;
  const rf = receptiveFields(spec);
  let x0 = W, y0 = H, x1 = -1, y1 = -1;
  const context = MEASURED_CONTEXT[spec.name] ?? Infinity;
  const include = (layer: string, m: Planar, reach: number): void => {
    const box = boundsAbove(m, MASK_FLOOR);
    if (!box) return;
    const bx1 = box.x0 + box.width - 1, by1 = box.y0 + box.height - 1;
    const f = rf.get(layer)!;
    const s = f.stride, before = Math.min(f.before, context), after = Math.min(f.after, context);
    x0 = Math.min(x0, s * Math.max(0, box.x0 - reach) - before);
    y0 = Math.min(y0, s * Math.max(0, box.y0 - reach) - before);
    x1 = Math.max(x1, s * Math.min(m.width - 1, bx1 + reach) + after);
    y1 = Math.max(y1, s * Math.min(m.height - 1, by1 + reach) + after);
  };
  for (const layer of allTaps(spec)) include(layer, masks.layers.get(layer)!, PATCH_REACH);
  include(spec.pass2.reference, masks.tightRef, REFINE_REACH);
  if (x1 < 0) return fullRegion(W, H);
  const align = spec.maxStride;
  const rx0 = Math.max(0, Math.floor((x0 - extra) / align) * align);
  const ry0 = Math.max(0, Math.floor((y0 - extra) / align) * align);
  const rx1 = Math.min(W, x1 + 1 + extra);
  const ry1 = Math.min(H, y1 + 1 + extra);
  return { x0: rx0, y0: ry0, width: rx1 - rx0, height: ry1 - ry0 };
}

export function fullRegion(width: number, height: number): Region {
  return { x0: 0, y0: 0, width, height };
}

/**
 * The crop's grid of `layer` cut out of the full image's: rows from y0/stride and columns from
 * x0/stride, as many as the crop's own grid has (inferShapes on the crop's size).
 */
export function cutLayerGrid(spec: BackboneSpec, layer: string, full: Planar, r: Region): Planar {
  const s = layerStrides(spec).get(layer)!;
  const [, h, w] = inferShapes(spec, r.width, r.height).get(layer)!;
  const cx = r.x0 / s, cy = r.y0 / s;
  if (!Number.isInteger(cx) || !Number.isInteger(cy) || cx + w > full.width || cy + h > full.height) {
    throw new PainterlyError('INTERNAL', `The region at (${r.x0}, ${r.y0}) does not give ${layer} a sub-grid of the full ${full.width}×${full.height}.`);
  }
  const out = new Float32Array(w * h);
  for (let y = 0; y < h; y++) out.set(full.data.subarray((cy + y) * full.width + cx, (cy + y) * full.width + cx + w), y * w);
  return { data: out, channels: 1, width: w, height: h };
}

/** Every layer mask of the full image cut to the region. */
export function cutLayerMasks(spec: BackboneSpec, full: Map<string, Planar>, r: Region): Map<string, Planar> {
  return new Map([...full].map(([layer, m]) => [layer, cutLayerGrid(spec, layer, m, r)]));
}
