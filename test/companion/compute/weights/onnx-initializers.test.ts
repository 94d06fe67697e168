// The ONNX reader on GoogLeNet written in the ONNX Model Zoo's layout (Caffe2 names
// `<layer>_w_0` / `<layer>_b_0`, Gemm classifier, raw_data and float_data, an int64 initializer).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import onnxProto from 'onnx-proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { convertWeights } from '../../../../companion/compute/weights/convert.js';
import { checkWeightsFor } from '../../../../companion/compute/weights/install.js';
import { fromCaffe2Names, readOnnxInitializers } from '../../../../companion/compute/weights/onnx-initializers.js';
import { MODEL_CATALOG } from '../../../../companion/compute/weights/sources.js';
import { encodeOnnxGooglenet, kitTensors } from './model-files.js';

const { onnx } = onnxProto;
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'painterly-onnx-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const bytesOf = (a: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

describe('googlenet-12.onnx layout', () => {
  it.each([1, 0] as const)('converts to the kit tensors byte for byte with the pinned digest (classifier Gemm transB=%i)', async (transB) => {
    const kit = await kitTensors('googlenet');
    const file = join(dir, `googlenet-${transB}.onnx`);
    await writeFile(file, encodeOnnxGooglenet(kit, { transB }));
    const converted = await convertWeights(file, 'onnx');
    expect(converted.model).toBe('googlenet');
    const checked = checkWeightsFor('googlenet', converted.tensors, file, true);
    for (const [name, t] of kit) expect(bytesOf(checked.tensors.get(name)!.data).equals(bytesOf(t.data)), name).toBe(true);
    expect(checked.digest).toBe(MODEL_CATALOG.googlenet.tensorsSha256);
  });

  it('maps Caffe2 names to ours and skips non-float initializers', async () => {
    const kit = await kitTensors('googlenet');
    const raw = readOnnxInitializers(encodeOnnxGooglenet(kit), 'g.onnx');
    expect(raw.has('inception_3a/1x1_w_0')).toBe(true);
    expect(raw.has('OC2_DUMMY_1')).toBe(false);
    const ours = fromCaffe2Names(raw);
    expect(ours.get('inception_3a/1x1.weight')!.shape).toEqual([64, 192, 1, 1]);
    expect(ours.get('loss3/classifier.bias')!.shape).toEqual([1000]);
    expect(ours.size).toBe(116);
  });
});

describe('readOnnxInitializers refuses', () => {
  it('bytes that are not ONNX, or a model without weights', () => {
    expect(() => readOnnxInitializers(new Uint8Array([0xff, 0xff, 0xff, 0xff, 0x0f]), 'x.onnx')).toThrow(expect.objectContaining({ code: 'WEIGHTS_UNREADABLE' }));
    const empty = onnx.ModelProto.encode(onnx.ModelProto.create({ irVersion: 7, graph: { name: 'g' } })).finish();
    expect(() => readOnnxInitializers(empty, 'e.onnx')).toThrow(expect.objectContaining({ code: 'WEIGHTS_UNREADABLE', message: expect.stringContaining('no initializers') }));
  });

  it('weights kept in an external file, naming the initializer', () => {
    const model = onnx.ModelProto.create({
      irVersion: 7,
      graph: { name: 'g', initializer: [{ name: 'conv1/7x7_s2_w_0', dims: [1], dataType: 1, dataLocation: 1, externalData: [{ key: 'location', value: 'w.bin' }] }] },
    });
    expect(() => readOnnxInitializers(onnx.ModelProto.encode(model).finish(), 'ext.onnx')).toThrow(
      expect.objectContaining({ code: 'WEIGHTS_UNREADABLE', message: expect.stringContaining('conv1/7x7_s2_w_0') }),
    );
  });

  it('raw data of the wrong length', () => {
    const model = onnx.ModelProto.create({ irVersion: 7, graph: { name: 'g', initializer: [{ name: 'w', dims: [2, 2], dataType: 1, rawData: new Uint8Array(12) }] } });
    expect(() => readOnnxInitializers(onnx.ModelProto.encode(model).finish(), 'short.onnx')).toThrow(
      expect.objectContaining({ code: 'WEIGHTS_UNREADABLE', message: expect.stringContaining('12 bytes for 4 values') }),
    );
  });
});
