// `painterly serve` and `painterly token` as a user runs them: a real process on 127.0.0.1.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type WebSocketLike } from '../../../shared/client.js';
import { connectToCompanion } from '../../../shared/connect.js';

const repoRoot = path.resolve(import.meta.dirname, '../../..');
const bin = path.join(repoRoot, 'bin/painterly.js');
const nodeSocket = (url: string) => new WebSocket(url, { perMessageDeflate: false }) as unknown as WebSocketLike;

let configDir: string;
let env: NodeJS.ProcessEnv;

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], { env, cwd: repoRoot });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

beforeAll(async () => {
  configDir = await mkdtemp(path.join(os.tmpdir(), 'painterly-config-'));
  const cacheDir = await mkdtemp(path.join(os.tmpdir(), 'painterly-cache-'));
  env = { ...process.env, PAINTERLY_CONFIG_DIR: configDir, PAINTERLY_CACHE_DIR: cacheDir };
});
afterAll(async () => {
  await rm(configDir, { recursive: true, force: true });
  await rm(env.PAINTERLY_CACHE_DIR!, { recursive: true, force: true });
});

describe('painterly serve', () => {
  let child: ChildProcess;
  let out = '';
  let exit: Promise<number | null>;

  beforeAll(async () => {
    child = spawn(process.execPath, [bin, 'serve', '--port', '0', '--device', 'cpu'], { env, cwd: repoRoot });
    child.stdout!.on('data', (d) => (out += d));
    child.stderr!.on('data', (d) => (out += d));
    exit = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
    const deadline = Date.now() + 60_000;
    while (!/Press Ctrl-C to stop/.test(out)) {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`serve did not start:\n${out}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  });
  afterAll(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });

  it('prints the address, the device, the models with how to get them, and the pairing token', () => {
    expect(out).toMatch(/listening on ws:\/\/127\.0\.0\.1:\d+/);
    expect(out).toMatch(/device:\s+cpu\n/);
    expect(out).toContain('npx painterly models fetch vgg19');
    expect(out).toMatch(/^pairing token: [0-9a-f]{64}$/m);
  });

  it('keeps the token in the config folder with mode 0600, and `painterly token` prints the same one', async () => {
    const printed = /pairing token: ([0-9a-f]{64})/.exec(out)![1];
    const s = await stat(path.join(configDir, 'token'));
    if (process.platform !== 'win32') expect(s.mode & 0o777).toBe(0o600);
    const r = await run(['token']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(printed);
  });

  it('pairs a client with the printed token and, after `token --rotate`, only with the new one', async () => {
    const url = /listening on (ws:\/\/127\.0\.0\.1:\d+)/.exec(out)![1];
    const printed = /pairing token: ([0-9a-f]{64})/.exec(out)![1];
    const c = await connectToCompanion({ url, token: printed, createSocket: nodeSocket });
    expect(c.welcome.device).toBe('cpu');
    expect(c.welcome.backbones.present).toEqual([]);
    c.close();
    const rotated = await run(['token', '--rotate']);
    const fresh = rotated.stdout.trim();
    expect(fresh).toMatch(/^[0-9a-f]{64}$/);
    expect(fresh).not.toBe(printed);
    await expect(connectToCompanion({ url, token: printed, createSocket: nodeSocket })).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    const again = await connectToCompanion({ url, token: fresh, createSocket: nodeSocket });
    again.close();
  });

  it('stops cleanly on SIGTERM', async () => {
    child.kill('SIGTERM');
    expect(await exit).toBe(0);
    expect(out).toContain('Companion stopped.');
  });
});

describe('painterly serve --help and bad options', () => {
  it('prints its usage', async () => {
    const r = await run(['serve', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Usage: painterly serve');
  });

  it('refuses an unknown device with BAD_ARGUMENT (checked by the device probe)', async () => {
    const r = await run(['serve', '--port', '0', '--device', 'gpu']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("painterly: BAD_ARGUMENT: Unknown device 'gpu'. Choose one of: auto, cpu, cuda, dml, coreml, webgpu.");
    expect(r.stdout).not.toContain('listening');
  });

  it('refuses a bad port with BAD_ARGUMENT', async () => {
    const r = await run(['serve', '--port', 'abc']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('BAD_ARGUMENT');
  });
});
