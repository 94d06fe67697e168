// The set of painting positions that pass 2's style targets are built from (spec §3.4; original
// `Ring2`). Because a Gram matrix ignores the order of positions, only the *set* of matched
// painting positions matters, and the original keeps it as a binary map: every position counts
// once however many query positions map to it (spec §9.3).
import { PainterlyError } from '../../../shared/errors.js';
import { resize } from '../../image/resize.js';
import type { Planar, Size } from '../../image/planar.js';

/**
 * U₄ on the painting's reference-layer grid: 1 at NN′(p) + (dx, dy) for every query position p
 * with T₄(p) ≠ 0 and every offset in the (2·ring+1)² square that stays inside the painting, 0
 * elsewhere. `nnf` holds painting flat indices y·width + x over the query grid (length =
 * tight.length).
 */
export function buildUsedSet(nnf: Int32Array, tight: ArrayLike<number>, painting: Size, ring = 1): Planar {
  if (nnf.length !== tight.length) {
    throw new PainterlyError('INTERNAL', `The NNF has ${nnf.length} entries but the tight mask ${tight.length}.`);
  }
  const { width: ws, height: hs } = painting;
  const used = new Float32Array(hs * ws);
  for (let p = 0; p < nnf.length; p++) {
    if (tight[p] === 0) continue;
    const m = nnf[p];
    const x = m % ws;
    const y = (m - x) / ws;
    for (let dx = -ring; dx <= ring; dx++) {
      for (let dy = -ring; dy <= ring; dy++) {
        const ux = x + dx;
        const uy = y + dy;
        if (ux >= 0 && ux < ws && uy >= 0 && uy < hs) used[uy * ws + ux] = 1;
      }
    }
  }
  return { data: used, channels: 1, width: ws, height: hs };
}

/** U_l: the used set carried to another layer's painting grid with Torch 'simple' nearest resizing. */
export function usedSetForLayer(used: Planar, grid: Size): Planar {
  return resize(used, grid.width, grid.height, 'simple');
}

/** Number of used positions (ΣU), the normaliser of the masked Gram target. */
export function countUsed(used: Planar): number {
  let n = 0;
  for (let i = 0; i < used.data.length; i++) n += used.data[i];
  return n;
}
