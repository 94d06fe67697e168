// A backbone ready to run: its description, its checked weights and the device that runs it.
// Every graph opened for a network (compute/graphs/) runs on its device. Weights are cached per
// file so a companion serving many jobs reads them once; the device is chosen once per process.
import { getBackbone, checkWeights, type WeightMap } from './backbones/index.js';
import type { BackboneSpec } from './backbones/types.js';
import { selectDevice } from './device.js';
import { type Device, type OnDevice } from './device-names.js';
import { loadWeights, resolveWeightsFile, type ModelName } from './weights/resolve.js';

export interface Network extends OnDevice {
  spec: BackboneSpec;
  weights: WeightMap;
  device: Device;
  /** Devices tried and rejected by `auto`, with reasons. */
  deviceNotes: string[];
  weightsFile: string;
}

const weightCache = new Map<string, Promise<WeightMap>>();

export async function loadNetwork(backbone: string, opts: { weightsFile?: string; device?: string } = {}): Promise<Network> {
  const spec = getBackbone(backbone);
  const model: ModelName = spec.name === 'vgg19-shallow' ? 'vgg19-partial' : (spec.weights as ModelName);
  const file = resolveWeightsFile(model, opts.weightsFile);
  let weights = weightCache.get(file);
  if (!weights) {
    weights = loadWeights(file).then((w) => w.tensors);
    weightCache.set(file, weights);
    weights.catch(() => weightCache.delete(file));
  }
  const w = await weights;
  checkWeights(spec, w, file);
  const { device, notes } = await selectDevice(opts.device ?? 'auto');
  return { spec, weights: w, device, deviceNotes: notes, weightsFile: file };
}

/** Builds a network from weights in memory (tests, benchmarks with synthetic weights). */
export function networkFromWeights(backbone: string | BackboneSpec, weights: WeightMap, device: Device = 'cpu'): Network {
  const spec = typeof backbone === 'string' ? getBackbone(backbone) : backbone;
  checkWeights(spec, weights);
  return { spec, weights, device, deviceNotes: [], weightsFile: '(in memory)' };
}
