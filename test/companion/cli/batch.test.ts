// `painterly batch` as a user runs it: a real process, the kit's SqueezeNet at tiny sizes, a
// failing job in the middle (a corrupt image, a size mismatch, a missing mask), skip and --force,
// a manifest with per-job options, and Ctrl-C.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { KIT, kitWeights } from '../../../eval/shared-kit.js';
import { runCli } from '../../support/run-cli.js';

const root = mkdtempSync(join(tmpdir(), 'painterly-batch-'));
const data = join(KIT, 'dph-examples', 'data');
const SIDE = 120;
const TINY = ['--backbone', 'squeezenet', '--weights', kitWeights('squeezenet')!, '--device', 'cpu', '--size', '96', '--pass1-iters', '4', '--pass2-iters', '4', '--no-post-process'];
const run = (args: string[], opts: { interruptOn?: RegExp } = {}) => runCli(args, { ...opts, env: { PAINTERLY_CACHE_DIR: join(root, 'cache') } });

/** Writes example `k` of the kit, `SIDE` px wide, as NAME_painting/composite/mask.png. */
async function writeJob(dir: string, name: string, k: number, width = SIDE): Promise<void> {
  for (const [role, file] of [['painting', 'target.jpg'], ['composite', 'naive.jpg'], ['mask', 'c_mask.jpg']] as const) {
    await sharp(join(data, `${k}_${file}`)).resize(role === 'composite' ? width : SIDE).png().toFile(join(dir, `${name}_${role}.png`));
  }
}

const jobLines = (stderr: string) => stderr.split('\n').filter((l) => /^\[\d+\/\d+\] /.test(l));
const mtime = (f: string) => statSync(f).mtimeMs;

describe('painterly batch on a folder', () => {
  const dir = join(root, 'jobs');
  const out = join(dir, 'harmonized');
  beforeAll(async () => {
    mkdirSync(dir, { recursive: true });
    await writeJob(dir, 'a_first', 16);
    await writeJob(dir, 'b_corrupt', 1);
    writeFileSync(join(dir, 'b_corrupt_painting.png'), 'not an image');
    await writeJob(dir, 'c_sizes', 5, 100);
    await writeJob(dir, 'd_nomask', 1);
    unlinkSync(join(dir, 'd_nomask_mask.png'));
    await writeJob(dir, 'e_last', 1);
  });

  it('runs every job in order with one line each, keeps going past failures, and ends with a table and exit code 1', async () => {
    const r = await run(['batch', dir, ...TINY]);
    expect(r.code).toBe(1);
    expect(r.stderr.match(/^Loaded squeezenet on cpu; running 5 jobs\.$/gm)).toHaveLength(1); // the model, once
    const lines = jobLines(r.stderr);
    expect(lines.map((l) => l.replace(/: .*/, ''))).toEqual(['[1/5] a_first', '[2/5] b_corrupt', '[3/5] c_sizes', '[4/5] d_nomask', '[5/5] e_last']);
    expect(lines[0]).toMatch(/^\[1\/5\] a_first: done in \d+ s, τ \d+(\.\d)? \(auto\) → .*a_first\.png · batch about .* left$/);
    expect(lines[1]).toMatch(/FAILED: IMAGE_UNREADABLE: .*b_corrupt_painting\.png/);
    expect(lines[2]).toMatch(/FAILED: SIZE_MISMATCH: .*120×\d+.*100×\d+/);
    expect(lines[3]).toMatch(/FAILED: FILE_NOT_FOUND: /);
    expect(lines[4]).toMatch(/^\[5\/5\] e_last: done in/);
    const table = r.stdout.trim().split('\n');
    expect(table[0]).toMatch(/^Batch: 2 done, 3 failed \(5 jobs, .*\)$/);
    expect(table.slice(2).map((l) => l.trim().split(/\s+/).slice(0, 2))).toEqual([
      ['a_first', 'done'], ['b_corrupt', 'FAILED'], ['c_sizes', 'FAILED'], ['d_nomask', 'FAILED'], ['e_last', 'done'],
    ]);
    for (const name of ['a_first', 'e_last']) {
      const meta = await sharp(join(out, `${name}.png`)).metadata();
      expect([meta.format, meta.width]).toEqual(['png', SIDE]);
    }
    // Only finished outputs are there: no temporary files, nothing for the failed jobs.
    expect(readdirSync(out).sort()).toEqual(['a_first.png', 'e_last.png']);
  });

  it('skips jobs whose output exists, and --force redoes them', async () => {
    const first = mtime(join(out, 'a_first.png'));
    const again = await run(['batch', dir, ...TINY]);
    expect(jobLines(again.stderr)[0]).toMatch(/^\[1\/5\] a_first: skipped, .*a_first\.png exists$/);
    expect(again.stdout).toMatch(/^Batch: 0 done, 2 skipped, 3 failed \(5 jobs/);
    expect(again.stdout).toMatch(/a_first +skipped +.*a_first\.png exists \(--force redoes it\)/);
    expect(mtime(join(out, 'a_first.png'))).toBe(first);
    expect(again.code).toBe(1);
    const forced = await run(['batch', dir, '--force', ...TINY]);
    expect(jobLines(forced.stderr)[0]).toMatch(/a_first: done in/);
    expect(mtime(join(out, 'a_first.png'))).toBeGreaterThan(first);
  });
});

describe('painterly batch on a manifest', () => {
  const dir = join(root, 'manifest');
  beforeAll(async () => {
    mkdirSync(join(dir, 'in'), { recursive: true });
    await writeJob(join(dir, 'in'), 'x', 16);
    await writeJob(join(dir, 'in'), 'y', 1);
  });

  it('runs JSON jobs with their own options and outputs, and exits 0 when all are done', async () => {
    const jobs = [
      { name: 'x', painting: 'in/x_painting.png', composite: 'in/x_composite.png', mask: 'in/x_mask.png', out: 'results/x.jpg', tau: 9 },
      { name: 'y', painting: 'in/y_painting.png', composite: 'in/y_composite.png', mask: 'in/y_mask.png', size: 64, pass1Iters: 2 },
    ];
    writeFileSync(join(dir, 'jobs.json'), JSON.stringify({ jobs }));
    const r = await run(['batch', join(dir, 'jobs.json'), ...TINY]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Batch: 2 done, 0 failed \(2 jobs/);
    expect((await sharp(join(dir, 'results/x.jpg')).metadata()).format).toBe('jpeg');
    expect(existsSync(join(dir, 'harmonized/y.png'))).toBe(true);
  });

  it('refuses a manifest with a bad option before loading the model, naming the job and the option', async () => {
    writeFileSync(join(dir, 'bad.csv'), 'name,painting,composite,mask,tau\nx,in/x_painting.png,in/x_composite.png,in/x_mask.png,5\ny,in/y_painting.png,in/y_composite.png,in/y_mask.png,50\n');
    const r = await run(['batch', join(dir, 'bad.csv'), ...TINY]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe('painterly: BAD_ARGUMENT: Expected a number from 1 to 20, or \'auto\' for `row 3, column tau`, got 50 (number).');
  });
});

describe('Ctrl-C in a batch', () => {
  it('stops the running job without writing it, runs no more jobs, and exits 130', async () => {
    const dir = join(root, 'stop');
    mkdirSync(dir, { recursive: true });
    await writeJob(dir, 'long', 16);
    await writeJob(dir, 'next', 1);
    const r = await run(['batch', dir, ...TINY, '--pass1-iters', '10000'], { interruptOn: /^Loaded /m });
    expect(r.code).toBe(130);
    expect(jobLines(r.stderr)).toEqual(['[1/2] long: cancelled (no output written)']);
    expect(r.stdout).toMatch(/long +cancelled/);
    expect(r.stdout).toMatch(/next +not run/);
    expect(existsSync(join(dir, 'harmonized')) ? readdirSync(join(dir, 'harmonized')) : []).toEqual([]);
  });
});
