import { describe, expect, it } from 'vitest';
import { JobQueue, type QueueEntry } from '../../../companion/server/queue.js';

/** An entry whose run waits until released (or aborted), recording what happened. */
function entry(log: string[], name: string) {
  let release!: () => void;
  const places: number[] = [];
  const e: QueueEntry & { places: number[]; release(): void } = {
    places,
    release: () => release(),
    onPlace: (p) => places.push(p),
    run: (signal) =>
      new Promise<void>((resolve) => {
        log.push(`start ${name}`);
        release = () => {
          log.push(`end ${name}`);
          resolve();
        };
        signal.addEventListener('abort', () => {
          log.push(`abort ${name}`);
          resolve();
        });
      }),
  };
  return e;
}
const tick = () => new Promise((r) => setTimeout(r, 0));

describe('JobQueue', () => {
  it('runs one job at a time, in order of arrival', async () => {
    const log: string[] = [];
    const q = new JobQueue();
    const [a, b, c] = ['a', 'b', 'c'].map((n) => entry(log, n));
    [a, b, c].forEach((e) => q.enqueue(e));
    await tick();
    expect(log).toEqual(['start a']);
    expect(q.size).toBe(3);
    a.release();
    await tick();
    b.release();
    await tick();
    c.release();
    await q.idle();
    expect(log).toEqual(['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
    expect(q.size).toBe(0);
  });

  it('tells each waiting job its place only when it changes', async () => {
    const log: string[] = [];
    const q = new JobQueue();
    const [a, b, c] = ['a', 'b', 'c'].map((n) => entry(log, n));
    [a, b, c].forEach((e) => q.enqueue(e));
    await tick();
    a.release();
    await tick();
    b.release();
    await tick();
    c.release();
    await q.idle();
    expect(a.places).toEqual([0]);
    expect(b.places).toEqual([1]);
    expect(c.places).toEqual([2, 1]);
  });

  it('takes a waiting job out without running it and moves the ones behind up', async () => {
    const log: string[] = [];
    const q = new JobQueue();
    const [a, b, c] = ['a', 'b', 'c'].map((n) => entry(log, n));
    [a, b, c].forEach((e) => q.enqueue(e));
    expect(q.cancel(b)).toBe('queued');
    expect(c.places).toEqual([2, 1]);
    a.release();
    await tick();
    c.release();
    await q.idle();
    expect(log).toEqual(['start a', 'end a', 'start c', 'end c']);
  });

  it('aborts the running job through its signal and then starts the next', async () => {
    const log: string[] = [];
    const q = new JobQueue();
    const [a, b] = ['a', 'b'].map((n) => entry(log, n));
    q.enqueue(a);
    q.enqueue(b);
    await tick();
    expect(q.cancel(a)).toBe('running');
    await tick();
    expect(log).toEqual(['start a', 'abort a', 'start b']);
    expect(q.cancel(entry(log, 'x'))).toBeUndefined();
    b.release();
    await q.idle();
  });

  it('moves on when a job throws', async () => {
    const q = new JobQueue();
    const ran: string[] = [];
    q.enqueue({ onPlace: () => {}, run: async () => { throw new Error('boom'); } });
    q.enqueue({ onPlace: () => {}, run: async () => void ran.push('second') });
    await q.idle();
    expect(ran).toEqual(['second']);
  });
});
