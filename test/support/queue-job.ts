// A small harmonize job for the studio queue's tests: three planes of fixed, exactly
// representable values, what the fake harmonizer makes of them, and the job itself.
import type { Image } from '../../companion/image/image.js';
import type { RemoteJob } from '../../companion/queue/client.js';
import { resolveOptions } from '../../shared/options.js';
import type { ResolvedHarmonizeOptions } from '../../shared/protocol.js';
import { expectedHarmonized } from './fake-runners.js';

export function queueImage(width: number, height: number, channels: number, f: (i: number) => number): Image {
  return { width, height, channels, data: Float32Array.from({ length: width * height * channels }, (_, i) => Math.fround(f(i))) };
}
export const composite = queueImage(12, 10, 3, (i) => ((i * 37) % 256) / 255);
export const painting = queueImage(12, 10, 3, (i) => ((i * 11) % 256) / 255);
export const mask = queueImage(12, 10, 1, (i) => (i % 12 > 3 && i % 12 < 9 ? 1 : 0));
/** The fake harmonizer's result for these planes. */
export const harmonized = Array.from(expectedHarmonized(composite, mask).data);

export const harmonizeOptions = (iters: number): ResolvedHarmonizeOptions =>
  resolveOptions({ mode: 'harmonize', backbone: 'squeezenet', pass1Iters: iters, pass2Iters: iters }) as ResolvedHarmonizeOptions;

/** The job of these planes (with `id` when given). */
export function queueJob(options: ResolvedHarmonizeOptions, id?: string): RemoteJob {
  return { ...(id !== undefined && { id }), options, planes: [{ plane: 'painting', image: painting, channels: 3 }, { plane: 'composite', image: composite, channels: 3 }, { plane: 'mask', image: mask, channels: 1 }] };
}
