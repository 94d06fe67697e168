// Time slicing for the fake's pixel loops. Real Photoshop does its imaging work in its own
// process: the panel's thread only waits for the answer. The fake runs in the panel's own thread
// (in the browser page, in vitest), so a getPixels over 48 Mpx done in one go would freeze the page
// for seconds and be charged to the panel. Every loop over many pixels therefore works in slices
// of about `sliceMs` and lets the event loop run between them, which models Photoshop working
// elsewhere. A slice boundary is also where a long call notices Esc (the scope was cancelled).
import { userCancelled } from './constants.js';

export interface SliceStats {
  /** How often the fake's loops gave the thread back. */
  yields: number;
  /** The longest stretch one of the fake's loops ran without giving the thread back, ms. */
  longestMs: number;
}

const now = (): number => (typeof performance !== 'undefined' ? performance.now() : Date.now());

/**
 * One macrotask turn, queued behind the tasks already waiting (a MessageChannel message in a
 * browser: no 4 ms timer clamp). Not `scheduler.yield`: its continuations go ahead of other
 * tasks, so the panel's own tasks (and the bench's block meter) would wait for the whole read.
 */
const yieldThread: () => Promise<void> = (() => {
  if (typeof window === 'undefined' || typeof MessageChannel === 'undefined') return () => new Promise((resolve) => setTimeout(resolve, 0));
  const channel = new MessageChannel();
  const waiting: (() => void)[] = [];
  channel.port1.onmessage = () => waiting.shift()?.();
  return () =>
    new Promise<void>((resolve) => {
      waiting.push(resolve);
      channel.port2.postMessage(0);
    });
})();

export class Slicer {
  private start = now();

  constructor(
    private readonly sliceMs: number,
    private readonly stats: SliceStats,
    /** True once the modal scope the call runs in was cancelled (Esc). */
    private readonly cancelled: () => boolean = () => false,
  ) {}

  /** Whether this slice has used its time (cheap: call it every row). */
  due(): boolean {
    return now() - this.start >= this.sliceMs;
  }

  /** Gives the thread back; rejects with Photoshop's user-cancel error if Esc came meanwhile. */
  async pause(): Promise<void> {
    this.stats.longestMs = Math.max(this.stats.longestMs, now() - this.start);
    this.stats.yields++;
    await yieldThread();
    this.start = now();
    if (this.cancelled()) throw userCancelled();
  }

  /** Records the last slice of a call (its length counts toward `longestMs`). */
  done(): void {
    this.stats.longestMs = Math.max(this.stats.longestMs, now() - this.start);
  }

  /** Runs `fn(from, to)` over 0..n in chunks, pausing between chunks when the slice is used. */
  async chunks(n: number, chunk: number, fn: (from: number, to: number) => void): Promise<void> {
    for (let from = 0; from < n; from += chunk) {
      fn(from, Math.min(n, from + chunk));
      if (this.due()) await this.pause();
    }
    this.done();
  }

  /** Runs `fn(y)` for each row y of [top, bottom), pausing between rows when the slice is used. */
  async rows(top: number, bottom: number, fn: (y: number) => void): Promise<void> {
    for (let y = top; y < bottom; y++) {
      fn(y);
      if (this.due()) await this.pause();
    }
    this.done();
  }
}

