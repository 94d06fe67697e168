// `models verify`: installed files re-read and re-checked against the digest recorded at install
// and the pinned official one.
import { copyFile, mkdir, mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { modelPath } from '../../../../companion/compute/weights/cache.js';
import { importModel } from '../../../../companion/compute/weights/import.js';
import { verifyModels } from '../../../../companion/compute/weights/verify.js';
import { flipDataByteAt } from './corrupt.js';
import { caffeLayersFrom, encodeCaffemodel, KIT, kitTensors, withOneValueChanged } from './model-files.js';

let dir: string;
let n = 0;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'painterly-verify-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function freshCache(): Promise<string> {
  const c = join(dir, `cache-${++n}`);
  await mkdir(c, { recursive: true });
  return c;
}

const flipDataByte = (file: string) => flipDataByteAt(file, 100);

const byModel = async (c: string) => Object.fromEntries((await verifyModels(c)).map((r) => [r.model, r]));

describe('verifyModels', () => {
  it('reports every downloadable model as missing in an empty cache, with the fetch command', async () => {
    const reports = await verifyModels(await freshCache());
    expect(reports.map((r) => [r.model, r.status, r.fix])).toEqual([
      ['vgg19', 'missing', 'npx painterly models fetch vgg19'],
      ['squeezenet', 'missing', 'npx painterly models fetch squeezenet'],
      ['googlenet', 'missing', 'npx painterly models fetch googlenet'],
    ]);
  });

  it('says OK for installed official weights and for other weights whose recorded digest still matches', async () => {
    const c = await freshCache();
    await importModel(join(KIT, 'squeezenet1_1.safetensors'), c);
    const tuned = join(dir, 'tuned.caffemodel');
    await writeFile(tuned, encodeCaffemodel(caffeLayersFrom(withOneValueChanged(await kitTensors('googlenet'), 'conv2/3x3.weight')), 'current'));
    await importModel(tuned, c);
    await importModel(join(KIT, 'vgg19-conv1_1-to-conv3_4.safetensors'), c);
    const r = await byModel(c);
    expect(r.squeezenet).toMatchObject({ status: 'ok', official: true, detail: expect.stringContaining('the official weights') });
    expect(r.googlenet).toMatchObject({ status: 'ok', official: false, detail: expect.stringContaining('not the official weights') });
    expect(r['vgg19-partial']).toMatchObject({ status: 'ok' });
    expect(r.vgg19).toMatchObject({ status: 'missing' });
  });

  it('finds a flipped bit in the tensors and says how to repair it', async () => {
    const c = await freshCache();
    const { file } = await importModel(join(KIT, 'squeezenet1_1.safetensors'), c);
    await flipDataByte(file);
    const r = await byModel(c);
    expect(r.squeezenet).toMatchObject({ status: 'corrupt', fix: 'npx painterly models fetch squeezenet --force', detail: expect.stringContaining('changed since it was installed') });
  });

  it('finds a truncated file', async () => {
    const c = await freshCache();
    const { file } = await importModel(join(KIT, 'googlenet.safetensors'), c);
    await truncate(file, 1_000_000);
    expect((await byModel(c)).googlenet).toMatchObject({ status: 'corrupt', detail: expect.stringContaining('truncated') });
  });

  it('checks a file installed before digests were recorded against the official digest', async () => {
    const c = await freshCache();
    await copyFile(join(KIT, 'squeezenet1_1.safetensors'), modelPath('squeezenet', c));
    expect((await byModel(c)).squeezenet).toMatchObject({ status: 'ok', official: true });
    await flipDataByte(modelPath('squeezenet', c));
    expect((await byModel(c)).squeezenet).toMatchObject({ status: 'unverified', fix: 'npx painterly models fetch squeezenet --force' });
  });
});
