// What every part of the fake Photoshop shares: Photoshop's constants, its native sample ranges,
// the errors it throws, and the rectangle arithmetic of the Imaging API (right and bottom
// exclusive). No pixels here.
import type { PsBounds } from '../../../plugin/photoshop/uxp-types.js';

export const CONSTANTS = {
  DocumentMode: {
    BITMAP: 'bitmapMode',
    CMYK: 'CMYKColorMode',
    DUOTONE: 'duotoneMode',
    GRAYSCALE: 'grayscaleMode',
    INDEXEDCOLOR: 'indexedColorMode',
    LAB: 'labColorMode',
    MULTICHANNEL: 'multichannelMode',
    RGB: 'RGBColorMode',
  },
  BitsPerChannelType: { ONE: 'bitDepth1', EIGHT: 'bitDepth8', SIXTEEN: 'bitDepth16', THIRTYTWO: 'bitDepth32' },
  ElementPlacement: { PLACEBEFORE: 'placeBefore', PLACEATBEGINNING: 'placeAtBeginning', PLACEATEND: 'placeAtEnd', PLACEAFTER: 'placeAfter', PLACEINSIDE: 'placeInside' },
  LayerKind: { NORMAL: 'pixel', GROUP: 'group', TEXT: 'text', SMARTOBJECT: 'smartObject', SOLIDFILL: 'solidColor', CURVES: 'curves' },
  /** Photoshop's values; the fake composites NORMAL, MULTIPLY, SCREEN (and PASSTHROUGH for groups) and refuses the rest. */
  BlendMode: {
    NORMAL: 'normal',
    PASSTHROUGH: 'passThrough',
    DISSOLVE: 'dissolve',
    DARKEN: 'darken',
    MULTIPLY: 'multiply',
    COLORBURN: 'colorBurn',
    LIGHTEN: 'lighten',
    SCREEN: 'screen',
    COLORDODGE: 'colorDodge',
    OVERLAY: 'overlay',
    SOFTLIGHT: 'softLight',
    HARDLIGHT: 'hardLight',
    DIFFERENCE: 'difference',
    LUMINOSITY: 'luminosity',
  },
} as const;

export type NativeData = Uint8Array | Uint16Array;

/** Photoshop's top value for a depth: 16-bit is 0..32768 inside Photoshop. */
export const nativeMax = (bits: number): number => (bits === 16 ? 32768 : bits === 8 ? 255 : 1);

/** A sample array for a depth (1- and 32-bit documents are stored as bytes: the fake reads no pixels of them). */
export const nativeArray = (bits: number, n: number): NativeData => (bits === 16 ? new Uint16Array(n) : new Uint8Array(n));

/** Thrown for document changes outside executeAsModal, as Photoshop refuses them. */
export class ModalRuleError extends Error {}

/** What Photoshop answers once the user pressed Esc in a modal scope (the message Photoshop shows for a user cancel). */
export function userCancelled(): Error {
  return new Error('User cancelled the operation');
}

export interface ModalSpan {
  commandName: string;
  startedAt: number;
  endedAt?: number;
  /** Set by Esc (fake.pressEscape) while the scope runs. */
  cancelled?: boolean;
}

export const EMPTY_RECT: PsBounds = { left: 0, top: 0, right: 0, bottom: 0 };

export const rectWidth = (r: PsBounds): number => Math.max(0, r.right - r.left);
export const rectHeight = (r: PsBounds): number => Math.max(0, r.bottom - r.top);
export const isEmpty = (r: PsBounds): boolean => r.right <= r.left || r.bottom <= r.top;

export function intersect(a: PsBounds, b: PsBounds): PsBounds {
  return { left: Math.max(a.left, b.left), top: Math.max(a.top, b.top), right: Math.min(a.right, b.right), bottom: Math.min(a.bottom, b.bottom) };
}

export function union(a: PsBounds | undefined, b: PsBounds | undefined): PsBounds | undefined {
  if (!a || isEmpty(a)) return b && !isEmpty(b) ? b : undefined;
  if (!b || isEmpty(b)) return a;
  return { left: Math.min(a.left, b.left), top: Math.min(a.top, b.top), right: Math.max(a.right, b.right), bottom: Math.max(a.bottom, b.bottom) };
}

export const contains = (outer: PsBounds, inner: PsBounds): boolean =>
  inner.left >= outer.left && inner.top >= outer.top && inner.right <= outer.right && inner.bottom <= outer.bottom;

/** Bounds as callers give them: with right/bottom, or with width/height. */
export function normaliseBounds(b: PsBounds & { width?: number; height?: number }): PsBounds {
  const right = b.right ?? b.left + (b.width ?? 0);
  const bottom = b.bottom ?? b.top + (b.height ?? 0);
  return { left: b.left, top: b.top, right, bottom };
}

/** The rectangle at pyramid level `level` (1: half size, …), rounded outward. */
export function atLevel(r: PsBounds, level: number): PsBounds {
  const s = 2 ** level;
  return { left: Math.floor(r.left / s), top: Math.floor(r.top / s), right: Math.ceil(r.right / s), bottom: Math.ceil(r.bottom / s) };
}

export const withSize = (r: PsBounds): PsBounds & { width: number; height: number } => ({ ...r, width: rectWidth(r), height: rectHeight(r) });
