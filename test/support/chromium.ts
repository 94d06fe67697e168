// The one place the browser tests get their Chromium. In order:
//  1. PAINTERLY_CHROMIUM or CHROMIUM_PATH, when set (a path that is not there is an error, not a
//     silent fallback);
//  2. on Linux x64, the headless Chromium inside the @sparticuz/chromium devDependency: npm
//     installs it from the registry like any package (no browser download at install), and it is
//     unpacked once, on first use, into node_modules/.cache/painterly-chromium/VERSION/;
//  3. a system Chromium or Chrome at its usual place.
// The npm one comes before the system's so every Linux machine runs the same browser, pinned by
// the lockfile (and a snap-wrapped system Chromium, which cannot use a profile in /tmp, is avoided).
// Nothing is found: the error says what to do.
import { spawnSync } from 'node:child_process';
import { createReadStream, createWriteStream, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createBrotliDecompress } from 'node:zlib';
import { chromium, type Browser } from 'playwright-core';

/**
 * What this machine needs: no sandbox as root, no GPU, and nothing that reaches for Google's
 * servers (the network is closed; without these Chromium retries refused connections at every
 * start). Playwright gives every launch a fresh temporary --user-data-dir and deletes it on close.
 */
export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export type FoundChromium = {
  executable: string;
  /** Where it came from, for messages: e.g. 'PAINTERLY_CHROMIUM', '@sparticuz/chromium 143.0.4', 'system'. */
  source: string;
  /** Extra environment the browser needs (the npm build's fonts, and its libraries where the system lacks them). */
  env: Record<string, string>;
};

export type LookupOptions = {
  env?: NodeJS.ProcessEnv;
  platform?: string;
  /** The npm package, or null when it is not installed; found from node_modules by default. */
  npmPackage?: { dir: string; version: string } | null;
  systemPaths?: string[];
};

export const NO_CHROMIUM_ADVICE =
  'run `npm ci` (it installs @sparticuz/chromium, a headless Chromium for Linux x64), or install Chromium or Google Chrome, or set PAINTERLY_CHROMIUM to a Chromium executable.';

const SYSTEM_PATHS: Record<string, string[]> = {
  linux: ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable'],
  darwin: ['/Applications/Google Chrome.app/Contents/MacOS/Google Chrome', '/Applications/Chromium.app/Contents/MacOS/Chromium'],
  win32: [
    `${process.env.PROGRAMFILES ?? 'C:\\Program Files'}\\Google\\Chrome\\Application\\chrome.exe`,
    `${process.env['PROGRAMFILES(X86)'] ?? 'C:\\Program Files (x86)'}\\Google\\Chrome\\Application\\chrome.exe`,
    `${process.env.LOCALAPPDATA ?? ''}\\Google\\Chrome\\Application\\chrome.exe`,
  ],
};

/** The installed @sparticuz/chromium's folder and version, or null when it is not installed. */
export function npmChromiumPackage(): { dir: string; version: string } | null {
  let entry: string;
  try {
    // Resolves its entry file without running it: the package's own unpacking goes to /tmp/chromium
    // and reuses whatever is there, of any version; ours is per checkout and per version.
    entry = createRequire(import.meta.url).resolve('@sparticuz/chromium');
  } catch {
    return null;
  }
  // package.json is not exported; it is the first one above the entry file that names the package.
  for (let dir = path.dirname(entry); dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const file = path.join(dir, 'package.json');
    if (!existsSync(file)) continue;
    const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version: string };
    if (pkg.name === '@sparticuz/chromium') return { dir, version: pkg.version };
  }
  return null;
}

/** Finds a Chromium as the header says, unpacking the npm one on first use; throws a sentence saying what to do. */
export async function findChromium(options: LookupOptions = {}): Promise<FoundChromium> {
  const env = options.env ?? process.env;
  for (const name of ['PAINTERLY_CHROMIUM', 'CHROMIUM_PATH']) {
    const value = env[name];
    if (!value) continue;
    if (!existsSync(value)) throw new Error(`Chromium not found: ${name} is set to ${value}, but there is no file there; point it at a Chromium executable, or unset it to use the one npm installs.`);
    return { executable: value, source: name, env: {} };
  }
  const platform = options.platform ?? process.platform;
  const npmPackage = options.npmPackage === undefined ? npmChromiumPackage() : options.npmPackage;
  let npmProblem = '';
  if (npmPackage && platform === 'linux' && process.arch === 'x64') {
    const found = await npmChromium(npmPackage.dir, npmPackage.version);
    if ('executable' in found) return found;
    npmProblem = ` (${found.problem})`;
  }
  const system = (options.systemPaths ?? SYSTEM_PATHS[platform] ?? []).find((p) => existsSync(p));
  if (system) return { executable: system, source: 'system', env: {} };
  throw new Error(`Chromium not found for the browser tests${npmProblem}: ${NO_CHROMIUM_ADVICE}`);
}

/** Launches the Chromium found, headless with this machine's flags. */
export async function launchChromium(): Promise<Browser> {
  const found = await findChromium();
  return chromium.launch({ executablePath: found.executable, headless: true, args: CHROMIUM_FLAGS, env: { ...process.env, ...found.env } });
}

/** The npm build, unpacked on first use; it runs with the system's NSS when there is one, else with the copy it ships. */
async function npmChromium(packageDir: string, version: string): Promise<FoundChromium | { problem: string }> {
  const dir = path.resolve(packageDir, '../../.cache/painterly-chromium', version);
  if (!existsSync(path.join(dir, 'chromium'))) await unpack(path.join(packageDir, 'bin'), dir);
  const executable = path.join(dir, 'chromium');
  const base = { FONTCONFIG_FILE: path.join(dir, 'fonts.conf') };
  const source = `@sparticuz/chromium ${version}`;
  const first = spawnSync(executable, ['--version'], { env: { ...process.env, ...base }, encoding: 'utf8' });
  if (first.status === 0) return { executable, source, env: base };
  const withLibs = { ...base, LD_LIBRARY_PATH: [path.join(dir, 'lib'), process.env.LD_LIBRARY_PATH].filter(Boolean).join(':') };
  const second = spawnSync(executable, ['--version'], { env: { ...process.env, ...withLibs }, encoding: 'utf8' });
  if (second.status === 0) return { executable, source: `${source} with its own NSS libraries`, env: withLibs };
  return { problem: `${source} at ${executable} does not start: ${(second.stderr || first.stderr || String(second.error ?? '')).trim().split('\n')[0]}` };
}

/**
 * Unpacks the package's brotli files into `dir`: the browser, its NSS libraries (lib/, used only
 * where the system has none) and Open Sans for machines without fonts. Built in a temporary folder
 * and renamed, so a test file running alongside never sees half a browser.
 */
async function unpack(bin: string, dir: string): Promise<void> {
  const tmp = `${dir}.partial-${process.pid}-${Date.now()}`;
  mkdirSync(tmp, { recursive: true });
  try {
    await pipeline(createReadStream(path.join(bin, 'chromium.br')), createBrotliDecompress(), createWriteStream(path.join(tmp, 'chromium'), { mode: 0o755 }));
    await untar(path.join(bin, 'al2023.tar.br'), tmp);
    await untar(path.join(bin, 'fonts.tar.br'), tmp);
    // The package's fonts.conf names Lambda's folders; this one adds its fonts to the system's.
    writeFileSync(
      path.join(tmp, 'fonts.conf'),
      `<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>\n  <dir>${path.join(dir, 'fonts')}</dir>\n  <cachedir>${path.join(dir, 'fonts-cache')}</cachedir>\n</fontconfig>\n`,
    );
    renameSync(tmp, dir);
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    if (existsSync(path.join(dir, 'chromium'))) return; // another test file unpacked it first
    throw e;
  }
  // An earlier version's unpacked browser (about 200 MB) is of no further use.
  for (const other of readdirSync(path.dirname(dir))) {
    if (other !== path.basename(dir) && !other.includes('.partial-')) rmSync(path.join(path.dirname(dir), other), { recursive: true, force: true });
  }
}

/**
 * A .tar.br into `dir`, with the system's tar (the npm build is Linux-only, where tar always is).
 * Through a file, not a pipe: tar stops reading at the archive's end marker, and a pipe still
 * holding the padding after it fails the stream ("Premature close").
 */
async function untar(file: string, dir: string): Promise<void> {
  const archive = path.join(dir, `${path.basename(file, '.br')}.partial`);
  await pipeline(createReadStream(file), createBrotliDecompress(), createWriteStream(archive));
  const tar = spawnSync('tar', ['-x', '--no-same-owner', '-f', archive, '-C', dir], { encoding: 'utf8' });
  rmSync(archive);
  if (tar.status !== 0) throw new Error(`tar could not unpack ${file}: ${(tar.stderr || String(tar.error ?? '')).trim()}`);
}
