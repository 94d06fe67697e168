// The level plan of a native-detail job: the paper's scale first (the painting at `size` on its
// longer side, where τ, the noise rule and the layer choices are calibrated), then equal steps of
// at most ×2 up to the document's own size. A document no larger than the paper's scale has no
// levels: it is never enlarged.
import { workingSize } from '../../../image/resize.js';
import type { Size } from '../../../image/planar.js';

/** The largest step between two levels (longer side over longer side). */
export const MAX_STEP = 2;

export interface LevelPlan {
  /** The canvas passes 1 and 2 run on. */
  paper: Size;
  /** The refinement levels, smallest first; the last is the document's size. Empty when the document is the paper's size or smaller. */
  levels: Size[];
}

/**
 * Levels for a document of `doc` with the paper's scale at `paperSide`: as few steps as keep
 * each at most MAX_STEP, all the same ratio (so no step is a tiny one), each canvas the
 * document's aspect with Torch's size rule (as the paper level is made).
 */
export function planLevels(doc: Size, paperSide: number): LevelPlan {
  const docSide = Math.max(doc.width, doc.height);
  if (docSide <= paperSide) return { paper: { width: doc.width, height: doc.height }, levels: [] };
  const paper = workingSize(doc.width, doc.height, paperSide);
  const ratio = docSide / paperSide;
  const steps = Math.max(1, Math.ceil(Math.log(ratio) / Math.log(MAX_STEP) - 1e-9));
  const step = Math.pow(ratio, 1 / steps);
  const levels: Size[] = [];
  for (let k = 1; k < steps; k++) levels.push(workingSize(doc.width, doc.height, Math.round(paperSide * Math.pow(step, k))));
  levels.push({ width: doc.width, height: doc.height });
  return { paper, levels };
}
