// The debug log: what is worth keeping for a bug report but not worth a line on the terminal —
// the device probe's notes and whatever the runtime's native code printed while probing (Dawn's
// "Couldn't load Vulkan", CUDA's missing libraries). One file in the cache folder, kept small.
import { appendFile, mkdir, rename, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { cacheDir } from '../compute/weights/cache.js';

/** Past this size the log starts afresh (the previous one is kept as `.1`). */
const MAX_BYTES = 1_000_000;

/** `~/.cache/painterly/logs/debug.log` (under PAINTERLY_CACHE_DIR when set). */
export function debugLogPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(cacheDir(env), 'logs', 'debug.log');
}

/** Appends a titled, timestamped entry. Never throws: a log that cannot be written is not worth failing over. */
export async function appendDebugLog(title: string, body: string, file: string = debugLogPath()): Promise<void> {
  try {
    await mkdir(dirname(file), { recursive: true, mode: 0o700 });
    const size = await stat(file).then((s) => s.size, () => 0);
    if (size > MAX_BYTES) await rename(file, `${file}.1`);
    const text = body.trimEnd();
    await appendFile(file, `--- ${new Date().toISOString()} ${title}\n${text ? `${text}\n` : ''}`, { mode: 0o600 });
  } catch {
    /* best effort */
  }
}
