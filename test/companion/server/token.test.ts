import { chmod, mkdir, mkdtemp, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { configDir, ensureToken, generateToken, readToken, rotateToken, tokensMatch } from '../../../companion/server/token.js';
import { runCli } from '../../support/run-cli.js';

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

describe.runIf(process.platform !== 'win32')('token file and config folder permissions', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'painterly-perms-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const modeOf = async (p: string) => (await stat(p)).mode & 0o777;

  it('fixes a token file that others can read (0644) to 0600, says so and advises a rotation', async () => {
    const file = path.join(dir, 'token');
    const token = generateToken();
    await writeFile(file, `${token}\n`, { mode: 0o644 });
    await chmod(file, 0o644);
    const notes: string[] = [];
    expect(await ensureToken(file, { onFix: (m) => notes.push(m) })).toBe(token);
    expect(await modeOf(file)).toBe(0o600);
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatch(/was readable by other users \(mode 0644\); it is now 0600.*painterly token --rotate/);
  });

  it('fixes a config folder open to everyone (0777) to 0700 and says so', async () => {
    const folder = path.join(dir, 'painterly');
    await mkdir(folder);
    await chmod(folder, 0o777);
    const notes: string[] = [];
    await ensureToken(path.join(folder, 'token'), { onFix: (m) => notes.push(m) });
    expect(await modeOf(folder)).toBe(0o700);
    expect(notes).toEqual([`The config folder ${folder} was open to other users (mode 0777); it is now 0700.`]);
  });

  it('refuses a token that is a symbolic link, and leaves what it points to alone', async () => {
    const target = path.join(dir, 'elsewhere');
    await writeFile(target, `${generateToken()}\n`, { mode: 0o644 });
    const file = path.join(dir, 'token');
    await symlink(target, file);
    for (const op of [() => ensureToken(file), () => readToken(file), () => rotateToken(file)]) {
      await expect(op()).rejects.toMatchObject({ code: 'UNSAFE_PERMISSIONS', message: expect.stringContaining('is a symbolic link') });
    }
    expect((await stat(target)).mode & 0o777).toBe(0o644);
  });

  it('refuses a config folder or a token file that belongs to another user', async () => {
    const file = path.join(dir, 'token');
    await writeFile(file, `${generateToken()}\n`, { mode: 0o600 });
    const other = process.getuid!() + 1;
    await expect(ensureToken(file, { uid: other })).rejects.toMatchObject({ code: 'UNSAFE_PERMISSIONS', message: expect.stringContaining('belongs to another user') });
  });

  it('`painterly token` fixes the modes and says so on stderr, printing the token on stdout', async () => {
    const folder = path.join(dir, 'cfg');
    await mkdir(folder, { mode: 0o755 });
    await chmod(folder, 0o755);
    const token = generateToken();
    await writeFile(path.join(folder, 'token'), `${token}\n`, { mode: 0o644 });
    await chmod(path.join(folder, 'token'), 0o644);
    const r = await runCli(['token'], { env: { PAINTERLY_CONFIG_DIR: folder } });
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(token);
    expect(r.stderr).toContain('was open to other users (mode 0755); it is now 0700');
    expect(r.stderr).toContain('was readable by other users (mode 0644); it is now 0600');
    expect(await modeOf(folder)).toBe(0o700);
    expect(await modeOf(path.join(folder, 'token'))).toBe(0o600);
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
