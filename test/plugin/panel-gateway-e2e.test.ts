// The panel through a gateway, end to end: the built panel in headless Chromium with the fake
// Photoshop, a companion started as `painterly serve --queue URL`, a real Redis (Debian's
// redis-server) and a `painterly worker` process with the kit's SqueezeNet. The panel stays on
// loopback and pairs as ever; its job runs on the worker, with progress, a live preview and the
// worker's name, comes back as a layer, and Cancel stops a job running on the worker.
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kitWeights } from '../../eval/shared-kit.js';
import { needsRedis, redisAvailable, startRedis, type TestRedis } from '../support/redis.js';
import { poll, probe, shot, startE2E, text, type E2E } from './support/panel-e2e.js';

type LayerInfo = { id: number; name: string; visible: boolean };

let redis: TestRedis;
let e2e: E2E;
let worker: ChildProcess;
let workerLog = '';

beforeAll(async () => {
  if (!redisAvailable) return;
  redis = await startRedis();
  worker = spawn(process.execPath, [resolve(__dirname, '../../bin/painterly.js'), 'worker', '--queue', redis.url, '--backbone', 'squeezenet', '--weights', kitWeights('squeezenet')!, '--device', 'cpu', '--name', 'studio-box'], {
    env: { ...process.env, ORT_DISABLE_TELEMETRY: '1' },
  });
  worker.stdout!.on('data', (d) => (workerLog += d));
  worker.stderr!.on('data', (d) => (workerLog += d));
  const end = Date.now() + 60_000;
  while (!/serving redis:/.test(workerLog)) {
    if (Date.now() > end || worker.exitCode !== null) throw new Error(`The worker did not start:\n${workerLog}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  // The gateway itself has no model installed: the studio's worker has it.
  e2e = await startE2E({ squeezenet: false, serveArgs: ['--queue', redis.url] });
}, 120_000);

afterAll(async () => {
  await e2e?.close();
  worker?.kill('SIGTERM');
  await redis?.close();
});

describe.skipIf(!redisAvailable)(needsRedis('the panel through a gateway companion'), () => {
  const open = async (jobOverrides?: { size?: number; pass1Iters?: number; pass2Iters?: number }): Promise<Page> => {
    const page = await e2e.openPanel({ token: e2e.token, ...(jobOverrides ? { jobOverrides } : {}) });
    await poll(() => text(page, 'status-title')).toBe('Connected');
    return page;
  };

  it('runs the job on the studio worker: its name in the panel, progress, a live preview, the result as a layer', async () => {
    const page = await open({ size: 96, pass1Iters: 60, pass2Iters: 60 });
    expect(await text(page, 'status-detail')).toMatch(/sends jobs to the studio queue: studio-box \(CPU\)/);
    const before = await probe<LayerInfo[]>(page, '__probe.layers()');
    await page.click('#harmonize');
    await poll(() => text(page, 'progress-detail'), 60_000).toMatch(/on studio-box \(CPU\)/);
    await page.locator('#preview').waitFor({ state: 'visible', timeout: 60_000 });
    expect(await page.locator('#preview').evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true);
    await shot(page, 'gateway-running');
    await page.locator('#outcome').waitFor({ state: 'visible', timeout: 60_000 });
    expect(await page.locator('#outcome').getAttribute('data-kind')).toBe('done');
    const after = await probe<LayerInfo[]>(page, '__probe.layers()');
    expect(after).toHaveLength(before.length + 1);
    expect(after[0].name).toBe('Harmonized');
    expect(workerLog).toMatch(/job \S+ done in/);
    await page.close();
  });

  it('cancels a job running on the worker: the worker stops it, the document is unchanged', async () => {
    const page = await open({ size: 128, pass1Iters: 3000, pass2Iters: 3000 });
    const before = await probe<LayerInfo[]>(page, '__probe.layers()');
    const done = (workerLog.match(/ done in /g) ?? []).length;
    await page.click('#harmonize');
    await poll(() => text(page, 'progress-label'), 60_000).toMatch(/^Pass 1 of 2/);
    await page.click('#cancel');
    await page.locator('#outcome').waitFor({ state: 'visible', timeout: 30_000 });
    expect(await page.locator('#outcome').getAttribute('data-kind')).toBe('cancelled');
    await poll(async () => workerLog, 10_000).toMatch(/failed: CANCELLED/);
    expect((workerLog.match(/ done in /g) ?? []).length).toBe(done);
    expect(await probe<LayerInfo[]>(page, '__probe.layers()')).toEqual(before);
    await page.close();
  });
});
