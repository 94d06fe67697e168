// The pairing token: a random 256-bit secret in the user's config folder (mode 0600), printed
// by `painterly serve` and `painterly token`, pasted once into the panel.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PainterlyError } from '../../shared/errors.js';

export const TOKEN_FILE = 'token';
const TOKEN_PATTERN = /^[0-9a-f]{64}$/;

/**
 * The user's Painterly config folder: PAINTERLY_CONFIG_DIR when set; else
 * %APPDATA%\Painterly (Windows), ~/Library/Application Support/Painterly (macOS),
 * $XDG_CONFIG_HOME/painterly or ~/.config/painterly (elsewhere).
 */
export function configDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform, home = os.homedir()): string {
  if (env.PAINTERLY_CONFIG_DIR) return path.resolve(env.PAINTERLY_CONFIG_DIR);
  if (platform === 'win32') return path.join(env.APPDATA || path.join(home, 'AppData', 'Roaming'), 'Painterly');
  if (platform === 'darwin') return path.join(home, 'Library', 'Application Support', 'Painterly');
  return path.join(env.XDG_CONFIG_HOME || path.join(home, '.config'), 'painterly');
}

export function tokenPath(dir = configDir()): string {
  return path.join(dir, TOKEN_FILE);
}

export function generateToken(): string {
  return randomBytes(32).toString('hex');
}

/** Writes atomically (temp file + rename) so a reader never sees half a token; 0600 on POSIX. */
async function writeToken(file: string, token: string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, `${token}\n`, { mode: 0o600 });
  await chmod(tmp, 0o600);
  await rename(tmp, file);
}

/** The stored token, or undefined when there is none (a malformed file counts as none). */
export async function readToken(file = tokenPath()): Promise<string | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new PainterlyError('FILE_NOT_FOUND', `Could not read the pairing token at ${file}: ${(e as Error).message}`);
  }
  const token = text.trim();
  return TOKEN_PATTERN.test(token) ? token : undefined;
}

/** The stored token; creates one on first use. */
export async function ensureToken(file = tokenPath()): Promise<string> {
  const existing = await readToken(file);
  if (existing) return existing;
  const token = generateToken();
  await writeToken(file, token);
  return token;
}

/** Replaces the stored token with a new one and returns it. */
export async function rotateToken(file = tokenPath()): Promise<string> {
  const token = generateToken();
  await writeToken(file, token);
  return token;
}

/** Compares in constant time (hashing first makes the lengths equal, so length leaks nothing either). */
export function tokensMatch(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given, 'utf8').digest();
  const b = createHash('sha256').update(expected, 'utf8').digest();
  return timingSafeEqual(a, b) && expected.length > 0;
}
