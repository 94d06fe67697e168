// The test page's WebSocket in headless Chromium (support/fake-page.ts): UXP's full send buffer
// closes the socket silently, with 1006, and the probe counts it. No panel, no companion: a plain
// `ws` server that takes what it is sent.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { launchChromium } from '../support/chromium.js';
import type { PageConfig } from './support/fake-page.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const OPEN = 1;
const CLOSING = 2;

let browser: Browser;
let server: WebSocketServer;
let pageScript: string;
let url: string;

beforeAll(async () => {
  const bundle = await esbuild.build({ entryPoints: [path.join(repoRoot, 'test/plugin/support/fake-page.ts')], bundle: true, format: 'iife', platform: 'browser', target: 'es2020', write: false, logLevel: 'silent' });
  pageScript = bundle.outputFiles[0].text;
  server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await new Promise((r) => server.once('listening', r));
  url = `ws://127.0.0.1:${(server.address() as { port: number }).port}`;
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await new Promise((r) => server?.close(r));
});

async function openPage(config: Partial<PageConfig>): Promise<Page> {
  const page = await browser.newPage();
  await page.addInitScript(`window.__painterlyTest = ${JSON.stringify({ url, css: '', scene: {}, ...config })};`);
  await page.addInitScript(pageScript);
  await page.goto('about:blank');
  return page;
}

/** Sends `count` binary messages of `bytes` in one go and reports what the socket and the probe saw. */
function burst(page: Page, count: number, bytes: number) {
  return page.evaluate(
    async ({ url, count, bytes }) => {
      const ws = new WebSocket(url);
      const events: string[] = [];
      ws.onerror = () => events.push('error');
      ws.addEventListener('close', (e) => events.push(`listener ${e.code}`));
      const closed = new Promise<void>((resolve) => (ws.onclose = (e) => (events.push(`onclose ${e.code} '${e.reason}'`), resolve())));
      await new Promise((resolve) => (ws.onopen = resolve));
      for (let i = 0; i < count; i++) ws.send(new Uint8Array(bytes));
      const state = ws.readyState;
      await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, 200))]);
      await new Promise((resolve) => setTimeout(resolve, 20));
      ws.close();
      const probe = (window as unknown as { __probe: { socket(): { overflowCloses: number; peakBufferedAmount: number; limit: number; bytesSent: number } } }).__probe;
      return { events, state, socket: probe.socket() };
    },
    { url, count, bytes },
  );
}

describe('the test page WebSocket', () => {
  it('closes the socket with 1006 and no error when a send would overfill the buffer, and counts it', async () => {
    const page = await openPage({ sendLimitBytes: 1024 * 1024 });
    const got = await burst(page, 3, 512 * 1024); // the third would take 1.5 MiB past the 1 MiB limit
    expect(got.state).toBe(CLOSING);
    expect(got.events).toEqual(["onclose 1006 ''", 'listener 1006']);
    expect(got.socket).toEqual({ overflowCloses: 1, peakBufferedAmount: 1024 * 1024, limit: 1024 * 1024, bytesSent: 1024 * 1024 });
    await page.close();
  });

  it('sends under the default 16 MiB limit and reports the peak buffered amount', async () => {
    const page = await openPage({});
    const got = await burst(page, 3, 4 * 1024 * 1024);
    expect(got.state).toBe(OPEN);
    expect(got.socket).toEqual({ overflowCloses: 0, peakBufferedAmount: 12 * 1024 * 1024, limit: 16 * 1024 * 1024, bytesSent: 12 * 1024 * 1024 });
    await page.close();
  });
});
