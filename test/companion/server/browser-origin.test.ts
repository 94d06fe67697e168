// A web page in a real browser (headless Chromium) tries the companion's socket: the upgrade is
// refused for its Origin before any WebSocket exists, and the page sees the connection fail.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { launchChromium } from '../../support/chromium.js';
import { startTestServer, type TestServer } from './harness.js';

let t: TestServer;
let page: http.Server;
let browser: Browser;

beforeAll(async () => {
  t = await startTestServer();
  page = http.createServer((_req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/html' });
    res.end('<!doctype html><title>page</title>');
  });
  await new Promise<void>((resolve) => page.listen(0, '127.0.0.1', resolve));
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  page?.close();
  await t?.close();
});

/** What a page's `new WebSocket(url)` comes to: 'open', 'closed <code>' or 'timeout'. */
function tryFromPage(tab: Awaited<ReturnType<Browser['newPage']>>, url: string): Promise<string> {
  return tab.evaluate(
    (u: string) =>
      new Promise<string>((resolve) => {
        const ws = new WebSocket(u);
        ws.onopen = () => {
          resolve('open');
          ws.close();
        };
        ws.onclose = (e) => resolve(`closed ${e.code}`);
        setTimeout(() => resolve('timeout'), 10_000);
      }),
    url,
  );
}

it('refuses a WebSocket from a page in headless Chromium because of its browser Origin', async () => {
  const tab = await browser.newPage();
  const pageUrl = `http://127.0.0.1:${(page.address() as AddressInfo).port}/`;
  await tab.goto(pageUrl);
  const outcome = await tryFromPage(tab, t.server.url);
  expect(outcome).toBe('closed 1006'); // the handshake failed: the browser never had a socket
  expect(t.server.stats.refusedUpgrades).toBe(1);
  expect(t.server.stats.connections).toBe(0);
  const refusal = t.logs.find((l) => l.event === 'upgrade-refused');
  expect(String(refusal?.reason)).toContain(`Origin 'http://127.0.0.1:${(page.address() as AddressInfo).port}' belongs to a browser`);
  await tab.close();
});

it('lets the same page connect when its Origin is explicitly allowed (so the refusal above is the Origin check)', async () => {
  const tab = await browser.newPage();
  const origin = `http://127.0.0.1:${(page.address() as AddressInfo).port}`;
  await tab.goto(`${origin}/`);
  const open = await startTestServer({ allowedOrigins: [origin] });
  try {
    expect(await tryFromPage(tab, open.server.url)).toBe('open');
    expect(open.server.stats.refusedUpgrades).toBe(0);
  } finally {
    await open.close();
    await tab.close();
  }
});
