// Where installed model weights live: one `<model>.safetensors` per model in the per-user cache
// folder of the platform, plus a `downloads/` folder for partial downloads (kept for resuming).
import { readdir, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { isAbsolute, join, win32 } from 'node:path';
import { PainterlyError } from '../../../shared/errors.js';

/** Environment variable that overrides the cache folder (tests and portable installs). */
export const CACHE_DIR_ENV = 'PAINTERLY_CACHE_DIR';

const MODEL_NAME = /^[a-z0-9][a-z0-9._-]*$/;

/**
 * The per-user cache folder:
 * Linux and other Unixes `$XDG_CACHE_HOME/painterly` or `~/.cache/painterly`;
 * macOS `~/Library/Caches/Painterly`; Windows `%LOCALAPPDATA%\Painterly\Cache`.
 */
export function cacheDir(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
  home: string = homedir(),
): string {
  const override = env[CACHE_DIR_ENV];
  if (override) return override;
  if (platform === 'darwin') return join(home, 'Library', 'Caches', 'Painterly');
  if (platform === 'win32') {
    const local = env.LOCALAPPDATA || win32.join(home, 'AppData', 'Local');
    return win32.join(local, 'Painterly', 'Cache');
  }
  // XDG says a relative XDG_CACHE_HOME is invalid and must be ignored.
  const xdg = env.XDG_CACHE_HOME;
  return join(xdg && isAbsolute(xdg) ? xdg : join(home, '.cache'), 'painterly');
}

function checkName(name: string): void {
  if (!MODEL_NAME.test(name)) {
    throw new PainterlyError('BAD_ARGUMENT', `"${name}" is not a valid model name (lower-case letters, digits, ".", "_" and "-").`);
  }
}

/** The cached file of a model, e.g. `~/.cache/painterly/vgg19.safetensors` (it may not exist). */
export function modelPath(name: string, dir: string = cacheDir()): string {
  checkName(name);
  return join(dir, `${name}.safetensors`);
}

/** Folder for files being downloaded (`*.part`) before they are converted into the cache. */
export function downloadsDir(dir: string = cacheDir()): string {
  return join(dir, 'downloads');
}

export interface CachedModel {
  name: string;
  file: string;
  bytes: number;
  modified: Date;
}

/** The models present in the cache folder, sorted by name; an absent folder is an empty cache. */
export async function listModels(dir: string = cacheDir()): Promise<CachedModel[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  const models: CachedModel[] = [];
  for (const entry of names.sort()) {
    if (!entry.endsWith('.safetensors')) continue;
    const name = entry.slice(0, -'.safetensors'.length);
    if (!MODEL_NAME.test(name)) continue;
    const file = join(dir, entry);
    const s = await stat(file);
    if (s.isFile()) models.push({ name, file, bytes: s.size, modified: s.mtime });
  }
  return models;
}
