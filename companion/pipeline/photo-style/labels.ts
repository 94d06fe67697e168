// Colour-coded label images for photo style transfer (spec §2.1): decode a label PNG into one
// binary mask per colour and pair the content and style labels. The masks are carried down the
// network's layers by common/layer-masks.ts (see targets.ts).
import type { Image } from '../../image/image.js';
import { resize } from '../../image/resize.js';
import { PainterlyError } from '../../../shared/errors.js';

type Level = 'lo' | 'hi' | 'mid';

export interface LabelColour {
  readonly name: string;
  /** The colour to paint with, 0–255. */
  readonly rgb: readonly [number, number, number];
  /** Per channel: lo = below 0.1, hi = above 0.9, mid = strictly between 0.4 and 0.6. */
  readonly rule: readonly [Level, Level, Level];
}

/** The 9 label colours in the original's order (spec §2.1); mask i always means colour i. */
export const LABEL_COLOURS: readonly LabelColour[] = [
  { name: 'blue', rgb: [0, 0, 255], rule: ['lo', 'lo', 'hi'] },
  { name: 'green', rgb: [0, 255, 0], rule: ['lo', 'hi', 'lo'] },
  { name: 'black', rgb: [0, 0, 0], rule: ['lo', 'lo', 'lo'] },
  { name: 'white', rgb: [255, 255, 255], rule: ['hi', 'hi', 'hi'] },
  { name: 'red', rgb: [255, 0, 0], rule: ['hi', 'lo', 'lo'] },
  { name: 'yellow', rgb: [255, 255, 0], rule: ['hi', 'hi', 'lo'] },
  { name: 'grey', rgb: [128, 128, 128], rule: ['mid', 'mid', 'mid'] },
  { name: 'lightblue', rgb: [0, 255, 255], rule: ['lo', 'hi', 'hi'] },
  { name: 'purple', rgb: [255, 0, 255], rule: ['hi', 'lo', 'hi'] },
];

// Torch compares float32 tensors with thresholds rounded to float32; doing the same keeps exact
// 8-bit values such as 102/255 = 0.4 on the same side of the line as the original.
const LO = Math.fround(0.1);
const HI = Math.fround(1 - 0.1);
const MID_LO = Math.fround(0.5 - 0.1);
const MID_HI = Math.fround(0.5 + 0.1);

function passes(level: Level, v: number): boolean {
  if (level === 'lo') return v < LO;
  if (level === 'hi') return v > HI;
  return v > MID_LO && v < MID_HI;
}

/** Index into LABEL_COLOURS of the colour a pixel matches, or -1 (e.g. anti-aliased edges). */
export function classifyLabelColour(r: number, g: number, b: number): number {
  for (let k = 0; k < LABEL_COLOURS.length; k++) {
    const [lr, lg, lb] = LABEL_COLOURS[k].rule;
    if (passes(lr, r) && passes(lg, g) && passes(lb, b)) return k;
  }
  return -1;
}

export interface LabelMasks {
  width: number;
  height: number;
  /** One mask per LABEL_COLOURS entry, width·height values, 1 inside and 0 outside. */
  masks: Float32Array[];
  /** Pixels in each mask. */
  counts: number[];
}

/** Largest aspect-ratio difference accepted between a label image and its photo. */
const LABEL_ASPECT_TOLERANCE = 0.01;

/**
 * Throws SIZE_MISMATCH unless the label image can be fitted to its photo: the same size, at most
 * 1 px off on each side (some of the original examples are), or the same aspect ratio within 1%
 * (labels drawn at another resolution). `what` names the pair in the message, e.g. 'content'.
 */
export function checkLabelSize(label: { width: number; height: number }, photo: { width: number; height: number }, what: string): void {
  const dw = Math.abs(label.width - photo.width);
  const dh = Math.abs(label.height - photo.height);
  if (dw <= 1 && dh <= 1) return;
  const aspect = (label.width / label.height) / (photo.width / photo.height);
  if (Math.abs(aspect - 1) <= LABEL_ASPECT_TOLERANCE) return;
  throw new PainterlyError(
    'SIZE_MISMATCH',
    `The ${what} labels are ${label.width}×${label.height} but the ${what} photo is ${photo.width}×${photo.height}; ` +
      'a label image must have the size (or at least the aspect ratio) of its photo.',
  );
}

/**
 * Decodes a colour-coded label image into the 9 masks at width×height. Like the original, the
 * label image is first scaled to that size (Torch bilinear, image/resize.ts) and then
 * thresholded. Accepts 1 (grey), 3 or 4 (alpha ignored) channels. Call checkLabelSize first for
 * a user-facing error; this only refuses what it cannot decode.
 */
export function decodeLabels(label: Image, width: number, height: number): LabelMasks {
  const ch = label.channels;
  if (ch !== 1 && ch !== 3 && ch !== 4) {
    throw new PainterlyError('BAD_ARGUMENT', `A label image needs 1, 3 or 4 channels, got ${ch}.`);
  }
  const data = label.width === width && label.height === height ? label.data : resize(label, width, height).data;
  const n = width * height;
  const masks = LABEL_COLOURS.map(() => new Float32Array(n));
  const counts = LABEL_COLOURS.map(() => 0);
  const gOff = ch === 1 ? 0 : 1;
  const bOff = ch === 1 ? 0 : 2;
  for (let i = 0; i < n; i++) {
    const k = classifyLabelColour(data[i * ch], data[i * ch + gOff], data[i * ch + bOff]);
    if (k >= 0) {
      masks[k][i] = 1;
      counts[k]++;
    }
  }
  return { width, height, masks, counts };
}

/** A single all-ones label (black): plain global Gram matching, the "no labels" mode. */
export function singleLabel(width: number, height: number): LabelMasks {
  const masks = LABEL_COLOURS.map(() => new Float32Array(width * height));
  const black = LABEL_COLOURS.findIndex((c) => c.name === 'black');
  masks[black].fill(1);
  const counts = LABEL_COLOURS.map((_, k) => (k === black ? width * height : 0));
  return { width, height, masks, counts };
}

export interface LabelPairing {
  /** Indices into LABEL_COLOURS present in both images: these get a style loss. */
  used: number[];
  /** Names of labels only in the content labels: no style target, so no style loss. */
  contentOnly: string[];
  /** Names of labels only in the style labels: nothing to restyle, ignored. */
  styleOnly: string[];
  /** One sentence per orphan label, for the CLI and the panel to show. Empty when all pair up. */
  notes: string[];
}

/**
 * Which labels take part. A label in only one image is allowed and contributes nothing (spec
 * §2.1); the notes say so. Note: the original code would still push a content-only region's Gram
 * matrix towards zero (its target is the zero matrix); we give such labels no style loss instead.
 */
export function pairLabels(content: LabelMasks, style: LabelMasks): LabelPairing {
  const used: number[] = [];
  const contentOnly: string[] = [];
  const styleOnly: string[] = [];
  const notes: string[] = [];
  LABEL_COLOURS.forEach((colour, k) => {
    const inContent = content.counts[k] > 0;
    const inStyle = style.counts[k] > 0;
    if (inContent && inStyle) used.push(k);
    else if (inContent) {
      contentOnly.push(colour.name);
      notes.push(`Label ${colour.name} is in the content labels only (${content.counts[k]} px): that region gets no style target.`);
    } else if (inStyle) {
      styleOnly.push(colour.name);
      notes.push(`Label ${colour.name} is in the style labels only (${style.counts[k]} px): it is ignored.`);
    }
  });
  return { used, contentOnly, styleOnly, notes };
}
