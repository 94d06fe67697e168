// The companion runs as built JavaScript: from a fresh copy of the repository, `npm install`'s
// build step (prepare) and then `npm start` serve real jobs with no TypeScript loader anywhere —
// tsx is not installed in the copy and the TypeScript sources are deleted after the build — and
// nothing is written to the temp folder (tsx used to keep its compile cache, which it trusts, in
// the shared $TMPDIR/tsx-<uid>/, where another local user could plant code).
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type WebSocketLike } from '../../../shared/client.js';
import { connectToCompanion } from '../../../shared/connect.js';
import { harmonizePlanes } from './harness.js';

const repoRoot = path.resolve(import.meta.dirname, '../../..');
const SQUEEZENET = path.resolve(repoRoot, '../shared/weights/squeezenet1_1.safetensors');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'painterly-clone-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** The repository's files as a clone has them (tracked plus new, not ignored), copied to `dest`. */
function copyWorkingTree(dest: string): void {
  const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: repoRoot, encoding: 'utf8' }).split('\0').filter(Boolean);
  for (const f of files) {
    const from = path.join(repoRoot, f);
    const to = path.join(dest, f);
    mkdirSync(path.dirname(to), { recursive: true });
    try {
      copyFileSync(from, to);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e; // deleted but not yet committed
    }
  }
}

/** node_modules as `npm install` leaves it, minus tsx: links to the installed packages. */
function linkNodeModules(dest: string): void {
  const nm = path.join(dest, 'node_modules');
  mkdirSync(nm);
  for (const name of readdirSync(path.join(repoRoot, 'node_modules'))) {
    if (name === 'tsx' || name === '.bin' || name.startsWith('.')) continue;
    symlinkSync(path.join(repoRoot, 'node_modules', name), path.join(nm, name));
  }
}

function deleteTypeScript(dir: string): number {
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) n += deleteTypeScript(p);
    else if (e.name.endsWith('.ts')) {
      rmSync(p);
      n++;
    }
  }
  return n;
}

it('builds on install and serves real jobs with no TypeScript compiled at run time and nothing in TMPDIR', async () => {
  const clone = path.join(tmp, 'painterly');
  const tmpdir = path.join(tmp, 'tmp');
  mkdirSync(clone);
  mkdirSync(tmpdir);
  copyWorkingTree(clone);
  linkNodeModules(clone);
  const env: NodeJS.ProcessEnv = { ...process.env, TMPDIR: tmpdir, PAINTERLY_CONFIG_DIR: path.join(tmp, 'config'), PAINTERLY_CACHE_DIR: path.join(tmp, 'cache') };
  for (const k of ['TSX_DISABLE_CACHE', 'TEMP', 'TMP', 'NODE_OPTIONS']) delete env[k];

  const unbuilt = spawnSync(process.execPath, ['bin/painterly.js', '--version'], { cwd: clone, env, encoding: 'utf8' });
  expect(unbuilt.status).toBe(1);
  expect(unbuilt.stderr).toContain('the companion is not built yet: run `npm install` (or `npm run build`)');
  const prepare = spawnSync('npm', ['run', 'prepare'], { cwd: clone, env, encoding: 'utf8' });
  expect(prepare.status, prepare.stderr).toBe(0);
  // A source edited after the build is pointed out (and not compiled).
  const later = new Date(Date.now() + 60_000);
  utimesSync(path.join(clone, 'shared/version.ts'), later, later);
  const stale = spawnSync(process.execPath, ['bin/painterly.js', '--version'], { cwd: clone, env, encoding: 'utf8' });
  expect(stale.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  expect(stale.stderr).toContain('sources changed since the last build; run `npm run build`');
  expect(deleteTypeScript(path.join(clone, 'companion')) + deleteTypeScript(path.join(clone, 'shared'))).toBeGreaterThan(50);
  execFileSync(process.execPath, ['bin/painterly.js', 'models', 'import', SQUEEZENET], { cwd: clone, env, stdio: 'pipe' });

  const child = spawn('npm', ['start', '--', '--port', '0', '--device', 'cpu'], { cwd: clone, env, detached: true });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  try {
    const deadline = Date.now() + 90_000;
    while (!/Press Ctrl-C to stop/.test(out)) {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`npm start did not start the companion:\n${out}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const url = /listening on (ws:\/\/127\.0\.0\.1:\d+)/.exec(out)![1];
    const token = /pairing token: ([0-9a-f]{64})/.exec(out)![1];
    const client = await connectToCompanion({ url, token, createSocket: (u) => new WebSocket(u, { perMessageDeflate: false }) as unknown as WebSocketLike });
    // Post-processing runs PatchMatch on worker threads, and affine smoothing runs on its own
    // worker: both load their built worker modules.
    const harmonized = await client.submit({ options: { mode: 'harmonize', backbone: 'squeezenet', size: 96, pass1Iters: 2, pass2Iters: 2, postProcess: true }, planes: harmonizePlanes(96, 96).planes }).result;
    expect(harmonized).toMatchObject({ width: 96, height: 96, channels: 3 });
    const [content, style] = harmonizePlanes(64, 64).planes;
    const styled = await client.submit({ options: { mode: 'photo-style', backbone: 'squeezenet', size: 64, stage1Iters: 1, stage2Iters: 1, smoothing: 'affine' }, planes: [{ ...content, plane: 'content' }, { ...style, plane: 'style' }] }).result;
    expect(styled).toMatchObject({ width: 64, height: 64, channels: 3 });
    client.close();
    expect(out).not.toMatch(/error/i);
  } finally {
    try {
      process.kill(-child.pid!, 'SIGTERM');
    } catch {
      /* already gone */
    }
    await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
  }
  expect(readdirSync(tmpdir)).toEqual([]);
}, 240_000);

it('runs benchmarks and evaluations through tsx with its compile cache off (nothing in TMPDIR)', () => {
  const tmpdir = mkdtempSync(path.join(tmp, 'dev-tmp-'));
  const script = path.join(tmp, 'typed.ts');
  writeFileSync(script, `const n: number = 6 * 7;\nconst args: string[] = process.argv.slice(2);\nconsole.log(JSON.stringify({ n, args, telemetryOff: process.env.ORT_DISABLE_TELEMETRY }));\n`);
  const env: NodeJS.ProcessEnv = { ...process.env, TMPDIR: tmpdir };
  for (const k of ['TSX_DISABLE_CACHE', 'ORT_DISABLE_TELEMETRY', 'TEMP', 'TMP']) delete env[k];
  const out = execFileSync(process.execPath, [path.join(repoRoot, 'scripts/run-ts.mjs'), script, 'dph', '--size', '350'], { env, encoding: 'utf8' });
  expect(JSON.parse(out)).toEqual({ n: 42, args: ['dph', '--size', '350'], telemetryOff: '1' });
  expect(readdirSync(tmpdir)).toEqual([]);
});
