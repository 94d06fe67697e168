// The browser tests' Chromium lookup: its order, its errors, and the npm build unpacked and runnable.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { findChromium, NO_CHROMIUM_ADVICE, npmChromiumPackage } from './chromium.js';

const nothing = { env: {}, npmPackage: null, systemPaths: [] };

describe('findChromium', () => {
  it('says what to do when there is no browser anywhere', async () => {
    await expect(findChromium(nothing)).rejects.toThrow(`Chromium not found for the browser tests: ${NO_CHROMIUM_ADVICE}`);
  });

  it('refuses an override that points nowhere instead of quietly using another browser', async () => {
    await expect(findChromium({ ...nothing, env: { PAINTERLY_CHROMIUM: '/nowhere/chromium' }, systemPaths: [process.execPath] })).rejects.toThrow(
      'PAINTERLY_CHROMIUM is set to /nowhere/chromium, but there is no file there',
    );
  });

  it('takes PAINTERLY_CHROMIUM, then CHROMIUM_PATH, before any other browser', async () => {
    const both = await findChromium({ env: { PAINTERLY_CHROMIUM: process.execPath, CHROMIUM_PATH: '/nowhere' } });
    expect(both).toMatchObject({ executable: process.execPath, source: 'PAINTERLY_CHROMIUM' });
    const one = await findChromium({ env: { CHROMIUM_PATH: process.execPath } });
    expect(one).toMatchObject({ executable: process.execPath, source: 'CHROMIUM_PATH' });
  });

  it('falls back to the first system browser that exists', async () => {
    const found = await findChromium({ ...nothing, systemPaths: ['/nowhere/chromium', process.execPath] });
    expect(found).toMatchObject({ executable: process.execPath, source: 'system' });
  });

  it.runIf(process.platform === 'linux' && process.arch === 'x64')('unpacks the npm package’s Chromium and it runs', async () => {
    const found = await findChromium({ env: {}, systemPaths: [] });
    const { version } = npmChromiumPackage()!;
    expect(found.source).toMatch(new RegExp(`^@sparticuz/chromium ${version.replace(/\./g, '\\.')}`));
    expect(existsSync(found.env.FONTCONFIG_FILE!)).toBe(true);
    const printed = execFileSync(found.executable, ['--version'], { env: { ...process.env, ...found.env }, encoding: 'utf8' });
    expect(printed).toMatch(new RegExp(`^Chromium ${version.split('.')[0]}\\.`));
  });
});
