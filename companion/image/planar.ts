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

/** A rectangle of a larger grid. */
export interface Region extends Size {
  x0: number;
  y0: number;
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
