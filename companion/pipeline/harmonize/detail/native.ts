// Native detail: the paper-scale result carried up to the document's own resolution, level by
// level (plan.ts), inside the rectangle around the object only. Each level starts from the one
// below and adds the band of fine detail the level below cannot hold, synthesised from the
// painting at that level's resolution (synthesis.ts); the last level's result is composited into
// the document's painting through the tight mask's soft compositing mask (§5 step 1) made at the
// document's resolution, so the object's outline is as sharp as the painting around it. The
// document's painting and mask are read through views (document-view.ts): the whole document, or
// the parts of it the panel sent.
import { PainterlyError, throwIfCancelled } from '../../../../shared/errors.js';
import { growRegion, objectRegion } from '../../../../shared/native-window.js';
import { toRgb, type Image } from '../../../image/image.js';
import type { Region, Size } from '../../../image/planar.js';
import { softCompositingMask } from '../post-process.js';
import { gaussianBlur } from '../../../image/gaussian.js';
import { boundsInDocument, cropView, firstChannelView, type DocumentView } from '../document-view.js';
import { canvasReads, cropAt, cropFromCanvas, cropImage, transfer, type LevelCrop, type DocRect } from './geometry.js';
import type { LevelPlan } from './plan.js';
import { paintingRing, paintingSource, synthesizeLevel, type SynthesisOptions } from './synthesis.js';
import { planTiles, runTiled } from './tiles.js';

/** Largest painting window one level matches against, in pixels of that level (bounds memory). */
export const MAX_WINDOW_PIXELS = 12_000_000;
/** Largest crop one level synthesises at once; larger ones are tiled. */
export const MAX_TILE_SIDE = 4096;
/** Overlap of neighbouring tiles, px of the level. */
export const TILE_OVERLAP = 64;
/**
 * σ, in level pixels, over which the added detail and the back-projection fade across the
 * object's outline: 2 px lowers the seam and keeps the detail (docs/detail.md, the ways of making
 * a level); the gain is then set on the object's inside only.
 */
export const EDGE_TAPER = 2;
/**
 * Width, in document pixels, of the ring of painting outside the object whose fine detail the
 * added band is given (the large-canvas eval's detail ratio compares with 8–40 px of it). The
 * object's rectangle measured instead gave the balloon on Turner's smooth sky the busy sea's
 * detail: detail ratio 1.42.
 */
export const PAINTING_RING = 40;
/** Estimated seconds per megapixel of level crop on 2 CPU cores (bench/hires.ts), for the ETA before a level has been timed. */
export const SECONDS_PER_MEGAPIXEL = 30;

export interface NativeInputs {
  /** The document's painting (read only within paintingReads) and tight mask (1 or more channels, first used). */
  painting: DocumentView;
  mask: DocumentView;
  /** The paper-scale result on the whole paper canvas (`plan.paper`). */
  paper: Image;
  plan: LevelPlan;
  /** The document rectangle the levels work on (objectRect). */
  rect: DocRect;
}

export interface NativeHooks {
  signal?: AbortSignal;
  /** Before level `index` (0-based) of `count`, with the seconds still estimated for the levels. */
  onLevel?: (index: number, count: number, level: Size, etaSeconds: number) => void;
  /** After level `index`: its crop's size, seconds taken and the gains its parts gave their detail. */
  onLevelDone?: (index: number, figures: { crop: Size; seconds: number; gains: number[] }) => void;
}

export interface NativeSettings {
  maxTileSide?: number;
  tileOverlap?: number;
  maxWindowPixels?: number;
  /** PatchMatch threads (default as patchmatch.ts). */
  workers?: number;
  /** Variants of the synthesis, for comparing methods (bench/hires-methods.ts). */
  synthesis?: Pick<SynthesisOptions, 'gain' | 'projections' | 'match' | 'vote'>;
  /** The added detail fades out across the object's outline over this σ, in level pixels (default EDGE_TAPER; 0: none). */
  edgeTaper?: number;
  /** Makes a level another way when it returns an image (bench/hires-methods.ts: CNN refinement). */
  levelOverride?: (level: LevelContext) => Promise<Image | undefined>;
}

/** What a level is made from. */
export interface LevelContext {
  index: number;
  doc: Size;
  rect: DocRect;
  crop: LevelCrop;
  /** The level below on its crop, and moved onto this level's crop. */
  below: Image;
  belowCrop: LevelCrop;
  start: Image;
  signal?: AbortSignal;
}

/** The object's rectangle refined: the result over `rect`, blended into the painting there (the rest of the document is the painting, untouched). */
export async function refineToNative(inp: NativeInputs, hooks: NativeHooks = {}, settings: NativeSettings = {}): Promise<{ region: Region; image: Image }> {
  const { plan } = inp;
  const { doc } = inp.painting;
  const mask = firstChannelView(inp.mask);
  const { rect } = inp;
  let belowCrop: LevelCrop = cropAt(rect, doc, plan.paper);
  let below = cropImage(inp.paper, belowCrop.region);
  let belowSize = plan.paper;
  const pixels = levelPixels(plan, rect, doc);
  let rate = SECONDS_PER_MEGAPIXEL / 1e6;
  for (let k = 0; k < plan.levels.length; k++) {
    throwIfCancelled(hooks.signal);
    hooks.onLevel?.(k, plan.levels.length, plan.levels[k], rate * pixels.slice(k).reduce((a, b) => a + b, 0));
    const started = performance.now();
    const level = plan.levels[k];
    const crop = cropAt(rect, doc, level);
    const region = synthesisRegion(cropFromCanvas(mask, crop), settings.edgeTaper ?? EDGE_TAPER);
    const windowRect = paintingWindow(rect, doc, level, settings.maxWindowPixels ?? MAX_WINDOW_PIXELS);
    const window = cropAt(windowRect, doc, level);
    const windowBelow = cropAt(windowRect, doc, belowSize);
    const ring = paintingRing(cropFromCanvas(mask, window), (PAINTING_RING * level.width) / doc.width);
    const source = paintingSource(toRgb(cropFromCanvas(inp.painting, window)), window, windowBelow, ring);
    const start = transfer(below, belowCrop, crop);
    const gains: number[] = [];
    const run: PartRunner = async (part, partRegion, partCrop, partBelowCrop, partBelow) => {
      const r = await synthesizeLevel({ below: partBelow, belowCrop: partBelowCrop, crop: partCrop, start: part, source, region: partRegion }, { ...settings.synthesis, workers: settings.workers, signal: hooks.signal, seed: k });
      gains.push(r.gain);
      return r.image;
    };
    const other = await settings.levelOverride?.({ index: k, doc, rect, crop, below, belowCrop, start, signal: hooks.signal });
    below = other ?? (await synthesizeTiled(run, { start, region, crop, below, belowCrop }, settings.maxTileSide ?? MAX_TILE_SIDE, settings.tileOverlap ?? TILE_OVERLAP));
    belowCrop = crop;
    belowSize = level;
    const seconds = (performance.now() - started) / 1000;
    rate = seconds / pixels[k];
    hooks.onLevelDone?.(k, { crop: { width: crop.region.width, height: crop.region.height }, seconds, gains });
  }
  throwIfCancelled(hooks.signal);
  return { region: belowCrop.region, image: composite(below, belowCrop, inp.painting, mask) };
}

interface LevelState {
  start: Image;
  region: Image;
  crop: LevelCrop;
  below: Image;
  belowCrop: LevelCrop;
}

type PartRunner = (start: Image, region: Image, crop: LevelCrop, belowCrop: LevelCrop, below: Image) => Promise<Image>;

/** The level at once when it fits in one tile, else tile by tile (each tile with its own stretch of the level below), blended. */
async function synthesizeTiled(run: PartRunner, s: LevelState, maxSide: number, overlap: number): Promise<Image> {
  const { width, height } = s.crop.region;
  if (width <= maxSide && height <= maxSide) return run(s.start, s.region, s.crop, s.belowCrop, s.below);
  const grid = planTiles({ width, height }, maxSide, overlap);
  return runTiled({ width, height }, 3, grid, async (tile) => {
    const crop: LevelCrop = { canvas: s.crop.canvas, region: { x0: s.crop.region.x0 + tile.x0, y0: s.crop.region.y0 + tile.y0, width: tile.width, height: tile.height } };
    // The stretch of the level below under this tile (grown to whole pixels), cut from the below crop.
    const belowCrop = growTo(crop, s.belowCrop);
    const below = cropImage(s.below, { x0: belowCrop.region.x0 - s.belowCrop.region.x0, y0: belowCrop.region.y0 - s.belowCrop.region.y0, width: belowCrop.region.width, height: belowCrop.region.height });
    return run(cropImage(s.start, tile), cropImage(s.region, tile), crop, belowCrop, below);
  });
}

/** The region of `within`'s canvas that covers crop `c`, grown outward to whole pixels and kept inside `within`'s region. */
function growTo(c: LevelCrop, within: LevelCrop): LevelCrop {
  const fx = within.canvas.width / c.canvas.width;
  const fy = within.canvas.height / c.canvas.height;
  const r = within.region;
  const x0 = Math.max(r.x0, Math.floor(c.region.x0 * fx));
  const y0 = Math.max(r.y0, Math.floor(c.region.y0 * fy));
  const x1 = Math.min(r.x0 + r.width, Math.ceil((c.region.x0 + c.region.width) * fx));
  const y1 = Math.min(r.y0 + r.height, Math.ceil((c.region.y0 + c.region.height) * fy));
  return { canvas: within.canvas, region: { x0, y0, width: x1 - x0, height: y1 - y0 } };
}

/** Pixels of each level's crop. */
export function levelPixels(plan: LevelPlan, rect: DocRect, doc: Size): number[] {
  return plan.levels.map((l) => cropAt(rect, doc, l).region).map((r) => r.width * r.height);
}

/**
 * The document rectangle every level works on: the tight mask's box (> 0.01) plus context —
 * enough for the compositing mask's spread, a 7×7 patch and the back-projection's footprint on
 * the paper level (a few paper pixels). The panel computes the same (shared/native-window.ts).
 */
export function objectRect(mask: DocumentView, plan: LevelPlan): DocRect {
  const box = boundsInDocument(mask, 0.01);
  if (!box) throw new PainterlyError('EMPTY_MASK', 'The mask is empty: it must be white where the pasted object is.');
  return objectRegion(mask.doc, box, Math.max(plan.paper.width, plan.paper.height));
}

/** The object's rectangle grown by up to half its longer side (the painting nearby), at most `maxPixels` on the level's canvas. */
function paintingWindow(rect: DocRect, doc: Size, level: Size, maxPixels: number): DocRect {
  const scale = (level.width / doc.width) * (level.height / doc.height);
  let grow = Math.max(rect.width, rect.height) / 2;
  for (;;) {
    const r = growRegion(rect, grow, doc);
    if (r.width * r.height * scale <= maxPixels || grow === 0) return r;
    grow = Math.max(0, Math.floor(grow * 0.8) - 1);
  }
}

/**
 * Every document pixel of the painting refineToNative reads: each level's painting window on
 * that level's grid (whose pixels reach a little past the window's document edges, up to one
 * level pixel), and the object's rectangle the result is blended into.
 */
export function paintingReads(plan: LevelPlan, rect: DocRect, doc: Size, maxWindowPixels = MAX_WINDOW_PIXELS): Region {
  let x0 = rect.x0, y0 = rect.y0, x1 = rect.x0 + rect.width, y1 = rect.y0 + rect.height;
  for (const level of plan.levels) {
    const r = canvasReads(cropAt(paintingWindow(rect, doc, level, maxWindowPixels), doc, level), doc);
    x0 = Math.min(x0, r.x0);
    y0 = Math.min(y0, r.y0);
    x1 = Math.max(x1, r.x0 + r.width);
    y1 = Math.max(y1, r.y0 + r.height);
  }
  return { x0, y0, width: x1 - x0, height: y1 - y0 };
}

/**
 * Where the level synthesises detail — the compositing mask's support, the pixels the result can
 * show — and how much of it: all of it inside the object; with a taper, fading across the
 * object's outline (a Gaussian of σ = taper level pixels over the tight mask), so patches that
 * straddle the outline do not stack their painted edges onto it.
 */
export function synthesisRegion(tight: Image, taper: number): Image {
  const soft = softCompositingMask(tight);
  if (taper <= 0) return { ...soft, data: soft.data.map((v) => (v > 0 ? 1 : 0)) };
  const inside = { ...tight, data: tight.data.map((v) => (v > 0.5 ? 1 : 0)) };
  // Edge replicated: where the object runs off the document, it is not an outline to fade across.
  const w = gaussianBlur(inside, 2 * Math.ceil(3 * taper) + 1, taper, 'replicate').data;
  // Within the support, never exactly 0: PatchMatch still matches there (the value only scales the band).
  return { ...soft, data: soft.data.map((v, i) => (v > 0 ? Math.min(1, Math.max(1e-3, w[i])) : 0)) };
}

/** The crop's result blended into the painting under it through the soft compositing mask (§5 step 5): the document over the crop's region. */
function composite(result: Image, crop: LevelCrop, painting: DocumentView, mask: DocumentView): Image {
  const soft = softCompositingMask(cropView(mask, crop.region, 'native detail')).data;
  const part = toRgb(cropView(painting, crop.region, 'native detail'));
  for (let i = 0; i < soft.length; i++) {
    for (let c = 0; c < 3; c++) {
      const v = result.data[3 * i + c] * soft[i] + part.data[3 * i + c] * (1 - soft[i]);
      part.data[3 * i + c] = v < 0 ? 0 : v > 1 ? 1 : v;
    }
  }
  return part;
}
