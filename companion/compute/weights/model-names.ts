// The weight sets a job can ask for and which backbones each one enables.
import { VGG19_CONV_LAYERS } from './keras-vgg19.js';

/** Names of the weight sets a job can ask for. `vgg19-partial` is conv1_1…conv3_4 at least. */
export type ModelName = 'vgg19' | 'vgg19-partial' | 'squeezenet' | 'googlenet';

/** Which backbones each cached model enables. A full VGG-19 also serves the shallow one. */
export const BACKBONES_BY_MODEL: Readonly<Record<ModelName, readonly string[]>> = {
  vgg19: ['vgg19', 'vgg19-shallow'],
  'vgg19-partial': ['vgg19-shallow'],
  squeezenet: ['squeezenet'],
  googlenet: ['googlenet'],
};

/** A tensor whose presence identifies each family. */
export const SIGNATURES: ReadonlyArray<[string, 'vgg19' | 'squeezenet' | 'googlenet']> = [
  ['conv1_1.weight', 'vgg19'],
  ['fire2/squeeze1x1.weight', 'squeezenet'],
  ['inception_3a/1x1.weight', 'googlenet'],
];

/** Which model a set of tensor names is, or undefined. VGG is full only with all 16 layers. */
export function detectModel(names: Iterable<string>): ModelName | undefined {
  const set = new Set(names);
  const family = SIGNATURES.find(([tensor]) => set.has(tensor))?.[1];
  if (family !== 'vgg19') return family;
  return VGG19_CONV_LAYERS.every((l) => set.has(`${l}.weight`) && set.has(`${l}.bias`)) ? 'vgg19' : 'vgg19-partial';
}

/** The VGG-19 conv layers present, in network order. */
export function vggLayersIn(names: Iterable<string>): string[] {
  const set = new Set(names);
  return VGG19_CONV_LAYERS.filter((l) => set.has(`${l}.weight`));
}
