import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import h5wasm from 'h5wasm/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { convertKerasVgg19, hwioToOihw, isHdf5, VGG19_CONV_LAYERS } from '../../../../companion/compute/weights/keras-vgg19.js';
import { writeKerasVgg19, type KerasLayer } from './fixtures.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'painterly-keras-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Checks every element: ours[o][i][y][x] must be Keras's [y][x][i][o]. */
function expectTransposed(ours: { shape: number[]; data: Float32Array }, keras: KerasLayer): void {
  const [H, W, I, O] = keras.shape;
  expect(ours.shape).toEqual([O, I, H, W]);
  for (let o = 0; o < O; o++)
    for (let i = 0; i < I; i++)
      for (let y = 0; y < H; y++)
        for (let x = 0; x < W; x++) {
          const got = ours.data[((o * I + i) * H + y) * W + x];
          const want = keras.kernel[((y * W + x) * I + i) * O + o];
          if (got !== want) throw new Error(`${keras.name}[${o},${i},${y},${x}] = ${got}, expected ${want}`);
        }
}

describe('hwioToOihw', () => {
  it('moves a hand-worked 1x2x2x3 kernel to OIHW', () => {
    // HWIO element (y=0, x, i, o) holds 100*x + 10*i + o.
    const hwio = Float32Array.from([0, 1, 2, 10, 11, 12, 100, 101, 102, 110, 111, 112]);
    const oihw = hwioToOihw(hwio, [1, 2, 2, 3]);
    // OIHW order: o, then i, then x.
    expect(Array.from(oihw)).toEqual([0, 100, 10, 110, 1, 101, 11, 111, 2, 102, 12, 112]);
  });
});

describe('convertKerasVgg19', () => {
  it('converts all 16 layers of the real file layout (block1_conv1_W_1:0) with exact HWIO -> OIHW transposes', async () => {
    const file = join(dir, 'keras1.h5');
    const source = await writeKerasVgg19(file, { naming: 'keras1', seed: 7 });
    const w = await convertKerasVgg19(file);
    expect([...w.tensors.keys()]).toEqual(VGG19_CONV_LAYERS.flatMap((l) => [`${l}.weight`, `${l}.bias`]));
    for (const layer of source) {
      expectTransposed(w.tensors.get(`${layer.name}.weight`)!, layer);
      expect(w.tensors.get(`${layer.name}.bias`)!.shape).toEqual([layer.shape[3]]);
      expect(Array.from(w.tensors.get(`${layer.name}.bias`)!.data)).toEqual(Array.from(layer.bias));
    }
    expect(w.metadata.layers).toBe(VGG19_CONV_LAYERS.join(','));
    expect(w.metadata).toMatchObject({ architecture: 'vgg19', layout: 'OIHW' });
    expect(w.metadata.input).toContain('103.939');
  });

  it('reads the Keras 2 naming (block1_conv1/block1_conv1/kernel:0) the same way', async () => {
    const file = join(dir, 'keras2.h5');
    const source = await writeKerasVgg19(file, { naming: 'keras2', layers: 3, seed: 3 });
    const w = await convertKerasVgg19(file);
    expect(w.metadata.layers).toBe('conv1_1,conv1_2,conv2_1');
    for (const layer of source) expectTransposed(w.tensors.get(`${layer.name}.weight`)!, layer);
  });

  it('converts a file with only the first layers and lists just those', async () => {
    const file = join(dir, 'partial.h5');
    await writeKerasVgg19(file, { layers: 2 });
    const w = await convertKerasVgg19(file);
    expect(w.metadata.layers).toBe('conv1_1,conv1_2');
    expect(w.tensors.size).toBe(4);
  });

  it('refuses a Theano-ordered kernel whose last axis is not the output channels', async () => {
    const file = join(dir, 'theano.h5');
    await h5wasm.ready;
    const f = new h5wasm.File(file, 'w');
    const g = f.create_group('block1_conv1');
    g.create_dataset({ name: 'block1_conv1_W_1:0', data: new Float32Array(4 * 3 * 9), shape: [4, 3, 3, 3], dtype: '<f' });
    g.create_dataset({ name: 'block1_conv1_b_1:0', data: new Float32Array(4), shape: [4], dtype: '<f' });
    f.close();
    await expect(convertKerasVgg19(file)).rejects.toMatchObject({
      code: 'WEIGHTS_UNREADABLE',
      message: expect.stringContaining('tf_dim_ordering_tf_kernels'),
    });
  });

  it('refuses an HDF5 file without VGG layers', async () => {
    const file = join(dir, 'other.h5');
    await h5wasm.ready;
    const f = new h5wasm.File(file, 'w');
    f.create_group('dense_1');
    f.close();
    await expect(convertKerasVgg19(file)).rejects.toMatchObject({
      code: 'WEIGHTS_UNREADABLE',
      message: expect.stringContaining('not a Keras VGG-19 weights file'),
    });
  });

  it('refuses a file that is not HDF5 before handing it to the HDF5 library', async () => {
    const file = join(dir, 'text.h5');
    await writeFile(file, 'hello, not hdf5');
    await expect(convertKerasVgg19(file)).rejects.toMatchObject({ code: 'WEIGHTS_UNREADABLE', message: 'text.h5 is not an HDF5 file.' });
  });

  it('recognises the HDF5 signature', () => {
    expect(isHdf5(Uint8Array.from([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a, 0]))).toBe(true);
    expect(isHdf5(Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))).toBe(false); // PNG
    expect(isHdf5(new Uint8Array(3))).toBe(false);
  });
});
