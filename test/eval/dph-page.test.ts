import { describe, expect, it } from 'vitest';
import { htmlPage, PANELS } from '../../eval/dph-page.js';
import { summariseExample, summariseOverall, type DphEvalResults } from '../../eval/dph-results.js';

const run = (repeat: number, colour: number, structure: number) => ({ repeat, colour, structure, deltaE: 1, deltaENaive: 2, dissimilarity: 0.1, dissimilarityNaive: 0.2, seconds: 1 });

describe('htmlPage', () => {
  const examples = [summariseExample(7, 9.86, [run(0, 0.5, 1.25), run(1, 0.7, 1.05)]), summariseExample(16, 1.02, [run(0, 0.4, 0.6), run(1, 0.4, 0.8)])];
  const r: DphEvalResults = {
    kind: 'painterly-dph-eval', version: 1, started: '', seconds: 1, complete: false, examples, overall: summariseOverall(examples),
    config: { backbone: 'vgg19-shallow', size: 350, pass1Iters: 300, pass2Iters: 300, repeats: 2, device: 'cpu', weightsFile: null, commit: 'abc<1>' },
  };
  const page = htmlPage(r, [{ example: 7, strip: 'strips/7_vgg19-shallow_350.png' }, { example: 16, strip: 'strips/16_vgg19-shallow_350.png' }]);

  it('shows every strip with its example’s figures, under the panel names', () => {
    expect(page).toContain('<img src="strips/7_vgg19-shallow_350.png"');
    expect(page).toContain('<img src="strips/16_vgg19-shallow_350.png"');
    expect(page).toContain('τ 9.86 · colour 0.600 ± 0.141 · structure 1.150 ± 0.141');
    for (const p of PANELS) expect(page).toContain(`<span>${p}</span>`);
    // Per repeat: (0.5 + 0.4) / 2 and (0.7 + 0.4) / 2, so 0.5 ± √(2 · 0.05²).
    expect(page).toContain('colour <b>0.500 ± 0.071</b>');
  });

  it('says when the run is incomplete and escapes what it prints', () => {
    expect(page).toContain('run still going or interrupted');
    expect(page).toContain('commit abc&lt;1&gt;');
    expect(page).not.toContain('abc<1>');
  });
});
