import { describe, expect, it } from 'vitest';
import { PREVIEW_POLICY, STAGE_IDS, STAGES, isStageId, jobFraction, stageInfo, type StageId } from '../../shared/stages.js';

/** The stages each pipeline emits, in order (companion/pipeline/harmonize/harmonize.ts, photo-style/photo-style.ts). */
const HARMONIZE: StageId[] = ['loading-model', 'preparing', 'matching-1', 'pass-1', 'matching-2', 'pass-2', 'post-processing', 'done'];
const PHOTO_STYLE: StageId[] = ['loading-model', 'style-targets', 'stage-1', 'matting-laplacian', 'stage-2', 'smoothing', 'done'];

describe('the stage table', () => {
  it('gives every stage a label and a place on the bar inside [0, 1]', () => {
    for (const id of STAGE_IDS) {
      const s = STAGES[id];
      expect(s.label.length, id).toBeGreaterThan(0);
      expect(s.start >= 0 && s.share >= 0 && s.start + s.share <= 1, id).toBe(true);
    }
  });

  it('fills the bar once over each pipeline\'s stages, never going back', () => {
    for (const order of [HARMONIZE, PHOTO_STYLE]) {
      const points = order.flatMap((id) => [jobFraction(id, 0, 10), jobFraction(id, 10, 10)]);
      for (let i = 1; i < points.length; i++) expect(points[i], `${order[Math.floor(i / 2)]}`).toBeGreaterThanOrEqual(points[i - 1]);
      expect(points[0]).toBe(0);
      expect(points.at(-1)).toBe(1);
    }
  });

  it('places a step within its stage: pass 2 at 40 of 100 is 70 % of the job', () => {
    expect(jobFraction('pass-2', 40, 100)).toBeCloseTo(0.7, 10);
    expect(jobFraction('pass-1', 0, 0)).toBe(0);
    expect(jobFraction('detail', 1, 4)).toBe(0.25);
  });

  it('counts the optimisations in iterations, native detail in levels, and the rest in steps', () => {
    expect(STAGE_IDS.filter((id) => STAGES[id].unit === 'it')).toEqual(['pass-1', 'pass-2', 'stage-1', 'stage-2']);
    expect(STAGES.detail.unit).toBe('levels');
    expect(STAGES['post-processing'].unit).toBe('steps');
  });

  it('shows a stage it does not know by its id, on an empty bar', () => {
    expect(isStageId('pass-1')).toBe(true);
    expect(isStageId('toString')).toBe(false);
    expect(stageInfo('a-newer-stage')).toEqual({ label: 'a-newer-stage', start: 0, share: 0 });
    expect(jobFraction('a-newer-stage', 5, 10)).toBe(0);
  });

  it('has one preview policy: at most one every 2 s, 256 px on the longer side', () => {
    expect(PREVIEW_POLICY).toEqual({ intervalMs: 2000, maxSide: 256 });
  });
});
