// docs/errors.md is the reference of the error codes: it lists every code of shared/errors.ts
// with its sentence, and no code that does not exist.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../shared/errors.js';

const doc = readFileSync(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../docs/errors.md'), 'utf8');
const rows = new Map([...doc.matchAll(/^\| `([A-Z_]+)` \| (.+) \|$/gm)].map((m) => [m[1], m[2]]));

describe('docs/errors.md', () => {
  it('lists every error code with its sentence', () => {
    for (const [code, sentence] of Object.entries(ERROR_CODES)) expect(rows.get(code), code).toBe(sentence);
  });

  it('lists no code that the companion does not have', () => {
    expect([...rows.keys()].filter((code) => !(code in ERROR_CODES))).toEqual([]);
    expect(rows.size).toBe(Object.keys(ERROR_CODES).length);
  });
});
