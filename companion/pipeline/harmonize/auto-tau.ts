// τ for a job whose options say `auto`: read from the painting (companion/tau/), reported to
// whoever waits for the job as soon as it is known, and then used like any other τ.
import type { TauChoice } from '../../../shared/protocol.js';
import type { Image } from '../../image/image.js';
import { estimateTau } from '../../tau/estimate.js';
import type { PipelineHooks } from '../types.js';

/** The τ to run with, and what the painting was taken for when it was read from it. */
export function chooseTau(tau: number | 'auto', painting: Image, hooks: PipelineHooks): { tau: number; auto?: TauChoice } {
  if (tau !== 'auto') return { tau };
  const e = estimateTau(painting);
  const auto: TauChoice = { tau: e.tau, kind: e.kind, words: e.words };
  hooks.onTau?.(auto);
  return { tau: e.tau, auto };
}
