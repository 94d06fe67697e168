// Long loops in slices: UXP has no workers, so a conversion of millions of pixels on the panel's
// one thread would freeze its progress bar and its Cancel button. Work is done a block of rows at
// a time, yielding to the UI whenever a slice has run for SLICE_MS.

/** Longest a slice runs before the panel gets the thread back (well under the ~50 ms a person notices). */
export const SLICE_MS = 12;

const now = (): number => (typeof performance !== 'undefined' ? performance.now() : Date.now());

/** Lets the UI run: input, drawing, timers. */
export function yieldToUi(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/**
 * Calls `work(row0, row1)` over [0, rows) in blocks of `rowsPerBlock`, yielding between blocks
 * once SLICE_MS have passed. `cancelled()` stops it (it then resolves false).
 */
export async function inSlices(rows: number, rowsPerBlock: number, work: (row0: number, row1: number) => void, cancelled: () => boolean = () => false): Promise<boolean> {
  let start = now();
  for (let r = 0; r < rows; r += rowsPerBlock) {
    if (cancelled()) return false;
    work(r, Math.min(rows, r + rowsPerBlock));
    if (now() - start >= SLICE_MS) {
      await yieldToUi();
      start = now();
    }
  }
  return !cancelled();
}

/** Rows per block so that a block holds about `pixels` pixels (at least one row). */
export function rowsFor(width: number, pixels = 65_536): number {
  return Math.max(1, Math.floor(pixels / Math.max(1, width)));
}
