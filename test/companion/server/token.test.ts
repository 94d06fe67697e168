import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { configDir, ensureToken, generateToken, readToken, rotateToken, tokensMatch } from '../../../companion/server/token.js';

describe('configDir', () => {
  const home = '/home/ann';
  it('follows each platform’s convention', () => {
    expect(configDir({}, 'linux', home)).toBe(path.join(home, '.config', 'painterly'));
    expect(configDir({ XDG_CONFIG_HOME: '/xdg' }, 'linux', home)).toBe(path.join('/xdg', 'painterly'));
    expect(configDir({}, 'darwin', home)).toBe(path.join(home, 'Library', 'Application Support', 'Painterly'));
    expect(configDir({ APPDATA: 'C:\\Users\\ann\\AppData\\Roaming' }, 'win32', home)).toBe(path.join('C:\\Users\\ann\\AppData\\Roaming', 'Painterly'));
  });

  it('lets PAINTERLY_CONFIG_DIR override every platform', () => {
    for (const platform of ['linux', 'darwin', 'win32'] as const) {
      expect(configDir({ PAINTERLY_CONFIG_DIR: '/tmp/p' }, platform, home)).toBe(path.resolve('/tmp/p'));
    }
  });
});

describe('token file', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'painterly-token-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('creates a 256-bit hex token with mode 0600 on first use and returns the same one after', async () => {
    const file = path.join(dir, 'sub', 'token');
    const t = await ensureToken(file);
    expect(t).toMatch(/^[0-9a-f]{64}$/);
    if (process.platform !== 'win32') expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await ensureToken(file)).toBe(t);
    expect((await readFile(file, 'utf8')).trim()).toBe(t);
  });

  it('replaces the token on rotate', async () => {
    const file = path.join(dir, 'token');
    const before = await ensureToken(file);
    const after = await rotateToken(file);
    expect(after).not.toBe(before);
    expect(await readToken(file)).toBe(after);
  });

  it('treats a missing or malformed file as no token', async () => {
    const file = path.join(dir, 'token');
    expect(await readToken(file)).toBeUndefined();
    await writeFile(file, 'not a token');
    expect(await readToken(file)).toBeUndefined();
    expect(await ensureToken(file)).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('tokensMatch', () => {
  it('matches equal tokens only, whatever the lengths', () => {
    const t = generateToken();
    expect(tokensMatch(t, t)).toBe(true);
    expect(tokensMatch(t.slice(0, 63), t)).toBe(false);
    expect(tokensMatch(`${t}0`, t)).toBe(false);
    expect(tokensMatch('', '')).toBe(false);
    expect(generateToken()).not.toBe(t);
  });
});
