import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it, vi, type MockInstance } from 'vitest';
import { command } from '../../../companion/cli/models.js';
import { refusedPort } from '../compute/weights/fixtures.js';

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
const SQUEEZENET = resolve(repoRoot, '../shared/weights/squeezenet1_1.safetensors');

let cache: string;
let log: MockInstance<(...args: unknown[]) => void>;
const saved = { cache: process.env.PAINTERLY_CACHE_DIR, base: process.env.PAINTERLY_MODEL_BASE_URL };

beforeEach(async () => {
  cache = await mkdtemp(join(tmpdir(), 'painterly-cli-models-'));
  process.env.PAINTERLY_CACHE_DIR = cache;
  delete process.env.PAINTERLY_MODEL_BASE_URL;
  log = vi.spyOn(console, 'log').mockImplementation(() => {});
});
afterEach(async () => {
  log.mockRestore();
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
    expect(printed()).toContain('npx painterly models fetch vgg19');
    expect(printed()).toContain('npx painterly models import FILE');
  });

  it('shows an imported model with its size and the backbones it enables, also as JSON', async () => {
    expect(await command.run(['import', SQUEEZENET])).toBe(0);
    expect(printed()).toContain('Backbones now available: squeezenet.');
    log.mockClear();
    await command.run(['list']);
    expect(printed()).toMatch(/squeezenet\s+4\.95 MB\s+backbones: squeezenet/);
    log.mockClear();
    await command.run(['list', '--json']);
    const json = JSON.parse(printed());
    expect(json.cacheDir).toBe(cache);
    expect(json.models).toEqual([expect.objectContaining({ name: 'squeezenet', backbones: ['squeezenet'], bytes: expect.any(Number) })]);
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

  it('refuses a model without a download source and points at import', async () => {
    await expect(command.run(['fetch', 'squeezenet'])).rejects.toMatchObject({
      code: 'BAD_ARGUMENT',
      message: expect.stringContaining('painterly models import FILE'),
    });
  });

  it('needs exactly one model name', async () => {
    await expect(command.run(['fetch'])).rejects.toMatchObject({ code: 'BAD_ARGUMENT', message: expect.stringContaining('vgg19') });
  });
});

describe('painterly models import', () => {
  it('reports FILE_NOT_FOUND for a missing file', async () => {
    await expect(command.run(['import', join(cache, 'missing.h5')])).rejects.toMatchObject({ code: 'FILE_NOT_FOUND' });
  });
});

describe('painterly models', () => {
  it('prints help naming the three commands and the cache folder', async () => {
    expect(await command.run(['--help'])).toBe(0);
    for (const word of ['models fetch vgg19', 'models import FILE', 'models list', cache]) expect(printed()).toContain(word);
  });

  it('refuses an unknown subcommand and an unknown option', async () => {
    await expect(command.run(['remove'])).rejects.toMatchObject({ code: 'BAD_ARGUMENT' });
    await expect(command.run(['list', '--colour'])).rejects.toMatchObject({ code: 'BAD_ARGUMENT', message: expect.stringContaining('--help') });
  });
});
