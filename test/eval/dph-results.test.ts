import { describe, expect, it } from 'vitest';
import {
  compareResults,
  formatComparison,
  mergeResults,
  readResults,
  parseResults,
  summariseExample,
  summariseOverall,
  type DphEvalResults,
  type RunFigures,
} from '../../eval/dph-results.js';

function run(repeat: number, colour: number, structure: number): RunFigures {
  return { repeat, colour, structure, deltaE: colour * 20, deltaENaive: 20, dissimilarity: structure / 10, dissimilarityNaive: 0.1, seconds: 1 };
}

function results(examples: Record<number, [number, number][]>, config: Partial<DphEvalResults['config']> = {}): DphEvalResults {
  const ex = Object.entries(examples).map(([k, figs]) => summariseExample(Number(k), 5, figs.map(([c, s], r) => run(r, c, s))));
  return {
    kind: 'painterly-dph-eval', version: 1, started: '2025-01-01T00:00:00.000Z', seconds: 10, complete: true, examples: ex, overall: summariseOverall(ex),
    config: { backbone: 'squeezenet', size: 350, pass1Iters: 300, pass2Iters: 300, repeats: 3, device: 'cpu', weightsFile: null, commit: 'abc1234', ...config },
  };
}

describe('summaries', () => {
  it('give each example its mean and sd over repeats', () => {
    const e = summariseExample(4, 2, [run(0, 0.5, 1), run(1, 0.7, 1.2), run(2, 0.6, 1.1)]);
    expect(e.colour.mean).toBeCloseTo(0.6, 12);
    expect(e.colour.sd).toBeCloseTo(0.1, 12);
    expect(e.structure.mean).toBeCloseTo(1.1, 12);
    expect(e.structure.n).toBe(3);
  });

  it('pair repeats by their index and use only the repeats every example has', () => {
    const a = summariseExample(0, 1, [run(1, 0.3, 1), run(0, 0.1, 1)]); // stored out of order
    const b = summariseExample(1, 1, [run(0, 0.5, 1), run(1, 0.5, 1), run(2, 9, 9)]);
    const o = summariseOverall([a, b])!;
    expect(o.colour.perRepeat[0]).toBeCloseTo(0.3, 12); // (0.1 + 0.5) / 2
    expect(o.colour.perRepeat[1]).toBeCloseTo(0.4, 12); // (0.3 + 0.5) / 2
    expect(o.colour.perRepeat).toHaveLength(2);
    expect(summariseOverall([])).toBeNull();
  });
});

describe('parseResults', () => {
  it('reads back what JSON.stringify wrote, one-repeat runs (sd null) included', () => {
    const r = results({ 0: [[0.5, 1]], 3: [[0.7, 0.9]] }, { repeats: 1 });
    const back = parseResults(JSON.stringify(r), 'r.json');
    expect(back.examples[1].colour).toEqual({ mean: 0.7, sd: null, n: 1 });
    expect(back.overall!.colour.mean).toBeCloseTo(0.6, 12);
  });

  it('recomputes the per-example summaries from the runs', () => {
    const r = results({ 0: [[0.5, 1], [0.7, 1]] });
    r.examples[0].colour = { mean: 42, sd: 0, n: 2 };
    expect(parseResults(JSON.stringify(r), 'r.json').examples[0].colour.mean).toBeCloseTo(0.6, 12);
  });

  it('says what is wrong with other files', () => {
    expect(() => parseResults('{', 'a.json')).toThrow(/a.json is not JSON/);
    expect(() => parseResults('{"kind":"something"}', 'b.json')).toThrow(/b.json is not a results file/);
    const bad = results({ 2: [[0.5, 1]] });
    (bad.examples[0].runs[0] as { colour: unknown }).colour = 'x';
    expect(() => parseResults(JSON.stringify(bad), 'c.json')).toThrow(/c.json: example 2 has malformed runs/);
  });
});

describe('compareResults', () => {
  // Example 0 moves by far more than its spread; example 1 by less; example 2 only in A, 3 only in B.
  const a = results({ 0: [[0.50, 1.0], [0.52, 1.0], [0.48, 1.0]], 1: [[0.8, 1.2], [0.9, 1.0], [0.7, 1.1]], 2: [[0.1, 0.1], [0.1, 0.1], [0.1, 0.1]] });
  const b = results({ 0: [[0.30, 1.0], [0.32, 1.0], [0.28, 1.0]], 1: [[0.85, 1.2], [0.95, 1.0], [0.75, 1.1]], 3: [[0.1, 0.1], [0.1, 0.1], [0.1, 0.1]] }, { commit: 'def5678' });
  const c = compareResults(a, b);

  it('lists changed settings and the examples only one side has', () => {
    expect(c.configChanges).toEqual(['commit: abc1234 → def5678']);
    expect(c.onlyA).toEqual([2]);
    expect(c.onlyB).toEqual([3]);
    expect(c.examples.map((e) => e.example)).toEqual([0, 1]);
  });

  it('marks only the differences beyond twice the combined spread', () => {
    const [e0, e1] = c.examples;
    expect(e0.colour.diff).toBeCloseTo(-0.2, 12);
    expect(e0.colour.combined).toBeCloseTo(Math.hypot(0.02, 0.02), 12);
    expect(e0.colour.exceeds).toBe(true);
    expect(e1.colour.diff).toBeCloseTo(0.05, 12);
    expect(e1.colour.exceeds).toBe(false); // 0.05 < 2 × √(0.1² + 0.1²)
    // Identical structure with zero spread on both sides: no difference, nothing marked.
    expect(e0.structure).toMatchObject({ diff: 0, combined: 0, exceeds: false });
  });

  it('computes the overall figures over the common examples only', () => {
    expect(c.overall!.colour.a.mean).toBeCloseTo((0.5 + 0.8) / 2, 12);
    expect(c.overall!.colour.b.mean).toBeCloseTo((0.3 + 0.85) / 2, 12);
    const lines = formatComparison(c, 'A.json', 'B.json');
    expect(lines).toContain('settings that differ: commit: abc1234 → def5678');
    const row0 = lines.find((l) => l.trimStart().startsWith('0 |'))!;
    expect(row0.split('|')[1]).toContain('*');
    const row1 = lines.find((l) => l.trimStart().startsWith('1 |'))!;
    expect(row1.split('|')[1]).not.toContain('*');
  });
});

describe('mergeResults', () => {
  const a = results({ 0: [[0.5, 1], [0.7, 1]], 1: [[0.2, 1], [0.2, 1]] });
  const b = { ...results({ 1: [[9, 9], [9, 9]], 2: [[0.3, 1], [0.5, 1]] }), started: '2024-12-31T00:00:00.000Z', seconds: 30, complete: false };

  it('joins the parts’ examples, the first part winning, and recomputes the overall figures', () => {
    const m = mergeResults([a, b], ['a.json', 'b.json']);
    expect(m.examples.map((e) => e.example)).toEqual([0, 1, 2]);
    expect(m.examples[1].colour.mean).toBeCloseTo(0.2, 12);
    expect(m.overall!.colour.mean).toBeCloseTo((0.6 + 0.2 + 0.4) / 3, 12);
    expect(m.started).toBe('2024-12-31T00:00:00.000Z');
    expect(m.seconds).toBe(30);
    expect(m.complete).toBe(false);
  });

  it('accepts other commits only where the pipeline is the same', () => {
    const later = { ...b, config: { ...b.config, commit: 'fff0000' } };
    expect(() => mergeResults([a, later], ['a.json', 'later.json'])).toThrow(/commit: abc1234 → fff0000/);
    const m = mergeResults([a, later], ['a.json', 'later.json'], (x, y) => [x, y].sort().join() === 'abc1234,fff0000');
    expect(m.examples).toHaveLength(3);
    expect(m.config.commit).toBe('abc1234');
  });

  it('joins parts with different repeat counts: each example keeps its runs, the overall figures use the repeats all have', () => {
    const one = results({ 3: [[0.9, 2]] }, { repeats: 1 });
    const m = mergeResults([a, one], ['a.json', 'one.json']);
    expect(m.config.repeats).toBe(1);
    expect(m.examples.find((e) => e.example === 0)!.runs).toHaveLength(2);
    // Repeat 0 only: examples 0, 1, 3 give 0.5, 0.2, 0.9.
    expect(m.overall!.colour.mean).toBeCloseTo((0.5 + 0.2 + 0.9) / 3, 12);
  });

  it('refuses parts run with other settings', () => {
    const c = results({ 3: [[0.1, 1], [0.1, 1]] }, { pass2Iters: 1000 });
    expect(() => mergeResults([a, c], ['a.json', 'c.json'])).toThrow(/c.json was run with other settings than a.json \(pass2Iters: 300 → 1000\)/);
  });
});

describe('readResults', () => {
  it('names a missing results file in a FILE_NOT_FOUND error instead of failing with a stack trace', async () => {
    await expect(readResults('/nonexistent/painterly-results.json')).rejects.toMatchObject({
      code: 'FILE_NOT_FOUND',
      message: expect.stringContaining('/nonexistent/painterly-results.json'),
    });
  });
});
