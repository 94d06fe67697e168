// What both passes share: the working-size inputs, the region being optimised, the painting's
// features, and the job's hooks.
import type { Image } from '../../image/image.js';
import type { Planar, Region } from '../../image/planar.js';
import type { Network } from '../../compute/network.js';
import type { FeatureMap } from '../../compute/graphs/features.js';
import type { StepSpec } from '../../compute/graphs/step.js';
import type { StageId } from '../../../shared/stages.js';
import type { DphMasks } from './masks.js';

/** A pass ready to optimise: its step graph's description, the start point and M₀ (crop-sized). */
export interface PreparedPass {
  step: StepSpec;
  x: Planar;
  m0: Planar;
}

export interface DphContext {
  net: Network;
  width: number;
  height: number;
  painting: Image;
  naive: Image;
  /** Tight mask T and dilated mask M at working size. */
  tight: Planar;
  dilated: Planar;
  /** The layer masks and T of the full image (a crop cuts its sub-grids out of them). */
  masks: DphMasks;
  region: Region;
  /** Painting features on the full working-size grid. */
  paintingFeatures: Map<string, FeatureMap>;
  signal?: AbortSignal;
  /** Called after every optimiser iteration with the current crop (network space). */
  onIteration?: (pass: 1 | 2, iteration: number, total: number, x: Planar) => void;
  onStage?: (stage: StageId) => void;
  /** Sees each pass's step graph and start point before it is optimised (TV calibration). */
  onPrepared?: (pass: 1 | 2, prepared: PreparedPass) => Promise<void>;
}

/** Flat indices where `mask` passes the test. */
export function positionsWhere(mask: Planar, test: (v: number) => boolean): Int32Array {
  const out: number[] = [];
  for (let i = 0; i < mask.data.length; i++) if (test(mask.data[i])) out.push(i);
  return Int32Array.from(out);
}
