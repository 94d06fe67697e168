import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, win32 } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cacheDir, downloadsDir, listModels, modelPath } from '../../../../companion/compute/weights/cache.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'painterly-cache-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('cacheDir', () => {
  it('uses $XDG_CACHE_HOME/painterly on Linux when it is set', () => {
    expect(cacheDir({ XDG_CACHE_HOME: '/x/cache' }, 'linux', '/home/u')).toBe('/x/cache/painterly');
  });

  it('uses ~/.cache/painterly on Linux otherwise, ignoring a relative XDG_CACHE_HOME', () => {
    expect(cacheDir({}, 'linux', '/home/u')).toBe('/home/u/.cache/painterly');
    expect(cacheDir({ XDG_CACHE_HOME: 'rel' }, 'linux', '/home/u')).toBe('/home/u/.cache/painterly');
  });

  it('uses ~/Library/Caches/Painterly on macOS', () => {
    expect(cacheDir({}, 'darwin', '/Users/u')).toBe('/Users/u/Library/Caches/Painterly');
  });

  it('uses %LOCALAPPDATA%\\Painterly\\Cache on Windows', () => {
    expect(cacheDir({ LOCALAPPDATA: 'C:\\Users\\u\\AppData\\Local' }, 'win32', 'C:\\Users\\u')).toBe(
      win32.join('C:\\Users\\u\\AppData\\Local', 'Painterly', 'Cache'),
    );
    expect(cacheDir({}, 'win32', 'C:\\Users\\u')).toBe('C:\\Users\\u\\AppData\\Local\\Painterly\\Cache');
  });

  it('lets PAINTERLY_CACHE_DIR override every platform default', () => {
    for (const platform of ['linux', 'darwin', 'win32'] as const) {
      expect(cacheDir({ PAINTERLY_CACHE_DIR: '/tmp/elsewhere' }, platform, '/home/u')).toBe('/tmp/elsewhere');
    }
  });
});

describe('modelPath', () => {
  it('names <model>.safetensors in the cache folder', () => {
    expect(modelPath('vgg19', '/c')).toBe(join('/c', 'vgg19.safetensors'));
    expect(downloadsDir('/c')).toBe(join('/c', 'downloads'));
  });

  it('refuses names that could leave the folder', () => {
    expect(() => modelPath('../evil', '/c')).toThrow(/not a valid model name/);
    expect(() => modelPath('a/b', '/c')).toThrow(/not a valid model name/);
  });
});

describe('listModels', () => {
  it('treats a missing cache folder as empty', async () => {
    expect(await listModels(join(dir, 'absent'))).toEqual([]);
  });

  it('lists the .safetensors files by name with their sizes, ignoring other files', async () => {
    const c = join(dir, 'c');
    await mkdir(join(c, 'downloads'), { recursive: true });
    await writeFile(join(c, 'vgg19.safetensors'), new Uint8Array(10));
    await writeFile(join(c, 'squeezenet.safetensors'), new Uint8Array(3));
    await writeFile(join(c, 'notes.txt'), 'x');
    await writeFile(join(c, 'downloads', 'x.h5.part'), 'x');
    const models = await listModels(c);
    expect(models.map((m) => [m.name, m.bytes])).toEqual([
      ['squeezenet', 3],
      ['vgg19', 10],
    ]);
    expect(models[1].file).toBe(join(c, 'vgg19.safetensors'));
  });
});
