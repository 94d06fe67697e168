import { describe, expect, it } from 'vitest';
import { jobProgressText, showJobProgress } from '../../../companion/cli/job-progress.js';
import type { ProgressUpdate } from '../../../companion/cli/progress-bar.js';

function recorder() {
  const updates: ProgressUpdate[] = [];
  return { updates, bar: { update: (u: ProgressUpdate) => updates.push(u), done: () => {} } };
}

describe('showJobProgress', () => {
  it('shows a stage by the label and unit of the stage table', () => {
    const { updates, bar } = recorder();
    showJobProgress(bar, { stage: 'pass-1', iteration: 3, total: 10, etaSeconds: 65 });
    showJobProgress(bar, { stage: 'detail', iteration: 1, total: 2 });
    showJobProgress(bar, { stage: 'matching-2', iteration: 0, total: 0, etaSeconds: 9 });
    expect(updates).toEqual([
      { label: 'Pass 1 of 2: painting', current: 3, total: 10, etaSeconds: 65, unit: 'it' },
      { label: 'Refining detail to the document’s resolution', current: 1, total: 2, etaSeconds: undefined, unit: 'levels' },
      { label: 'Matching brush strokes', current: 0, etaSeconds: 9 },
    ]);
  });

  it('leaves the job\'s end to the command', () => {
    const { updates, bar } = recorder();
    showJobProgress(bar, { stage: 'done', iteration: 0, total: 0, etaSeconds: 0 });
    expect(updates).toEqual([]);
  });
});

describe('jobProgressText', () => {
  it('words a step for a batch line', () => {
    expect(jobProgressText({ stage: 'stage-2', iteration: 4, total: 9 })).toBe('Stage 2 of 2 4/9');
    expect(jobProgressText({ stage: 'preparing', iteration: 0, total: 0 })).toBe('Preparing');
  });
});
