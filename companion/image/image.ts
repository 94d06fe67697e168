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

/** RGB view of a 1- to 4-channel image (alpha dropped; grey, and grey + alpha, replicated). */
export function toRgb(img: Image): Image {
  if (img.channels === 3) return img;
  const n = img.width * img.height;
  const ch = img.channels;
  const data = new Float32Array(n * 3);
  for (let i = 0; i < n; i++) for (let c = 0; c < 3; c++) data[i * 3 + c] = img.data[i * ch + (ch < 3 ? 0 : c)];
  return { width: img.width, height: img.height, channels: 3, data };
}

/** The first channel as a one-channel image (masks are read from the first channel, as the original does). */
export function firstChannel(img: Image): Image {
  if (img.channels === 1) return img;
  const n = img.width * img.height;
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = img.data[i * img.channels];
  return { width: img.width, height: img.height, channels: 1, data };
}
