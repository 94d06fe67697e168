import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi, type MockInstance } from 'vitest';
import { command } from '../../../companion/cli/models.js';
import { flipDataByteAt } from '../compute/weights/corrupt.js';
import { refusedPort, startServer, type FixtureServer } from '../compute/weights/fixtures.js';
import { caffeLayersFrom, encodeCaffemodel, kitTensors, writeCaffejs } from '../compute/weights/model-files.js';
import { runCli } from '../../support/run-cli.js';

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
const SQUEEZENET = resolve(repoRoot, '../shared/weights/squeezenet1_1.safetensors');

let cache: string;
let work: string;
let log: MockInstance<(...args: unknown[]) => void>;
let errors: MockInstance<(...args: unknown[]) => void>;
let server: FixtureServer;
const saved = { cache: process.env.PAINTERLY_CACHE_DIR, base: process.env.PAINTERLY_MODEL_BASE_URL };

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'painterly-cli-models-work-'));
  // A mirror folder: the caffejs blobs of SqueezeNet (they pass the official pins) and a
  // generated caffemodel (which cannot match the official file's SHA-256).
  const kit = await kitTensors('squeezenet');
  const files = await writeCaffejs(join(work, 'caffejs'), 'squeezenet', kit);
  files.set('squeezenet_v1.1.caffemodel', encodeCaffemodel(caffeLayersFrom(kit), 'current'));
  server = await startServer(files);
});
afterAll(async () => {
  await server.close();
  await rm(work, { recursive: true, force: true });
});
beforeEach(async () => {
  cache = await mkdtemp(join(tmpdir(), 'painterly-cli-models-'));
  process.env.PAINTERLY_CACHE_DIR = cache;
  delete process.env.PAINTERLY_MODEL_BASE_URL;
  log = vi.spyOn(console, 'log').mockImplementation(() => {});
  errors = vi.spyOn(console, 'error').mockImplementation(() => {});
});
afterEach(async () => {
  log.mockRestore();
  errors.mockRestore();
  server.modes.clear();
  for (const [key, value] of [['PAINTERLY_CACHE_DIR', saved.cache], ['PAINTERLY_MODEL_BASE_URL', saved.base]] as const) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
  await rm(cache, { recursive: true, force: true });
});

function printed(): string {
  return log.mock.calls.map((c) => c.join(' ')).join('\n');
}

describe('painterly models list', () => {
  it('says the empty cache has no models and how to get one', async () => {
    expect(await command.run(['list'])).toBe(0);
    expect(printed()).toContain(`No models installed in ${cache}.`);
    expect(printed()).toContain('npx painterly models fetch NAME` (vgg19, squeezenet, googlenet)');
    expect(printed()).toContain('npx painterly models import FILE');
  });

  it('shows an imported model with its size and the backbones it enables, also as JSON', async () => {
    expect(await command.run(['import', SQUEEZENET])).toBe(0);
    expect(printed()).toContain('These are the official weights');
    expect(printed()).toContain('Backbones now available: squeezenet.');
    log.mockClear();
    await command.run(['list']);
    expect(printed()).toMatch(/squeezenet\s+4\.95 MB\s+backbones: squeezenet/);
    log.mockClear();
    await command.run(['list', '--json']);
    const json = JSON.parse(printed());
    expect(json.cacheDir).toBe(cache);
    expect(json.models).toEqual([expect.objectContaining({ name: 'squeezenet', backbones: ['squeezenet'], bytes: expect.any(Number), tensorsSha256: expect.stringMatching(/^dde55f6a/) })]);
  });
});

describe('painterly models fetch', () => {
  it('fails fast offline with DOWNLOAD_FAILED and says how to import the file instead', { timeout: 10_000 }, async () => {
    process.env.PAINTERLY_MODEL_BASE_URL = `http://127.0.0.1:${await refusedPort()}/mirror`;
    await expect(command.run(['fetch', 'vgg19'])).rejects.toMatchObject({
      code: 'DOWNLOAD_FAILED',
      message: expect.stringMatching(/download http:\/\/127\.0\.0\.1:\d+\/mirror\/vgg19_weights_tf_dim_ordering_tf_kernels_notop\.h5 on another machine and run `npx painterly models import FILE`/),
    });
    expect(existsSync(join(cache, 'vgg19.safetensors'))).toBe(false);
    expect(await readdir(join(cache, 'downloads'))).toEqual([]);
  });

  it('reports a source that is not the pinned file, tries the next, and installs from it', async () => {
    process.env.PAINTERLY_MODEL_BASE_URL = server.origin;
    expect(await command.run(['fetch', 'squeezenet'])).toBe(0);
    const stderr = errors.mock.calls.map((c) => c.join(' ')).join('\n');
    // The generated caffemodel is refused by the pinned size before its bytes are fetched.
    expect(stderr).toMatch(/official SqueezeNet v1\.1 Caffe model \(forresti\/SqueezeNet\) failed: .*offers a file of \d+ bytes; expected 4950080\.\nTrying the next source…/);
    expect(printed()).toContain('The converted weights are the official SqueezeNet 1.1 weights (tensor digest dde55f6a');
    expect(printed()).toContain(`Installed squeezenet in ${join(cache, 'squeezenet.safetensors')}.`);
    expect(printed()).toContain('Licence: BSD-2-Clause');
    log.mockClear();
    expect(await command.run(['fetch', 'squeezenet'])).toBe(0);
    expect(printed()).toContain('squeezenet is already installed');
  });

  it('names the downloadable models for an unknown name or none', async () => {
    await expect(command.run(['fetch', 'resnet'])).rejects.toMatchObject({ code: 'BAD_ARGUMENT', message: expect.stringContaining('vgg19, squeezenet, googlenet') });
    await expect(command.run(['fetch'])).rejects.toMatchObject({ code: 'BAD_ARGUMENT', message: expect.stringContaining('vgg19, squeezenet, googlenet') });
  });

  it('keeps the bytes on Ctrl-C (exit 130) and resumes them on the next run', { timeout: 60_000 }, async () => {
    server.modes.set('/squeezenet_v1.1.caffemodel', 'missing');
    server.modes.set('/squeezenet/weights/conv10_filter.bin', 'stall-half');
    const env = { PAINTERLY_CACHE_DIR: cache, PAINTERLY_MODEL_BASE_URL: server.origin };
    // 70 % is only reached inside the stalled blob, so the interrupt lands mid-transfer.
    const stopped = await runCli(['models', 'fetch', 'squeezenet'], { env, interruptOn: / 70% / });
    expect(stopped.code).toBe(130);
    expect(stopped.stderr).toMatch(/CANCELLED: Download stopped; [1-9]\d* bytes are kept in .*conv10_filter\.bin\.part/);
    expect(existsSync(join(cache, 'squeezenet.safetensors'))).toBe(false);
    server.modes.delete('/squeezenet/weights/conv10_filter.bin');
    const resumed = await runCli(['models', 'fetch', 'squeezenet'], { env });
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toMatch(/Resumed a previous download at [\d.]+ MB\./);
    expect(resumed.stdout).toContain('Installed squeezenet');
    expect(await readdir(join(cache, 'downloads'))).toEqual([]);
  });
});

describe('painterly models import', () => {
  it('reports FILE_NOT_FOUND for a missing file', async () => {
    await expect(command.run(['import', join(cache, 'missing.h5')])).rejects.toMatchObject({ code: 'FILE_NOT_FOUND' });
  });

  it('accepts a caffejs folder', async () => {
    expect(await command.run(['import', join(work, 'caffejs', 'squeezenet')])).toBe(0);
    expect(printed()).toContain('Installed squeezenet from a caffejs source');
    expect(printed()).toContain('These are the official weights');
  });
});

describe('painterly models verify', () => {
  it('reports OK and missing models and exits 0', async () => {
    await command.run(['import', SQUEEZENET]);
    log.mockClear();
    expect(await command.run(['verify'])).toBe(0);
    expect(printed()).toMatch(/squeezenet\s+OK\s+4\.95 MB, tensors match the digest recorded at install; the official weights\./);
    expect(printed()).toMatch(/googlenet\s+missing\s+not installed\. Install it: npx painterly models fetch googlenet/);
    expect(printed()).toContain('No corrupt model found.');
  });

  it('reports a corrupt model, says how to fix it and exits 1, also with --json', async () => {
    await command.run(['import', SQUEEZENET]);
    await flipDataByteAt(join(cache, 'squeezenet.safetensors'), 1000);
    log.mockClear();
    expect(await command.run(['verify'])).toBe(1);
    expect(printed()).toMatch(/squeezenet\s+CORRUPT/);
    expect(printed()).toContain('squeezenet is corrupt. Fix: npx painterly models fetch squeezenet --force');
    log.mockClear();
    expect(await command.run(['verify', '--json'])).toBe(1);
    expect(JSON.parse(printed()).models).toContainEqual(expect.objectContaining({ model: 'squeezenet', status: 'corrupt' }));
  });
});

describe('painterly models', () => {
  it('prints help naming the four commands, the formats import accepts and the cache folder', async () => {
    expect(await command.run(['--help'])).toBe(0);
    for (const word of ['models fetch NAME', 'vgg19, squeezenet, googlenet', 'models import PATH', '.caffemodel', 'googlenet-12.onnx', 'caffejs', 'models list', 'models verify', cache]) {
      expect(printed()).toContain(word);
    }
  });

  it('refuses an unknown subcommand and an unknown option', async () => {
    await expect(command.run(['remove'])).rejects.toMatchObject({ code: 'BAD_ARGUMENT' });
    await expect(command.run(['list', '--colour'])).rejects.toMatchObject({ code: 'BAD_ARGUMENT', message: expect.stringContaining('--help') });
  });
});
