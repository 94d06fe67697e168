// Planar (channel-major, C×H×W) float32 values: the network's input in its own colour space,
// feature maps, and masks on a layer grid. Sizes are always (width, height), as for Image; with
// one channel a Planar and an Image hold the same values in the same order.

export interface Size {
  width: number;
  height: number;
}

export interface Planar extends Size {
  channels: number;
  /** channels·height·width values: plane c, row y, column x at (c·height + y)·width + x. */
  data: Float32Array;
}

/**
 * The one rectangle shape: columns [x0, x0 + width) and rows [y0, y0 + height) of a larger grid.
 * Whole pixels, except where a function says its rectangles are fractional (native detail's
 * document rectangles, which map between grids).
 */
export interface Region extends Size {
  x0: number;
  y0: number;
}

/**
 * The smallest region holding every pixel whose first channel is above `threshold` (an Image's
 * interleaved layout; a one-channel Planar is the same); undefined when there is none.
 */
export function boundsAbove(mask: Size & { channels: number; data: Float32Array }, threshold: number): Region | undefined {
  const { width, height, channels, data } = mask;
  let x0 = width, y0 = height, x1 = -1, y1 = -1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (data[(y * width + x) * channels] > threshold) {
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        if (y > y1) y1 = y;
      }
    }
  }
  return x1 < 0 ? undefined : { x0, y0, width: x1 - x0 + 1, height: y1 - y0 + 1 };
}

/** Copies a region out of a planar value. */
export function cropPlanar(src: Planar, r: Region): Planar {
  const { channels, width, height, data } = src;
  const out = new Float32Array(channels * r.width * r.height);
  for (let c = 0; c < channels; c++) {
    for (let y = 0; y < r.height; y++) {
      const from = (c * height + r.y0 + y) * width + r.x0;
      out.set(data.subarray(from, from + r.width), (c * r.height + y) * r.width);
    }
  }
  return { data: out, channels, width: r.width, height: r.height };
}

/** Writes `part` (region-sized) back into `full` at the region, in place. */
export function pastePlanar(full: Planar, r: Region, part: Planar): void {
  const { channels, width, height } = full;
  for (let c = 0; c < channels; c++) {
    for (let y = 0; y < r.height; y++) {
      full.data.set(part.data.subarray((c * r.height + y) * r.width, (c * r.height + y + 1) * r.width), (c * height + r.y0 + y) * width + r.x0);
    }
  }
}
