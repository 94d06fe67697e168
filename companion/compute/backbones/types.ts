// Declarative backbone descriptions: a list of layers in topological order (the image is
// the value named 'input'), the taps that play the roles of VGG's reluX_1 layers, and the
// preprocessing. Graphs (features, step, masks) are all derived from this one description.

export type LayerSpec =
  /** Convolution, optionally followed by ReLU (every conv we tap is). Caffe floor rounding. */
  | { op: 'conv'; name: string; from: string; weight: string; out: number; k: number; stride: number; pad: number; relu: boolean }
  /** Max pooling in Caffe's ceil mode. */
  | { op: 'maxpool'; name: string; from: string; k: number; stride: number; pad: number }
  /** Local response normalisation across channels (Caffe/ONNX semantics). */
  | { op: 'lrn'; name: string; from: string; size: number; alpha: number; beta: number; bias: number }
  /** Channel concatenation, in the order given. */
  | { op: 'concat'; name: string; from: string[] };

/** The VGG-19 layer roles the algorithm is written in terms of. */
export type Role = 'relu1_1' | 'relu2_1' | 'relu3_1' | 'relu4_1' | 'relu5_1';

export interface Preprocess {
  /** RGB in [0,1] is multiplied by this (Caffe VGG in the original code: 256). */
  scale: number;
  /** Subtracted after scaling, in B, G, R order. */
  meanBGR: [number, number, number];
}

export interface BackboneSpec {
  name: string;
  /** Which weights file it loads from (a cache name; see companion/compute/weights). */
  weights: string;
  preprocess: Preprocess;
  layers: LayerSpec[];
  /** Layer names that play each role. relu5_1 may be absent (shallow variants). */
  roles: Partial<Record<Role, string>> & { relu1_1: string; relu2_1: string; relu3_1: string; relu4_1: string };
  /** Pass 1 (§2): style layers and the content layer. */
  pass1: { style: string[]; content: string };
  /** Pass 2 (§3): style, content, histogram layers and the mapping reference layer. */
  pass2: { style: string[]; content: string; histogram: string[]; reference: string };
  /** Photo style transfer (Luan et al. 2017): content layer (VGG relu4_2) and style layers. */
  photo: { content: string; style: string[] };
  /**
   * Per-pass multipliers of the TV weight. The spec's TV weights are tuned for VGG-19; smaller
   * nets give smaller image gradients, so their TV is scaled to keep the VGG ratio (§11).
   */
  tvScale: { pass1: number; pass2: number };
  /** Largest stride among the taps: crops are aligned to it so layer grids line up. */
  maxStride: number;
  /**
   * Pass 2 keeps the object's coarse structure with an image-space Laplacian term
   * (pipeline/harmonize/laplacian-term.ts): light backbones whose style terms wash it out.
   * `pool` is in pixels at the original's 700-px working size (scaled with the working size);
   * `weight` is the term's normalised-gradient weight, next to content 1 and style τ per layer
   * (§3.6, §11).
   */
  structure?: { pool: number; weight: number };
}

export type Shape = [channels: number, height: number, width: number];

function layerByName(spec: BackboneSpec, name: string): LayerSpec {
  const l = spec.layers.find((x) => x.name === name);
  if (!l) throw new Error(`backbone ${spec.name} has no layer '${name}'`);
  return l;
}

function inputsOf(l: LayerSpec): string[] {
  return l.op === 'concat' ? l.from : [l.from];
}

export function convOutSize(n: number, k: number, s: number, p: number): number {
  return Math.floor((n + 2 * p - k) / s) + 1;
}

/** Caffe's ceil-mode pooling size, including its rule that no window starts in the padding. */
export function poolOutSize(n: number, k: number, s: number, p: number): number {
  let out = Math.ceil((n + 2 * p - k) / s) + 1;
  if (p > 0 && (out - 1) * s >= n + p) out--;
  return out;
}

/** Output shape (channels, height, width: the tensor's order) of every layer for a width×height input. */
export function inferShapes(spec: Pick<BackboneSpec, 'layers'>, width: number, height: number, inputChannels = 3): Map<string, Shape> {
  const shapes = new Map<string, Shape>([['input', [inputChannels, height, width]]]);
  for (const l of spec.layers) {
    const get = (n: string): Shape => {
      const s = shapes.get(n);
      if (!s) throw new Error(`layer ${l.name}: input '${n}' not defined before use`);
      return s;
    };
    if (l.op === 'conv') {
      const [, h, w] = get(l.from);
      shapes.set(l.name, [l.out, convOutSize(h, l.k, l.stride, l.pad), convOutSize(w, l.k, l.stride, l.pad)]);
    } else if (l.op === 'maxpool') {
      const [c, h, w] = get(l.from);
      shapes.set(l.name, [c, poolOutSize(h, l.k, l.stride, l.pad), poolOutSize(w, l.k, l.stride, l.pad)]);
    } else if (l.op === 'lrn') {
      shapes.set(l.name, get(l.from));
    } else {
      const parts = l.from.map(get);
      const [, h, w] = parts[0];
      if (parts.some((p) => p[1] !== h || p[2] !== w)) throw new Error(`concat ${l.name}: inputs differ in size`);
      shapes.set(l.name, [parts.reduce((a, p) => a + p[0], 0), h, w]);
    }
  }
  return shapes;
}

/** The layers needed to compute `targets`, in topological order. */
export function ancestors(spec: BackboneSpec, targets: string[]): LayerSpec[] {
  const need = new Set<string>();
  const visit = (n: string): void => {
    if (n === 'input' || need.has(n)) return;
    need.add(n);
    inputsOf(layerByName(spec, n)).forEach(visit);
  };
  targets.forEach(visit);
  return spec.layers.filter((l) => need.has(l.name));
}

/** Total stride of each layer relative to the image (product of strides along its first input chain). */
export function layerStrides(spec: Pick<BackboneSpec, 'layers'>): Map<string, number> {
  const strides = new Map<string, number>([['input', 1]]);
  for (const l of spec.layers) {
    if (l.op === 'conv' || l.op === 'maxpool') strides.set(l.name, strides.get(l.from)! * l.stride);
    else strides.set(l.name, strides.get(l.op === 'concat' ? l.from[0] : l.from)!);
  }
  return strides;
}

/** Weight tensor names a set of layers reads. */
export function requiredWeights(layers: LayerSpec[]): string[] {
  return layers.flatMap((l) => (l.op === 'conv' ? [`${l.weight}.weight`, `${l.weight}.bias`] : []));
}
