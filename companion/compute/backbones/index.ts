// Backbone registry: name → description. Unknown names are refused with the valid list.
import { PainterlyError } from '../../../shared/errors.js';
import { BACKBONES as BACKBONE_LIST, type BackboneName } from '../../../shared/catalogue.js';
import type { BackboneSpec } from './types.js';
import { vgg19, vgg19Shallow } from './vgg19.js';
import { squeezenet } from './squeezenet.js';
import { googlenet } from './googlenet.js';
import { ancestors, inferShapes, requiredWeights } from './types.js';

export const BACKBONES: Readonly<Record<BackboneName, BackboneSpec>> = Object.freeze({
  vgg19,
  'vgg19-shallow': vgg19Shallow,
  squeezenet,
  googlenet,
});

/** The one list of backbone names (the protocol's); the registry above has exactly these keys. */
export const BACKBONE_NAMES: readonly BackboneName[] = BACKBONE_LIST;

export function getBackbone(name: string): BackboneSpec {
  const spec = (BACKBONES as Readonly<Record<string, BackboneSpec | undefined>>)[name];
  if (!spec) {
    throw new PainterlyError('UNKNOWN_BACKBONE', `Unknown backbone '${name}'. Choose one of: ${BACKBONE_NAMES.join(', ')}.`);
  }
  return spec;
}

/** Every layer name any pass of the algorithm taps. */
export function allTaps(spec: BackboneSpec): string[] {
  return [...new Set([...spec.pass1.style, spec.pass1.content, ...spec.pass2.style, spec.pass2.content, ...spec.pass2.histogram, spec.pass2.reference])];
}

/** Layers photo style transfer taps. */
export function photoTaps(spec: BackboneSpec): string[] {
  return [...new Set([...spec.photo.style, spec.photo.content])];
}

export interface WeightTensor {
  shape: number[];
  data: Float32Array;
}
export type WeightMap = Map<string, WeightTensor>;

/**
 * Checks that `weights` holds every tensor the backbone needs, with the right shapes.
 * A partial file (e.g. VGG-19 up to conv3_4) works for backbones that stop early.
 */
export function checkWeights(spec: BackboneSpec, weights: WeightMap, source = 'the weights file'): void {
  const layers = ancestors(spec, allTaps(spec));
  const missing = requiredWeights(layers).filter((n) => !weights.has(n));
  if (missing.length > 0) {
    const shown = missing.slice(0, 4).join(', ') + (missing.length > 4 ? `, … (${missing.length} in all)` : '');
    throw new PainterlyError('MODEL_LAYERS_MISSING', `${source} lacks layers that backbone '${spec.name}' needs: ${shown}.`);
  }
  const channels = new Map<string, number>([['input', 3]]);
  for (const l of layers) {
    if (l.op === 'conv') {
      const w = weights.get(`${l.weight}.weight`)!;
      const cin = channels.get(l.from)!;
      const want = [l.out, cin, l.k, l.k];
      if (w.shape.join() !== want.join()) {
        throw new PainterlyError('MODEL_LAYERS_MISSING', `${source}: ${l.weight}.weight has shape [${w.shape}], backbone '${spec.name}' needs [${want}].`);
      }
      channels.set(l.name, l.out);
    } else if (l.op === 'concat') {
      channels.set(l.name, l.from.reduce((a, f) => a + channels.get(f)!, 0));
    } else {
      channels.set(l.name, channels.get(l.from)!);
    }
  }
}

/** Whether every tap has a grid of at least `min`×`min` for a W×H input. */
function tapsFit(spec: BackboneSpec, width: number, height: number, taps: string[], min: number): boolean {
  const shapes = inferShapes(spec, width, height);
  return taps.every((t) => {
    const s = shapes.get(t);
    return s !== undefined && s[1] >= min && s[2] >= min;
  });
}

/** The smallest square side for which no tap's grid is empty. */
export function minimumSide(spec: BackboneSpec, taps: string[]): number {
  let n = 1;
  while (!tapsFit(spec, n, n, taps, 1) && n < 4096) n++;
  return n;
}

/**
 * Refuses inputs too small for the backbone's deepest taps: an empty layer grid makes the
 * runtime fail hard (a division by zero in a kernel), not with an error.
 */
export function checkInputSize(spec: BackboneSpec, width: number, height: number, taps: string[], what: string): void {
  if (tapsFit(spec, width, height, taps, 1)) return;
  const side = minimumSide(spec, taps);
  throw new PainterlyError('IMAGE_TOO_SMALL', `The ${what} is ${width}×${height} at working size; backbone '${spec.name}' needs at least ${side} px on each side.`);
}
