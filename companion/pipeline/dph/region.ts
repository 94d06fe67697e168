// Region of interest: the optimisation only needs the dilated mask plus enough context for the
// deepest tap's receptive field. The crop is aligned to the backbone's largest stride so every
// layer grid of the crop is an exact sub-grid of the full image's.
export interface Region {
  x0: number;
  y0: number;
  width: number;
  height: number;
}

/** Default context around the dilated mask, in working-size pixels (≥ VGG relu5_1's receptive radius). */
export const DEFAULT_MARGIN = 64;

export function regionOfInterest(mask: Float32Array, width: number, height: number, align: number, margin = DEFAULT_MARGIN): Region {
  let minX = width, minY = height, maxX = -1, maxY = -1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (mask[y * width + x] > 0) {
        if (x < minX) minX = x;
        if (x > maxX) maxX = x;
        if (y < minY) minY = y;
        if (y > maxY) maxY = y;
      }
    }
  }
  if (maxX < 0) return { x0: 0, y0: 0, width, height };
  const x0 = Math.max(0, Math.floor((minX - margin) / align) * align);
  const y0 = Math.max(0, Math.floor((minY - margin) / align) * align);
  const x1 = Math.min(width, maxX + 1 + margin);
  const y1 = Math.min(height, maxY + 1 + margin);
  return { x0, y0, width: x1 - x0, height: y1 - y0 };
}

export function fullRegion(width: number, height: number): Region {
  return { x0: 0, y0: 0, width, height };
}

/** Copies the region out of a planar (C×H×W) array. */
export function cropPlanar(data: Float32Array, channels: number, width: number, height: number, r: Region): Float32Array {
  const out = new Float32Array(channels * r.width * r.height);
  for (let c = 0; c < channels; c++) {
    for (let y = 0; y < r.height; y++) {
      const src = (c * height + r.y0 + y) * width + r.x0;
      out.set(data.subarray(src, src + r.width), (c * r.height + y) * r.width);
    }
  }
  return out;
}

/** Writes a planar region back into a full planar array (in place). */
export function pastePlanar(full: Float32Array, channels: number, width: number, height: number, r: Region, part: Float32Array): void {
  for (let c = 0; c < channels; c++) {
    for (let y = 0; y < r.height; y++) {
      full.set(part.subarray((c * r.height + y) * r.width, (c * r.height + y + 1) * r.width), (c * height + r.y0 + y) * width + r.x0);
    }
  }
}
