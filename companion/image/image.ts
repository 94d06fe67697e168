// The in-memory image type used across the companion: interleaved (HWC) float32 in [0, 1].
export interface Image {
  width: number;
  height: number;
  /** 1 (mask / grey), 3 (RGB) or 4 (RGBA). */
  channels: number;
  data: Float32Array;
}

export function createImage(width: number, height: number, channels: number, fill = 0): Image {
  const data = new Float32Array(width * height * channels);
  if (fill !== 0) data.fill(fill);
  return { width, height, channels, data };
}

export function cloneImage(img: Image): Image {
  return { width: img.width, height: img.height, channels: img.channels, data: img.data.slice() };
}
