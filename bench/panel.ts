// `npm run bench -- panel [--width 8000 --height 6000 --object 2000 --bits 16]`: the panel in headless
// Chromium against the fake Photoshop on a large document, through a real companion (`painterly
// serve`, CPU, the kit's SqueezeNet, a quick job), from Harmonize to the new layer. It measures
// what the artist's machine would feel in the panel:
//   panel-peak-mib          the page's renderer memory at its peak above its idle baseline (RSS,
//                           polled every 20 ms), while the panel reads, sends and writes back;
//   panel-longest-block-ms  the longest the page's thread was blocked (the gap between two turns
//                           of a message loop that runs all along; the fake Photoshop's own work
//                           counts too, in slices of ~10 ms, standing in for Photoshop's process);
//   and the bytes the panel sent, the send buffer's peak and any socket closed for overflowing it.
// Figures are of this run alone: compare panels by running both here, one after the other.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { CDPSession, Page } from 'playwright-core';
import path from 'node:path';
import { SHOTS, startE2E } from '../test/plugin/support/panel-e2e.js';

interface Probe {
  socket(): { overflowCloses: number; peakBufferedAmount: number; bytesSent: number; limit: number };
  fake(): { storedBytes: number; yields: number; longestMs: number };
}

const MiB = 1024 * 1024;

/** Resident memory of a process, bytes (Linux /proc). */
function rssOf(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** The pids of the browser's renderer processes (CDP SystemInfo). */
async function rendererPids(cdp: CDPSession): Promise<number[]> {
  const info = (await cdp.send('SystemInfo.getProcessInfo')) as { processInfo: { type: string; id: number }[] };
  return info.processInfo.filter((p) => p.type === 'renderer').map((p) => p.id);
}

/** Starts the in-page block meter: a MessageChannel loop that records the longest gap between its turns. */
async function startBlockMeter(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as { __block: { longest: number; stop: boolean } };
    w.__block = { longest: 0, stop: false };
    const ch = new MessageChannel();
    let last = performance.now();
    ch.port1.onmessage = () => {
      const now = performance.now();
      w.__block.longest = Math.max(w.__block.longest, now - last);
      last = now;
      if (!w.__block.stop) ch.port2.postMessage(0);
    };
    ch.port2.postMessage(0);
  });
}

export async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: { width: { type: 'string', default: '8000' }, height: { type: 'string', default: '6000' }, object: { type: 'string', default: '2000' }, bits: { type: 'string', default: '16' } },
  });
  const width = Number(values.width), height = Number(values.height), side = Number(values.object), bits = Number(values.bits) as 8 | 16;
  const left = Math.floor((width - side) / 2), top = Math.floor((height - side) / 2);
  const e2e = await startE2E();
  try {
    const page = await e2e.openPanel({
      token: e2e.token,
      bigScene: { width, height, bits, object: { left, top, right: left + side, bottom: top + side } },
      // Preview at the panel's default working size, few iterations: the companion's time is not measured here.
      jobOverrides: { size: 350, pass1Iters: 4, pass2Iters: 4 },
    });
    const cdp = await page.context().browser()!.newBrowserCDPSession();
    await page.locator('#status-title').filter({ hasText: 'Connected' }).waitFor({ timeout: 60_000 });
    await page.waitForTimeout(1500); // let the scene's construction settle, then take the baseline
    const pids = await rendererPids(cdp);
    const rss = () => pids.reduce((n, pid) => n + rssOf(pid), 0);
    const baseline = rss();
    let peak = baseline;
    const poll = setInterval(() => (peak = Math.max(peak, rss())), 20);
    await startBlockMeter(page);
    const started = performance.now();
    await page.locator('#harmonize').click();
    // One look at the upload as the artist sees it (test-results/panel/sending.png).
    await page.locator('#progress-label').filter({ hasText: 'Sending' }).waitFor({ timeout: 120_000 }).then(() => page.screenshot({ path: path.join(SHOTS, 'sending.png'), fullPage: true })).catch(() => {});
    await page.locator('#outcome').waitFor({ state: 'visible', timeout: 600_000 });
    const seconds = (performance.now() - started) / 1000;
    clearInterval(poll);
    peak = Math.max(peak, rss());
    const outcome = await page.locator('#outcome').getAttribute('data-kind');
    const text = await page.locator('#outcome-text').innerText();
    const longest = await page.evaluate(() => {
      const w = window as unknown as { __block: { longest: number; stop: boolean } };
      w.__block.stop = true;
      return w.__block.longest;
    });
    const probe = await page.evaluate(() => {
      const p = (window as unknown as { __probe: Probe }).__probe;
      return { socket: p.socket(), fake: p.fake() };
    });
    console.log(`document ${width}×${height} ${bits}-bit, object ${side}×${side}; outcome: ${outcome}: ${text}`);
    console.log(`job from Harmonize to the new layer: ${seconds.toFixed(1)} s (companion included)`);
    console.log(`renderer RSS: idle ${(baseline / MiB).toFixed(0)} MiB (the fake's document stores ${(probe.fake.storedBytes / MiB).toFixed(0)} MiB of it), peak ${(peak / MiB).toFixed(0)} MiB`);
    console.log(`the fake Photoshop's own longest slice: ${probe.fake.longestMs.toFixed(0)} ms (${probe.fake.yields} yields)`);
    console.log(`send buffer: peak ${(probe.socket.peakBufferedAmount / MiB).toFixed(2)} MiB of the ${(probe.socket.limit / MiB).toFixed(0)} MiB that closes the socket; sockets closed for overflowing it: ${probe.socket.overflowCloses}`);
    console.log(`panel-bytes-sent-mib: ${(probe.socket.bytesSent / MiB).toFixed(1)}`);
    console.log(`panel-peak-mib: ${((peak - baseline) / MiB).toFixed(0)}`);
    console.log(`panel-longest-block-ms: ${longest.toFixed(0)}`);
    if (outcome !== 'done') process.exitCode = 1;
  } finally {
    await e2e.close();
  }
}
