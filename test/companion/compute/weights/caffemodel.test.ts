// The Caffe protobuf reader on files written in Caffe's own wire format (current `layer` and
// 2014-era V1 `layers`), small ones for exactness and the kit's networks at full size.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caffeModelKind, caffeTensors, readCaffemodel } from '../../../../companion/compute/weights/caffemodel.js';
import { convertWeights } from '../../../../companion/compute/weights/convert.js';
import { checkWeightsFor } from '../../../../companion/compute/weights/install.js';
import { MODEL_CATALOG } from '../../../../companion/compute/weights/sources.js';
import { caffeLayersFrom, encodeCaffemodel, kitTensors } from './model-files.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'painterly-caffe-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const f32 = (...v: number[]) => Float32Array.from(v);

describe('readCaffemodel', () => {
  it.each(['current', 'v1'] as const)('reads blob dims and values exactly from a %s-format file, skipping layers without blobs', (format) => {
    const bytes = encodeCaffemodel(
      [
        { name: 'data', type: 'Data', blobs: [] },
        { name: 'conv1', type: 'Convolution', blobs: [{ shape: [2, 1, 1, 2], data: f32(1, -2, 3.5, 1e-7) }, { shape: [2], data: f32(0.5, -0.25) }] },
        { name: 'relu1', type: 'ReLU', blobs: [] },
        { name: 'fc', type: 'InnerProduct', blobs: [{ shape: [3, 2], data: f32(1, 2, 3, 4, 5, 6) }, { shape: [3], data: f32(7, 8, 9) }] },
      ],
      format,
    );
    const layers = readCaffemodel(bytes, 'tiny.caffemodel');
    expect([...layers.keys()]).toEqual(['conv1', 'fc']);
    const conv = layers.get('conv1')!;
    expect(conv[0].dims).toEqual([2, 1, 1, 2]);
    expect([...conv[0].values()]).toEqual([...f32(1, -2, 3.5, 1e-7)]);
    expect([...conv[1].values()]).toEqual([0.5, -0.25]);
    // V1 files keep the legacy 4-D dims: (1, 1, out, in) for an inner product, (1, 1, 1, out) for a bias.
    expect(layers.get('fc')![0].dims).toEqual(format === 'v1' ? [1, 1, 3, 2] : [3, 2]);
    expect(layers.get('fc')![1].dims).toEqual(format === 'v1' ? [1, 1, 1, 3] : [3]);
  });

  it('refuses bytes that are not a Caffe model, and a net without weights', () => {
    expect(() => readCaffemodel(new TextEncoder().encode('<html>rate limited</html>'), 'x.caffemodel')).toThrow(
      expect.objectContaining({ code: 'WEIGHTS_UNREADABLE', message: expect.stringContaining('x.caffemodel') }),
    );
    expect(() => readCaffemodel(encodeCaffemodel([{ name: 'data', type: 'Data', blobs: [] }], 'current'), 'deploy.caffemodel')).toThrow(
      expect.objectContaining({ code: 'WEIGHTS_UNREADABLE', message: expect.stringContaining('no layer with weights') }),
    );
  });
});

describe.each([
  ['squeezenet', 'current'],
  ['googlenet', 'v1'],
] as const)('a full-size %s caffemodel (%s format)', (model, format) => {
  it('converts to the kit tensors exactly, with the pinned digest, ignoring auxiliary layers', async () => {
    const kit = await kitTensors(model);
    const file = join(dir, `${model}.caffemodel`);
    await writeFile(file, encodeCaffemodel(caffeLayersFrom(kit, { aux: model === 'googlenet' }), format));
    const converted = await convertWeights(file, 'caffemodel');
    expect(converted.model).toBe(model);
    const checked = checkWeightsFor(model, converted.tensors, file, true);
    expect([...checked.tensors.keys()]).toEqual([...kit.keys()]);
    expect(checked.digest).toBe(MODEL_CATALOG[model].tensorsSha256);
    expect(checked.official).toBe(true);
  });
});

describe('caffeTensors', () => {
  it('maps legacy (1,1,1,out) biases and (1,1,out,in) inner products onto the expected shapes', async () => {
    const kit = await kitTensors('googlenet');
    const layers = readCaffemodel(encodeCaffemodel(caffeLayersFrom(kit), 'v1'), 'g.caffemodel');
    const t = caffeTensors('googlenet', layers, 'g.caffemodel');
    expect(t.get('loss3/classifier.weight')!.shape).toEqual([1000, 1024]);
    expect(t.get('loss3/classifier.bias')!.shape).toEqual([1000]);
    expect(t.get('conv1/7x7_s2.weight')!.shape).toEqual([64, 3, 7, 7]);
  });

  it('recognises the network by its layer names', async () => {
    const kit = await kitTensors('squeezenet');
    expect(caffeModelKind(readCaffemodel(encodeCaffemodel(caffeLayersFrom(kit), 'current'), 's'))).toBe('squeezenet');
    expect(caffeModelKind(readCaffemodel(encodeCaffemodel([{ name: 'other', type: 'Convolution', blobs: [{ shape: [1], data: f32(1) }] }], 'current'), 'o'))).toBeUndefined();
  });

  it('leaves a layer with a different shape to be refused, naming it (SqueezeNet 1.0 is not 1.1)', async () => {
    const kit = await kitTensors('squeezenet');
    const layers = caffeLayersFrom(kit);
    const conv1 = layers.find((l) => l.name === 'conv1')!;
    conv1.blobs = [{ shape: [96, 3, 7, 7], data: new Float32Array(96 * 3 * 49) }, { shape: [96], data: new Float32Array(96) }];
    const file = join(dir, 'squeezenet10.caffemodel');
    await writeFile(file, encodeCaffemodel(layers, 'current'));
    const converted = await convertWeights(file, 'caffemodel');
    expect(() => checkWeightsFor('squeezenet', converted.tensors, 'squeezenet10.caffemodel', true)).toThrow(
      expect.objectContaining({ code: 'MODEL_LAYERS_MISSING', message: expect.stringContaining('conv1.weight has shape [96,3,7,7]') }),
    );
  });
});
