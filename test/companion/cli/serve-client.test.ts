// `painterly client harmonize` against a companion with the fake runner: files in, protocol,
// file out; Ctrl-C cancels the job on the companion.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../server/harness.js';

const repoRoot = path.resolve(import.meta.dirname, '../../..');
const bin = path.join(repoRoot, 'bin/painterly.js');
const W = 24;
const H = 16;

let dir: string;
let t: TestServer;
const composite = new Uint8Array(W * H * 3);
const mask = new Uint8Array(W * H);

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'painterly-client-'));
  for (let p = 0; p < W * H; p++) {
    for (let c = 0; c < 3; c++) composite[p * 3 + c] = (p * 7 + c * 50) % 256;
    mask[p] = p % W >= 8 && p % W < 16 ? 255 : 0;
  }
  await sharp(composite, { raw: { width: W, height: H, channels: 3 } }).png().toFile(path.join(dir, 'composite.png'));
  await sharp(composite.map((v) => 255 - v), { raw: { width: W, height: H, channels: 3 } }).png().toFile(path.join(dir, 'painting.png'));
  await sharp(mask, { raw: { width: W, height: H, channels: 1 } }).png().toFile(path.join(dir, 'mask.png'));
});
afterAll(async () => {
  await t?.close();
  await rm(dir, { recursive: true, force: true });
});

function client(args: string[], onStderr?: (text: string, child: ReturnType<typeof spawn>) => void) {
  return new Promise<{ code: number | null; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [bin, 'client', ...args], { cwd: repoRoot, env: { ...process.env, PAINTERLY_CONFIG_DIR: dir } });
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr += d;
      onStderr?.(stderr, child);
    });
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

const files = () => ['--painting', path.join(dir, 'painting.png'), '--composite', path.join(dir, 'composite.png'), '--mask', path.join(dir, 'mask.png')];

describe('painterly client harmonize', () => {
  it('sends the files, prints progress and writes the result the companion computed', async () => {
    t = await startTestServer();
    const out = path.join(dir, 'out.png');
    const r = await client(['harmonize', ...files(), '--port', String(t.server.port), '--token', t.token, '--pass1-iters', '3', '--pass2-iters', '2', '--tau', '10', '--out', out]);
    expect(r.stderr).toContain('Pass 1 of 2: painting 3/3');
    expect(r.code).toBe(0);
    const { data, info } = await sharp(out).raw().toBuffer({ resolveWithObject: true });
    expect([info.width, info.height, info.channels]).toEqual([W, H, 3]);
    for (let p = 0; p < W * H; p++) {
      for (let c = 0; c < 3; c++) {
        const v = composite[p * 3 + c];
        expect(data[p * 3 + c]).toBe(mask[p] ? 255 - v : v);
      }
    }
    expect(t.harmonize.record.options[0]).toMatchObject({ tau: 10, pass1Iters: 3, pass2Iters: 2 });
    await t.close();
  });

  it('cancels the job on the companion when interrupted with Ctrl-C, exiting 130', async () => {
    t = await startTestServer({}, { iterationMs: 5 });
    let sent = false;
    const r = await client(['harmonize', ...files(), '--port', String(t.server.port), '--token', t.token, '--pass1-iters', '5000', '--out', path.join(dir, 'never.png')], (text, child) => {
      if (!sent && /Pass 1 of 2: painting \d+\/5000/.test(text)) {
        sent = true;
        child.kill('SIGINT');
      }
    });
    expect(r.code).toBe(130);
    expect(r.stderr).toContain('CANCELLED');
    expect(t.harmonize.record.cancelled).toBe(1);
    expect(t.server.stats.jobsCancelled).toBe(1);
    await t.close();
  });

  it('says how to start the companion when none is running', async () => {
    t = await startTestServer();
    const port = t.server.port;
    await t.close();
    const r = await client(['harmonize', ...files(), '--port', String(port), '--token', 'a'.repeat(64), '--out', path.join(dir, 'x.png')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('COMPANION_UNREACHABLE');
    expect(r.stderr).toContain('painterly serve');
  });
});
