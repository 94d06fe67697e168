// Shared by the panel's end-to-end tests: the built panel (dist/plugin layout, built fresh into a
// temp folder) with the fake Photoshop injected, loaded in headless Chromium, talking to the real
// companion (`painterly serve` as its own process) through a proxy that strips the browser's Origin.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';
import type { Browser, Page } from 'playwright-core';
import { expect } from 'vitest';
import { launchChromium } from '../../support/chromium.js';
import type { PageConfig } from './fake-page.js';
import { startOriginProxy, type OriginProxy } from './origin-proxy.js';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const SHOTS = path.join(repoRoot, 'test-results/panel');
export const SCENE = { width: 160, height: 120, object: { left: 58, top: 40, right: 102, bottom: 78 } };
/** A small job for the real pipeline, long enough (a few seconds) to watch it run. */
export const QUICK_JOB = { size: 96, pass1Iters: 40, pass2Iters: 40, stage1Iters: 10, stage2Iters: 10 };

export interface CompanionOptions {
  /** Install the kit's SqueezeNet into the companion's cache first. Default true. */
  squeezenet?: boolean;
  /** More environment for the companion (e.g. PAINTERLY_MODEL_BASE_URL). */
  env?: NodeJS.ProcessEnv;
  /** More arguments for `painterly serve` (e.g. --queue URL: a gateway). */
  serveArgs?: string[];
}

export interface E2E {
  browser: Browser;
  /** Where the panel connects (the Origin-stripping proxy in front of the companion). */
  url: string;
  /** The companion itself, without the proxy: the browser's Origin reaches it. */
  companionUrl: string;
  token: string;
  /** Origin headers the proxy took off (the browser's; UXP sends none). */
  strippedOrigins: string[];
  /** The companion's own output so far. */
  readonly output: string;
  openPanel(config: Omit<PageConfig, 'css' | 'scene' | 'url'> & { url?: string }, width?: number): Promise<Page>;
  close(): Promise<void>;
}

/**
 * Starts the real companion (`painterly serve`) with a temporary config folder and model cache,
 * reads the address and token it prints, and opens Chromium.
 */
export async function startE2E(opts: CompanionOptions = {}): Promise<E2E> {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'painterly-e2e-'));
  mkdirSync(SHOTS, { recursive: true });
  execFileSync(process.execPath, ['scripts/build-plugin.mjs', '--out', path.join(tmp, 'plugin')], { cwd: repoRoot, stdio: 'pipe' });
  const panelUrl = pathToFileURL(path.join(tmp, 'plugin/index.html')).href;
  const bundle = await esbuild.build({ entryPoints: [path.join(repoRoot, 'test/plugin/support/fake-page.ts')], bundle: true, format: 'iife', platform: 'browser', target: 'es2020', write: false, logLevel: 'silent' });
  const pageScript = bundle.outputFiles[0].text;
  const css = readFileSync(path.join(repoRoot, 'test/plugin/support/spectrum-stub.css'), 'utf8');

  const env = { ...process.env, PAINTERLY_CONFIG_DIR: path.join(tmp, 'config'), PAINTERLY_CACHE_DIR: path.join(tmp, 'cache'), ...opts.env };
  if (opts.squeezenet !== false) {
    execFileSync(process.execPath, ['bin/painterly.js', 'models', 'import', path.resolve(repoRoot, '../shared/weights/squeezenet1_1.safetensors')], { cwd: repoRoot, env, stdio: 'pipe' });
  }
  let output = '';
  const child: ChildProcess = spawn(process.execPath, ['bin/painterly.js', 'serve', '--port', '0', '--device', 'cpu', ...(opts.serveArgs ?? [])], { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stderr!.on('data', (d: Buffer) => {
    output += d.toString();
    process.stderr.write(d);
  });
  const started = await new Promise<{ port: number; token: string }>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`The companion exited with ${code} before listening:\n${output}`)));
    child.stdout!.on('data', (d: Buffer) => {
      output += d.toString();
      const port = /listening on ws:\/\/127\.0\.0\.1:(\d+)/.exec(output)?.[1];
      const tok = /pairing token: ([0-9a-f]+)/.exec(output)?.[1];
      if (port && tok) resolve({ port: Number(port), token: tok });
    });
  });
  const proxy: OriginProxy = await startOriginProxy(started.port);
  const browser = await launchChromium();
  return {
    browser,
    url: proxy.url,
    companionUrl: `ws://127.0.0.1:${started.port}`,
    strippedOrigins: proxy.strippedOrigins,
    token: started.token,
    get output() {
      return output;
    },
    async openPanel(config, width = 240) {
      const page = await browser.newPage({ viewport: { width, height: 720 } });
      page.on('pageerror', (e) => console.error('panel error:', e));
      await page.addInitScript(`window.__painterlyTest = ${JSON.stringify({ jobOverrides: QUICK_JOB, url: proxy.url, ...config, css, scene: SCENE })};`);
      await page.addInitScript(pageScript);
      await page.goto(panelUrl);
      return page;
    },
    async close() {
      await browser.close();
      await proxy.close();
      child.kill('SIGTERM');
      rmSync(tmp, { recursive: true, force: true });
    },
  };
}

export const probe = <T>(page: Page, expr: string): Promise<T> => page.evaluate(expr) as Promise<T>;
export const shot = (page: Page, name: string) => page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
export const text = (page: Page, id: string) => page.locator(`#${id}`).innerText();
/** Waits for a condition in the page; generous, as CI machines can be slow. */
export const poll = <T>(fn: () => Promise<T>, timeout = 15_000) => expect.poll(fn, { timeout, interval: 50 });
