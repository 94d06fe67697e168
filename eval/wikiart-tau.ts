// The original's per-example stylisation level τ (`wikiart_output.txt`), read by the evaluation.
import { PainterlyError } from '../shared/errors.js';

/**
 * τ per example from the original's `wikiart_output.txt`, lines like
 * `idx=3, classified label=Post-Impressionism, weight=5.498451`. The original picks the line by
 * its position; the file lists idx 0, 1, 2, … in order, so keying by idx gives the same values.
 */
export function parseWikiartTau(text: string): Map<number, number> {
  const out = new Map<number, number>();
  text.split(/\r?\n/).forEach((line, i) => {
    if (line.trim() === '') return;
    const m = /^\s*idx\s*=\s*(\d+)\s*,.*weight\s*=\s*([-+0-9.eE]+)\s*$/.exec(line);
    const tau = m ? Number(m[2]) : NaN;
    if (!m || !Number.isFinite(tau)) {
      throw new PainterlyError('BAD_ARGUMENT', `Line ${i + 1} of the τ table is not "idx=K, …, weight=T": ${line.slice(0, 80)}`);
    }
    out.set(Number(m[1]), tau);
  });
  return out;
}
