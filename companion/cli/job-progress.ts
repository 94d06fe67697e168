// A pipeline's progress on the CLI: each stage's label and unit come from the stage table
// (shared/stages.ts), as the panel's do.
import { STAGES } from '../../shared/stages.js';
import type { Progress } from '../pipeline/types.js';
import type { ProgressBar } from './progress-bar.js';

/** Shows `p` on the bar (nothing for the job's end, which the command reports itself). */
export function showJobProgress(bar: ProgressBar, p: Progress): void {
  if (p.stage === 'done') return;
  const { label, unit } = STAGES[p.stage];
  if (p.total > 0) bar.update({ label, current: p.iteration, total: p.total, etaSeconds: p.etaSeconds, unit });
  else bar.update({ label, current: 0, etaSeconds: p.etaSeconds });
}

/** One line for a batch's job: "Pass 1 of 2: painting 40/200". */
export function jobProgressText(p: Progress): string {
  const step = p.total > 0 ? ` ${p.iteration}/${p.total}` : '';
  return `${STAGES[p.stage].label}${step}`;
}
