// `npm run eval -- merge OUT.json A.json B.json … [--page DIR]`: one results file from the parts of
// a run split over processes (`npm run eval -- dph --examples … --json …` with the same --out),
// and, with --page, that folder's HTML page and contact sheet for all examples.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { PainterlyError } from '../shared/errors.js';
import { formatSpread, mergeResults, readResults } from './dph-results.js';
import { writeContactSheet, writePage } from './dph-page.js';
import { REPO_ROOT } from './shared-kit.js';

export async function main(argv: string[]): Promise<void> {
  const { values: v, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { page: { type: 'string' } } });
  if (positionals.length < 2) throw new PainterlyError('BAD_ARGUMENT', 'Usage: npm run eval -- merge OUT.json A.json B.json … [--page DIR]');
  const [outFile, ...inputs] = positionals;
  const parts = await Promise.all(inputs.map(readResults));
  const merged = mergeResults(parts, inputs, samePipeline);
  await writeFile(outFile, JSON.stringify(merged, null, 1));
  console.log(`${outFile}: ${merged.examples.length} examples (${merged.examples.map((e) => e.example).join(', ')})${merged.complete ? '' : ', some parts incomplete'}`);
  if (v.page) {
    const { backbone, size } = merged.config;
    const strips = merged.examples
      .map((e) => ({ example: e.example, strip: join('strips', `${e.example}_${backbone}_${size}.png`), file: join(v.page!, 'strips', `${e.example}_${backbone}_${size}.png`) }))
      .filter((s) => existsSync(s.file));
    const name = join(v.page, `dph-${backbone}-${size}`);
    await writePage(merged, strips, `${name}.html`);
    await writeContactSheet(merged, strips, `${name}-contact.png`);
    console.log(`page: ${name}.html, contact sheet: ${name}-contact.png (${strips.length} strips)`);
  }
  if (merged.overall) {
    console.log(`dph-quality: ${formatSpread(merged.overall.colour)}\ndph-structure: ${formatSpread(merged.overall.structure)}`);
  }
}

/** Two clean commits with no difference in the pipeline's code (companion/, shared/). */
function samePipeline(a: string, b: string): boolean {
  if (a.includes('+') || b.includes('+')) return a === b;
  try {
    execFileSync('git', ['diff', '--quiet', a, b, '--', 'companion', 'shared'], { cwd: REPO_ROOT, stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
