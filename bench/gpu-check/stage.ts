// What a stage of the check gets from the worker that runs it.
import type { Image } from '../../companion/image/image.js';
import type { WorkerConfig } from './protocol.js';

export interface StageContext {
  config: WorkerConfig;
  /** Aborted at the deadline or when the stage has used up its share of time. */
  signal: AbortSignal;
  /** Replaces what the stage reports as measured so far (sent to the parent now and then, and at the end). */
  update(data: unknown): void;
  /** Adds an image to the check's side-by-side PNG; panels run left to right by `order`. */
  panel(label: string, img: Image, order: number): Promise<void>;
}
