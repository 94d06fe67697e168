// A one-line terminal progress bar for long CLI jobs (model downloads, harmonization passes).
// On a terminal it redraws one line with \r (at most ten times a second); in logs and pipes it
// prints a plain line each time another 10 % is done, so CI output stays short.
import { formatBytes } from '../../shared/bytes.js';
import { formatDuration } from '../../shared/duration.js';

export { formatBytes };

export interface ProgressUpdate {
  label: string;
  current: number;
  /** Unknown totals show a count without a bar. */
  total?: number;
  /** Remaining time; estimated from the rate so far when left out. */
  etaSeconds?: number;
  /** 'bytes' formats sizes (12.3 MB); any other word is printed after the counts. */
  unit?: string;
}

export interface ProgressBar {
  update(u: ProgressUpdate): void;
  /** Ends the line; `message` replaces the bar's last state when given. */
  done(message?: string): void;
}

export interface ProgressStream {
  write(s: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface ProgressBarOptions {
  /** Clock in milliseconds (tests pass a fake one). */
  now?: () => number;
}

function counts(u: ProgressUpdate): string {
  if (u.unit === 'bytes') return u.total !== undefined ? `${formatBytes(u.current)} / ${formatBytes(u.total)}` : formatBytes(u.current);
  const tail = u.unit ? ` ${u.unit}` : '';
  return u.total !== undefined ? `${u.current}/${u.total}${tail}` : `${u.current}${tail}`;
}

export function createProgressBar(stream: ProgressStream = process.stderr, options: ProgressBarOptions = {}): ProgressBar {
  const now = options.now ?? Date.now;
  const tty = stream.isTTY === true;
  let start: { t: number; current: number } | undefined;
  let last: ProgressUpdate | undefined;
  let lastDraw = -Infinity;
  let lastDecile = -1;
  let lineOpen = false;

  function eta(u: ProgressUpdate): number | undefined {
    if (u.etaSeconds !== undefined) return u.etaSeconds;
    if (!start || u.total === undefined) return undefined;
    const elapsed = (now() - start.t) / 1000;
    const done = u.current - start.current;
    if (elapsed < 1 || done <= 0) return undefined;
    return ((u.total - u.current) * elapsed) / done;
  }

  function describe(u: ProgressUpdate, withBar: boolean): string {
    const parts = [u.label];
    const fraction = u.total ? Math.min(1, Math.max(0, u.current / u.total)) : undefined;
    if (fraction !== undefined) {
      const pct = `${Math.floor(fraction * 100)}%`.padStart(4);
      if (withBar) {
        const width = Math.max(10, Math.min(30, (stream.columns ?? 80) - 50 - u.label.length));
        const filled = Math.round(fraction * width);
        parts.push(`[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`);
      }
      parts.push(pct);
    }
    parts.push(counts(u));
    const e = eta(u);
    if (e !== undefined && Number.isFinite(e) && fraction !== undefined && fraction < 1) parts.push(`ETA ${formatDuration(e)}`);
    return parts.join(' ');
  }

  function draw(u: ProgressUpdate): void {
    const line = describe(u, true);
    const width = stream.columns ?? 80;
    // Clear the rest of the previous line (\x1b[K) so a shorter line leaves no debris.
    stream.write(`\r${line.length >= width ? line.slice(0, width - 1) : line}\x1b[K`);
    lineOpen = true;
  }

  return {
    update(u) {
      if (!start || (last && last.label !== u.label)) {
        start = { t: now(), current: u.current };
        lastDecile = -1;
      }
      last = u;
      if (tty) {
        const t = now();
        const finished = u.total !== undefined && u.current >= u.total;
        if (t - lastDraw >= 100 || finished) {
          lastDraw = t;
          draw(u);
        }
        return;
      }
      // Not a terminal: one line per 10 % (or just the first line when the total is unknown).
      const decile = u.total ? Math.floor((Math.min(u.current, u.total) / u.total) * 10) : 0;
      if (decile > lastDecile) {
        lastDecile = decile;
        stream.write(`${describe(u, false)}\n`);
      }
    },
    done(message) {
      if (tty) {
        if (message !== undefined) stream.write(`\r${message}\x1b[K\n`);
        else if (last) {
          draw(last);
          stream.write('\n');
        } else if (lineOpen) stream.write('\n');
        lineOpen = false;
      } else if (message !== undefined) {
        stream.write(`${message}\n`);
      }
      start = undefined;
      last = undefined;
      lastDecile = -1;
    },
  };
}
