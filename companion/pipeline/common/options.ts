// Checks the pipelines apply to their options (the CLI and the protocol check them first).
import { PainterlyError } from '../../../shared/errors.js';

/** Throws BAD_ARGUMENT unless `v` is a whole number from `min` to `max`. */
export function checkWholeNumber(v: number, name: string, min: number, max: number): void {
  if (!Number.isInteger(v) || v < min || v > max) throw new PainterlyError('BAD_ARGUMENT', `Expected a whole number from ${min} to ${max} for ${name}, got ${v}.`);
}
