// Bit-for-bit comparison of images, fast on large ones (vitest's toEqual walks typed arrays
// element by element through its generic equality): the shapes, then the first value that
// differs (Object.is, so -0 and 0 differ too), reported with both values.
import { expect } from 'vitest';
import type { Image } from '../../companion/image/image.js';

/** The first index where the two arrays differ (-1 when none), and the values there. */
export function firstDifference(a: Float32Array, b: Float32Array): { index: number; a?: number; b?: number } {
  if (a.length !== b.length) return { index: Math.min(a.length, b.length) };
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return { index: i, a: a[i], b: b[i] };
  return { index: -1 };
}

export function expectSameBits(actual: Image, expected: Image): void {
  expect([actual.width, actual.height, actual.channels]).toEqual([expected.width, expected.height, expected.channels]);
  expect(firstDifference(actual.data, expected.data)).toEqual({ index: -1 });
}
