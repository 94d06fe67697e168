// caffejs per-layer blobs: the kit's weights written back out in caffejs's layout reproduce the
// published blob files byte for byte (their SHA-256 are pinned in the kit), and reading them back
// gives the kit's tensors byte for byte.
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caffejsFiles, findCaffejsWeights, ohwiToOihw, readCaffejsWeights } from '../../../../companion/compute/weights/caffejs.js';
import { CAFFEJS_SHA256 } from '../../../../companion/compute/weights/caffejs-sums.js';
import { CAFFEJS_DIRS, KIT, kitTensors, writeCaffejs } from './model-files.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'painterly-caffejs-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const bytesOf = (a: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

describe('the pinned caffejs checksums', () => {
  it('are exactly the blob entries of the kit\'s caffejs-SHA256SUMS', async () => {
    const sums = (await readFile(join(KIT, 'caffejs-SHA256SUMS'), 'utf8'))
      .split('\n')
      .filter((l) => l.endsWith('.bin'))
      .map((l) => l.split(/\s+/));
    expect(Object.entries(CAFFEJS_SHA256).sort()).toEqual(sums.map(([h, p]) => [p, h]).sort());
  });

  it('cover every tensor of both networks, one filter and one bias file per layer', () => {
    expect(caffejsFiles('squeezenet')).toHaveLength(52);
    expect(caffejsFiles('googlenet')).toHaveLength(116);
    expect(caffejsFiles('googlenet')[0]).toMatchObject({ path: 'bvlc_googlenet/weights/conv1/7x7_s2_filter.bin', tensor: 'conv1/7x7_s2.weight', shape: [64, 3, 7, 7], bytes: 64 * 3 * 49 * 4 });
  });
});

describe.each(['squeezenet', 'googlenet'] as const)('caffejs %s', (model) => {
  it('writing the kit weights in caffejs layout reproduces every published blob byte for byte, and reading them back gives the kit tensors', async () => {
    const kit = await kitTensors(model);
    const root = join(dir, `exact-${model}`);
    const files = await writeCaffejs(root, model, kit);
    expect(files.size).toBe(Object.keys(CAFFEJS_SHA256).filter((p) => p.startsWith(`${CAFFEJS_DIRS[model]}/`)).length);
    for (const [rel, bytes] of files) expect(createHash('sha256').update(bytes).digest('hex'), rel).toBe(CAFFEJS_SHA256[rel]);

    const back = await readCaffejsWeights(model, join(root, CAFFEJS_DIRS[model], 'weights'));
    expect([...back.keys()]).toEqual([...kit.keys()]);
    for (const [name, t] of kit) {
      expect(back.get(name)!.shape, name).toEqual(t.shape);
      expect(bytesOf(back.get(name)!.data).equals(bytesOf(t.data)), name).toBe(true);
    }
  });
});

describe('ohwiToOihw', () => {
  it('moves element (o, y, x, i) to (o, i, y, x), checked against the index formula on a 2×3×2×4 bank', () => {
    const [O, H, W, I] = [2, 3, 2, 4];
    const src = Float32Array.from({ length: O * H * W * I }, (_, n) => n);
    const out = ohwiToOihw(src, [O, I, H, W]);
    for (let o = 0; o < O; o++)
      for (let i = 0; i < I; i++)
        for (let y = 0; y < H; y++)
          for (let x = 0; x < W; x++) expect(out[o * I * H * W + i * H * W + y * W + x]).toBe(src[o * H * W * I + y * W * I + x * I + i]);
  });
});

describe('findCaffejsWeights', () => {
  it('accepts caffejs\'s models/<net> folder, its weights/ folder, or models/ holding one network', async () => {
    const root = join(dir, 'find');
    await writeCaffejs(root, 'squeezenet', await kitTensors('squeezenet'));
    const weights = join(root, 'squeezenet', 'weights');
    for (const p of [join(root, 'squeezenet'), weights, root]) expect(findCaffejsWeights(p)).toEqual({ model: 'squeezenet', weightsDir: weights });
  });

  it('asks which network when models/ holds both, and explains what it looks for otherwise', async () => {
    const root = join(dir, 'both');
    for (const [net, marker] of [['squeezenet', 'fire2/squeeze1x1_filter.bin'], ['bvlc_googlenet', 'inception_3a/1x1_filter.bin']]) {
      await mkdir(join(root, net, 'weights', marker, '..'), { recursive: true });
      await writeFile(join(root, net, 'weights', marker), '');
    }
    expect(() => findCaffejsWeights(root)).toThrow(expect.objectContaining({ code: 'BAD_ARGUMENT', message: expect.stringContaining('holds both') }));
    expect(() => findCaffejsWeights(dir)).toThrow(expect.objectContaining({ code: 'BAD_ARGUMENT', message: expect.stringContaining('fire2/squeeze1x1_filter.bin') }));
  });
});

describe('readCaffejsWeights refuses incomplete or wrong blobs, naming the file', () => {
  it('a blob of the wrong size', async () => {
    const root = join(dir, 'short');
    await writeCaffejs(root, 'squeezenet', await kitTensors('squeezenet'));
    await writeFile(join(root, 'squeezenet/weights/fire3/expand3x3_filter.bin'), new Uint8Array(12));
    await expect(readCaffejsWeights('squeezenet', join(root, 'squeezenet/weights'))).rejects.toMatchObject({
      code: 'WEIGHTS_UNREADABLE',
      message: expect.stringMatching(/fire3\/expand3x3_filter\.bin has 12 bytes; fire3\/expand3x3\.weight of shape \[64,16,3,3\] needs 36864/),
    });
  });

  it('a missing blob', async () => {
    const root = join(dir, 'missing');
    await writeCaffejs(root, 'squeezenet', await kitTensors('squeezenet'));
    await rm(join(root, 'squeezenet/weights/conv10_bias.bin'));
    await expect(readCaffejsWeights('squeezenet', join(root, 'squeezenet/weights'))).rejects.toMatchObject({
      code: 'MODEL_LAYERS_MISSING',
      message: expect.stringContaining('conv10_bias.bin'),
    });
  });
});
