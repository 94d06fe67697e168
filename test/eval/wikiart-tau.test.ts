import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseWikiartTau } from '../../eval/wikiart-tau.js';
import { PainterlyError } from '../../shared/errors.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

describe('parseWikiartTau', () => {
  it('reads the original τ table from the team kit', () => {
    const text = readFileSync(path.resolve(repoRoot, '../shared/dph-examples/data/wikiart_output.txt'), 'utf8');
    const tau = parseWikiartTau(text);
    expect(tau.size).toBe(25);
    expect(tau.get(0)).toBeCloseTo(1.20393, 6);
    expect(tau.get(5)).toBeCloseTo(9.982656, 6);
    expect(tau.get(16)).toBeCloseTo(1.018541, 6);
    for (let k = 0; k < tau.size; k++) expect(tau.has(k)).toBe(true);
  });

  it('accepts CRLF line ends and labels with spaces and parentheses, and rejects other lines', () => {
    const tau = parseWikiartTau('idx=0, classified label=Art Nouveau (Modern), weight=1.5\r\nidx=12, classified label=Cubism, weight=9\r\n');
    expect([...tau]).toEqual([
      [0, 1.5],
      [12, 9],
    ]);
    expect(() => parseWikiartTau('idx=1, weight=abc')).toThrow(PainterlyError);
    expect(() => parseWikiartTau('idx=1, weight=2\nnot a line')).toThrow(/Line 2/);
  });
});
