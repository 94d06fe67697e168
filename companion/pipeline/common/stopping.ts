// Stopping a pass when the picture stops changing (issue 13). Every `window` iterations the
// monitor takes what a person would see (8-bit levels inside the object, from the caller) and
// compares it with the previous window's: when the mean absolute change is below `threshold`
// levels, the pass stops. Never before `minIterations`; the optimiser's own count is the cap.
// The thresholds come from `npm run bench -- convergence` (see schedule.ts).

export interface StopRule {
  /** Iterations between two comparisons, and the span each compares. */
  window: number;
  /** Stop when the mean |Δ| over a window is below this, in 8-bit levels. */
  threshold: number;
  /** Never stop before this iteration. */
  minIterations: number;
}

export class ChangeMonitor {
  private previous: Uint8Array | undefined;
  /** The mean change of every completed window, in order (for logs and tests). */
  readonly changes: { iteration: number; change: number }[] = [];

  constructor(private readonly rule: StopRule) {
    if (!(Number.isInteger(rule.window) && rule.window >= 1)) throw new RangeError(`window must be a whole number ≥ 1, got ${rule.window}`);
    if (!(rule.threshold >= 0)) throw new RangeError(`threshold must be ≥ 0, got ${rule.threshold}`);
  }

  /** The levels before the first iteration. */
  start(levels: Uint8Array): void {
    this.previous = levels;
  }

  /**
   * After iteration `it` (1-based); `levels` is called only on a window's last iteration.
   * True when the pass should stop now.
   */
  observe(it: number, levels: () => Uint8Array): boolean {
    if (it % this.rule.window !== 0) return false;
    const now = levels();
    const before = this.previous;
    this.previous = now;
    if (!before) return false;
    const change = meanAbsDifference(now, before);
    this.changes.push({ iteration: it, change });
    return it >= this.rule.minIterations && change < this.rule.threshold;
  }
}

function meanAbsDifference(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length) throw new RangeError(`level arrays differ in length: ${a.length} vs ${b.length}`);
  let s = 0;
  for (let i = 0; i < a.length; i++) s += Math.abs(a[i] - b[i]);
  return a.length ? s / a.length : 0;
}
