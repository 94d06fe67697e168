// Region of interest: the optimisation only needs the dilated mask plus enough context for the
// deepest tap's receptive field. The crop is aligned to the backbone's largest stride so every
// layer grid of the crop is an exact sub-grid of the full image's.
import type { Planar, Region } from '../../image/planar.js';

/** Default context around the dilated mask, in working-size pixels (≥ VGG relu5_1's receptive radius). */
const DEFAULT_MARGIN = 64;

/** The box around the mask's non-zero values plus `margin`, its top-left corner aligned to `align`. */
export function regionOfInterest(mask: Planar, align: number, margin = DEFAULT_MARGIN): Region {
  const { width, height, data } = mask;
  let minX = width, minY = height, maxX = -1, maxY = -1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (data[y * width + x] > 0) {
        if (x < minX) minX = x;
        if (x > maxX) maxX = x;
        if (y < minY) minY = y;
        if (y > maxY) maxY = y;
      }
    }
  }
  if (maxX < 0) return fullRegion(width, height);
  const x0 = Math.max(0, Math.floor((minX - margin) / align) * align);
  const y0 = Math.max(0, Math.floor((minY - margin) / align) * align);
  const x1 = Math.min(width, maxX + 1 + margin);
  const y1 = Math.min(height, maxY + 1 + margin);
  return { x0, y0, width: x1 - x0, height: y1 - y0 };
}

export function fullRegion(width: number, height: number): Region {
  return { x0: 0, y0: 0, width, height };
}
