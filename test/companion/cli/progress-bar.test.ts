import { describe, expect, it } from 'vitest';
import { createProgressBar, formatBytes } from '../../../companion/cli/progress-bar.js';

/** A stream that records writes; `tty` picks terminal or log behaviour. */
function sink(tty: boolean, columns = 100) {
  const writes: string[] = [];
  return { writes, stream: { isTTY: tty, columns, write: (s: string) => writes.push(s) } };
}

/** A clock the test moves by hand. */
function clock() {
  let t = 1_000_000;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe('formatBytes', () => {
  it('uses decimal units with three significant digits', () => {
    expect(formatBytes(999)).toBe('999 B');
    expect(formatBytes(80_134_624)).toBe('80.1 MB');
    expect(formatBytes(4_947_016)).toBe('4.95 MB');
    expect(formatBytes(1_500_000_000)).toBe('1.50 GB');
  });
});

describe('createProgressBar on a terminal', () => {
  it('redraws one line with \\r and ends it with a newline on done()', () => {
    const { writes, stream } = sink(true);
    const c = clock();
    const bar = createProgressBar(stream, { now: c.now });
    bar.update({ label: 'vgg19', current: 0, total: 100 });
    c.advance(200);
    bar.update({ label: 'vgg19', current: 50, total: 100 });
    bar.done();
    expect(writes.slice(0, 2).every((w) => w.startsWith('\r') && !w.includes('\n'))).toBe(true);
    expect(writes[1]).toContain(' 50%');
    expect(writes[1]).toContain('[');
    expect(writes.at(-1)).toBe('\n');
  });

  it('draws at most ten times a second, but always the final state', () => {
    const { writes, stream } = sink(true);
    const c = clock();
    const bar = createProgressBar(stream, { now: c.now });
    for (let i = 0; i <= 100; i++) {
      bar.update({ label: 'x', current: i, total: 100 });
      c.advance(10);
    }
    // 1 s of updates: 11 draws at 100 ms spacing, the last one at 100 %.
    expect(writes.length).toBe(11);
    expect(writes.at(-1)).toContain('100%');
  });

  it('estimates the ETA from the rate so far when none is given', () => {
    const { writes, stream } = sink(true);
    const c = clock();
    const bar = createProgressBar(stream, { now: c.now });
    bar.update({ label: 'x', current: 0, total: 1000, unit: 'bytes' });
    c.advance(10_000);
    bar.update({ label: 'x', current: 250, total: 1000, unit: 'bytes' });
    expect(writes.at(-1)).toContain('ETA 30 s');
    expect(writes.at(-1)).toContain('250 B / 1.00 kB');
  });

  it('prints a given ETA as is', () => {
    const { writes, stream } = sink(true);
    const bar = createProgressBar(stream, { now: clock().now });
    bar.update({ label: 'pass 1', current: 3, total: 10, etaSeconds: 65, unit: 'iterations' });
    expect(writes[0]).toContain('3/10 iterations');
    expect(writes[0]).toContain('ETA 65 s');
  });
});

describe('createProgressBar in a log (not a terminal)', () => {
  it('prints one plain line per 10 % and no carriage returns', () => {
    const { writes, stream } = sink(false);
    const bar = createProgressBar(stream, { now: clock().now });
    for (let i = 0; i <= 1000; i++) bar.update({ label: 'x', current: i, total: 1000 });
    bar.done();
    expect(writes).toHaveLength(11);
    expect(writes.every((w) => w.endsWith('\n') && !w.includes('\r'))).toBe(true);
    expect(writes[0]).toContain('0%');
    expect(writes[5]).toContain('50%');
    expect(writes[10]).toContain('100%');
  });

  it('prints a message given to done()', () => {
    const { writes, stream } = sink(false);
    const bar = createProgressBar(stream);
    bar.done('finished');
    expect(writes).toEqual(['finished\n']);
  });
});
