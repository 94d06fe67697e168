// The pairing token: a random 256-bit secret in the user's config folder (folder 0700, file
// 0600), printed by `painterly serve` and `painterly token`, pasted once into the panel. A folder
// or file that others can read or change is fixed (and the user told), or refused when it is not
// the user's own or the token is a symbolic link.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmod, lstat, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
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

export interface TokenFileOptions {
  /** Told, in a sentence, about permissions that were too open and have been fixed. */
  onFix?: (message: string) => void;
  /** Whose the folder and file must be; default this process's user (tests pass another). */
  uid?: number;
}

const octal = (mode: number) => `0${(mode & 0o777).toString(8)}`;

function unsafe(message: string): PainterlyError {
  return new PainterlyError('UNSAFE_PERMISSIONS', message);
}

/**
 * Makes sure the config folder, and the token file when there is one, are private (POSIX): modes
 * open to other users are fixed; a folder or file of another user, or a token that is a symbolic
 * link, is refused with UNSAFE_PERMISSIONS. The folder may itself be a link to a folder of the user's.
 */
async function securePaths(file: string, opts: TokenFileOptions): Promise<void> {
  if (process.platform === 'win32' || typeof process.getuid !== 'function') return;
  const uid = opts.uid ?? process.getuid();
  const dir = path.dirname(file);
  const d = await stat(dir);
  if (!d.isDirectory()) throw unsafe(`The config folder ${dir} is not a folder.`);
  if (d.uid !== uid) {
    throw unsafe(`The config folder ${dir} belongs to another user (uid ${d.uid}), who could read or replace the pairing token. Remove it, or set PAINTERLY_CONFIG_DIR to a folder of your own.`);
  }
  if (d.mode & 0o077) {
    await chmod(dir, 0o700);
    opts.onFix?.(`The config folder ${dir} was open to other users (mode ${octal(d.mode)}); it is now 0700.`);
  }
  let f;
  try {
    f = await lstat(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw e;
  }
  if (f.isSymbolicLink()) throw unsafe(`The pairing token ${file} is a symbolic link, so it could be read from or written to anywhere. Delete it and run \`painterly token --rotate\`.`);
  if (!f.isFile()) throw unsafe(`The pairing token ${file} is not a plain file. Delete it and run \`painterly token --rotate\`.`);
  if (f.uid !== uid) throw unsafe(`The pairing token ${file} belongs to another user (uid ${f.uid}). Delete it and run \`painterly token --rotate\`.`);
  if (f.mode & 0o077) {
    await chmod(file, 0o600);
    opts.onFix?.(`The pairing token ${file} was readable by other users (mode ${octal(f.mode)}); it is now 0600. Anyone who read it could pair with the companion: run \`painterly token --rotate\` to replace it.`);
  }
}

/** Writes atomically (temp file + rename) so a reader never sees half a token; 0600 on POSIX. */
async function writeToken(file: string, token: string, opts: TokenFileOptions): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  await securePaths(file, opts);
  const tmp = `${file}.${process.pid}.tmp`;
  await rm(tmp, { force: true });
  // 'wx': a file (or link) planted under the temporary name is an error, never followed.
  await writeFile(tmp, `${token}\n`, { mode: 0o600, flag: 'wx' });
  await chmod(tmp, 0o600);
  await rename(tmp, file);
}

/** The stored token, or undefined when there is none (a malformed file counts as none). */
export async function readToken(file = tokenPath(), opts: TokenFileOptions = {}): Promise<string | undefined> {
  try {
    await securePaths(file, opts);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e; // no folder yet: no token
  }
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
export async function ensureToken(file = tokenPath(), opts: TokenFileOptions = {}): Promise<string> {
  const existing = await readToken(file, opts);
  if (existing) return existing;
  const token = generateToken();
  await writeToken(file, token, opts);
  return token;
}

/** Replaces the stored token with a new one and returns it. */
export async function rotateToken(file = tokenPath(), opts: TokenFileOptions = {}): Promise<string> {
  const token = generateToken();
  await writeToken(file, token, opts);
  return token;
}

/** Compares in constant time (hashing first makes the lengths equal, so length leaks nothing either). */
export function tokensMatch(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given, 'utf8').digest();
  const b = createHash('sha256').update(expected, 'utf8').digest();
  return timingSafeEqual(a, b) && expected.length > 0;
}
