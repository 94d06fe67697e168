// A document with a layer pasted over it, whole (HarmonizeDocument, as the CLI sends it) and in
// parts (HarmonizeParts, as the panel sends it), for comparing the two paths of harmonize.
import type { Image } from '../../companion/image/image.js';
import type { Region, Size } from '../../companion/image/planar.js';
import { resize, workingSize } from '../../companion/image/resize.js';
import type { DocumentPart, HarmonizeDocument, HarmonizeParts } from '../../companion/pipeline/types.js';
import { growRegion, nativeWindow, paperPaintingSide } from '../../shared/native-window.js';
import { syntheticScene } from './synthetic-scene.js';
import { mulberry32 } from './gradcheck.js';

export interface PastedScene {
  document: HarmonizeDocument;
  /** The pasted layer, RGBA over its bounds. */
  pasted: DocumentPart;
}

/**
 * A painting whose detail falls off with scale as real ones' does (syntheticScene's has stripes
 * 12 px apart and per-pixel noise, which two resamplings render very differently): value noise
 * in octaves from 192 px cells down to 3 px, each octave's amplitude ∝ √(its cell size), mapped to
 * a warm palette with some independent colour per octave. Deterministic in `seed`.
 */
export function octavePainting(width: number, height: number, seed = 5): Image {
  const rand = mulberry32(seed);
  const grey = new Float32Array(width * height);
  const tint = new Float32Array(width * height);
  let total = 0;
  for (let cell = 192; cell >= 3; cell /= 2) {
    const amp = Math.sqrt(cell);
    total += amp;
    const gw = Math.ceil(width / cell) + 2, gh = Math.ceil(height / cell) + 2;
    const g = Float32Array.from({ length: gw * gh }, () => rand());
    const t = Float32Array.from({ length: gw * gh }, () => rand());
    const smooth = (f: number): number => f * f * (3 - 2 * f);
    for (let y = 0; y < height; y++) {
      const fy = y / cell, gy = Math.floor(fy), wy = smooth(fy - gy);
      for (let x = 0; x < width; x++) {
        const fx = x / cell, gx = Math.floor(fx), wx = smooth(fx - gx);
        const at = (a: Float32Array): number => {
          const i = gy * gw + gx;
          return (a[i] * (1 - wx) + a[i + 1] * wx) * (1 - wy) + (a[i + gw] * (1 - wx) + a[i + gw + 1] * wx) * wy;
        };
        grey[y * width + x] += amp * at(g);
        tint[y * width + x] += amp * at(t);
      }
    }
  }
  const data = new Float32Array(width * height * 3);
  for (let i = 0; i < width * height; i++) {
    const s = grey[i] / total, t = tint[i] / total - 0.5;
    data[i * 3] = 0.8 * s + 0.1 + 0.2 * t;
    data[i * 3 + 1] = 0.5 * s + 0.2;
    data[i * 3 + 2] = 0.3 * s + 0.1 - 0.2 * t;
  }
  return { width, height, channels: 3, data };
}

/**
 * syntheticScene's painting (or `painting`) with an RGBA layer over `layer` (document pixels): opaque inside
 * `box`, transparent around it, or with `feather` > 0 its alpha ramping from 1 to 0 over the
 * last `feather` pixels inside the box. The composite is the layer over the painting (normal
 * blending, a·p + (1 − a)·P); the tight mask is the layer's alpha.
 */
export function pastedScene(size: Size, box: Region, layer: Region, feather = 0, painting = syntheticScene(size.width, size.height, { x: 0, y: 0, w: 1, h: 1 }).painting): PastedScene {
  const { width, height } = size;
  const composite: Image = { ...painting, data: painting.data.slice() };
  const mask: Image = { width, height, channels: 1, data: new Float32Array(width * height) };
  const rgba = new Float32Array(layer.width * layer.height * 4);
  for (let y = layer.y0; y < layer.y0 + layer.height; y++) {
    for (let x = layer.x0; x < layer.x0 + layer.width; x++) {
      const k = ((y - layer.y0) * layer.width + x - layer.x0) * 4;
      // The pasted object: blue with a stripe every 4 px, as syntheticScene's.
      const p = [0.1, 0.3 + 0.2 * ((x >> 2) & 1), 0.9];
      const inside = Math.min(x - box.x0, box.x0 + box.width - 1 - x, y - box.y0, box.y0 + box.height - 1 - y);
      const a = inside < 0 ? 0 : feather > 0 ? Math.min(1, (inside + 0.5) / feather) : 1;
      rgba.set([...p, a], k);
      const i = y * width + x;
      mask.data[i] = a;
      for (let c = 0; c < 3; c++) composite.data[i * 3 + c] = Math.fround(a * p[c]) + (1 - a) * painting.data[i * 3 + c];
    }
  }
  return { document: { painting, composite, mask }, pasted: { region: layer, image: { width: layer.width, height: layer.height, channels: 4, data: rgba } } };
}

export interface PartsSettings {
  /** How the panel's painting is resampled to its canvas (default the companion's own resize). */
  resample?: (img: Image, width: number, height: number) => Image;
  /** The painting window sent, from the one the panel computes (default that one). */
  window?: (nativeWindow: Region) => Region;
}

/** The parts of `scene` the panel sends for a job at working size `size`. */
export function partsOf(scene: PastedScene, size: number, settings: PartsSettings = {}): HarmonizeParts {
  const { painting, mask } = scene.document;
  const doc = { width: painting.width, height: painting.height };
  const canvas = workingSize(doc.width, doc.height, paperPaintingSide(doc, size));
  const bounds = boundsOver(mask, 0)!;
  const windowRegion = (settings.window ?? ((r) => r))(nativeWindow(doc, bounds, size));
  const maskRegion = growRegion(bounds, 2, doc);
  return {
    document: doc,
    painting: (settings.resample ?? resize)(painting, canvas.width, canvas.height),
    window: { region: windowRegion, image: cut(painting, windowRegion) },
    pasted: scene.pasted,
    mask: { region: maskRegion, image: cut(mask, maskRegion) },
  };
}

/** `r` cut from an HWC image. */
export function cut(img: Image, r: Region): Image {
  const c = img.channels;
  const data = new Float32Array(r.width * r.height * c);
  for (let y = 0; y < r.height; y++) data.set(img.data.subarray(((r.y0 + y) * img.width + r.x0) * c, ((r.y0 + y) * img.width + r.x0 + r.width) * c), y * r.width * c);
  return { width: r.width, height: r.height, channels: c, data };
}

function boundsOver(mask: Image, threshold: number): Region | undefined {
  let x0 = Infinity, y0 = Infinity, x1 = -1, y1 = -1;
  for (let y = 0; y < mask.height; y++) for (let x = 0; x < mask.width; x++) {
    if (mask.data[y * mask.width + x] <= threshold) continue;
    x0 = Math.min(x0, x); y0 = Math.min(y0, y); x1 = Math.max(x1, x); y1 = Math.max(y1, y);
  }
  return x1 < 0 ? undefined : { x0, y0, width: x1 - x0 + 1, height: y1 - y0 + 1 };
}

/**
 * A plain box filter standing in for Photoshop's own resampling: each output pixel the mean of
 * the source pixels whose centres fall in its footprint (no fractional weights, unlike Torch's
 * exact area average).
 */
export function boxResize(img: Image, width: number, height: number): Image {
  const c = img.channels;
  const out = new Float32Array(width * height * c);
  const sx = img.width / width, sy = img.height / height;
  const span = (i: number, s: number, n: number): [number, number] => {
    const a = Math.min(n - 1, Math.max(0, Math.ceil(i * s - 0.5))), b = Math.max(a + 1, Math.min(n, Math.ceil((i + 1) * s - 0.5)));
    return [a, b];
  };
  for (let y = 0; y < height; y++) {
    const [ya, yb] = span(y, sy, img.height);
    for (let x = 0; x < width; x++) {
      const [xa, xb] = span(x, sx, img.width);
      for (let k = 0; k < c; k++) {
        let s = 0;
        for (let yy = ya; yy < yb; yy++) for (let xx = xa; xx < xb; xx++) s += img.data[(yy * img.width + xx) * c + k];
        out[(y * width + x) * c + k] = s / ((yb - ya) * (xb - xa));
      }
    }
  }
  return { width, height, channels: c, data: out };
}
