// What a batch's jobs are: a folder's NAME_painting/NAME_composite/NAME_mask files, or a JSON or
// CSV manifest whose per-job options are checked by the same option table as the command line;
// and how a run reports (ETA, summary), with a stand-in pipeline and a fake clock.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PainterlyError } from '../../../shared/errors.js';
import { readBatchJobs, type BatchJob } from '../../../companion/cli/batch-jobs.js';
import { runBatch, summaryLines } from '../../../companion/cli/batch-run.js';

const root = mkdtempSync(join(tmpdir(), 'painterly-batch-jobs-'));
let n = 0;
function folder(files: Record<string, string>): string {
  const dir = join(root, `f${++n}`);
  mkdirSync(dir, { recursive: true });
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}
const refusal = (fn: () => unknown): PainterlyError => {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(PainterlyError);
    return e as PainterlyError;
  }
  throw new Error('expected a refusal');
};

describe('a folder of jobs', () => {
  it('groups NAME_painting/NAME_composite/NAME_mask (+ NAME_dilated-mask) by name, in name order, with the command line’s options', () => {
    const dir = folder({ 'b_painting.jpg': '', 'b_composite.jpg': '', 'b_mask.png': '', 'a_painting.png': '', 'a_composite.png': '', 'a_mask.png': '', 'a_dilated-mask.png': '', 'notes.txt': '', 'c_thumb.png': '' });
    const jobs = readBatchJobs(dir, { mode: 'harmonize', tau: 3, quality: 'preview' });
    expect(jobs.map((j) => [j.name, j.out, j.problem])).toEqual([
      ['a', join(dir, 'harmonized/a.png'), undefined],
      ['b', join(dir, 'harmonized/b.png'), undefined],
    ]);
    expect(jobs[0]).toMatchObject({ painting: join(dir, 'a_painting.png'), dilatedMask: join(dir, 'a_dilated-mask.png') });
    expect(jobs[1].dilatedMask).toBeUndefined();
    expect(jobs[0].options).toMatchObject({ tau: 3, quality: 'preview', size: 350, pass1Iters: 200, backbone: 'vgg19' });
  });

  it('keeps a job with a missing or doubled file, to fail when its turn comes', () => {
    const dir = folder({ 'x_painting.png': '', 'x_composite.png': '', 'y_painting.png': '', 'y_composite.png': '', 'y_mask.png': '', 'y_mask.jpg': '' });
    const [x, y] = readBatchJobs(dir, { mode: 'harmonize' }, join(root, 'out'));
    expect(x.problem).toMatchObject({ code: 'FILE_NOT_FOUND', message: `Job x has no x_mask file in ${dir}.` });
    expect(y.problem).toMatchObject({ code: 'BAD_ARGUMENT', message: 'Job y has 2 mask files (y_mask.jpg, y_mask.png); keep one.' });
    expect(x.out).toBe(join(root, 'out/x.png'));
  });

  it('refuses a folder without jobs, and a JOBS that does not exist', () => {
    expect(refusal(() => readBatchJobs(folder({ 'a.png': '' }), { mode: 'harmonize' })).message).toMatch(/^No jobs in .*NAME_painting, NAME_composite and NAME_mask/);
    expect(refusal(() => readBatchJobs(join(root, 'nope'), { mode: 'harmonize' })).code).toBe('FILE_NOT_FOUND');
  });
});

describe('a JSON manifest', () => {
  const manifest = (data: unknown) => {
    const dir = folder({ 'jobs.json': JSON.stringify(data) });
    return join(dir, 'jobs.json');
  };

  it('reads a list (or {jobs}), resolves paths beside it, and lets each job override the command line', () => {
    const file = manifest({
      jobs: [
        { name: 'cat', painting: 'in/p.jpg', composite: 'in/cat_composite.jpg', mask: 'in/m.png', tau: 8, size: 128 },
        { painting: '/abs/p.jpg', composite: 'in/dog_composite.jpg', mask: 'in/m2.png', out: 'done/dog.jpg', postProcess: false },
      ],
    });
    const dir = join(file, '..');
    const [cat, dog] = readBatchJobs(file, { mode: 'harmonize', tau: 3, pass1Iters: 7 });
    expect(cat).toMatchObject({ name: 'cat', painting: join(dir, 'in/p.jpg'), out: join(dir, 'harmonized/cat.png') });
    expect(cat.options).toMatchObject({ tau: 8, size: 128, pass1Iters: 7, postProcess: true });
    expect(dog).toMatchObject({ name: 'dog', painting: '/abs/p.jpg', out: join(dir, 'done/dog.jpg') });
    expect(dog.options).toMatchObject({ tau: 3, size: 700, postProcess: false });
    expect(readBatchJobs(manifest([{ painting: 'p', composite: 'c', mask: 'm' }]), { mode: 'harmonize' })).toHaveLength(1);
  });

  it.each([
    [[{ painting: 'p', composite: 'c', mask: 'm', tau: 50 }], 'BAD_ARGUMENT', 'Expected a number from 1 to 20, or \'auto\' for `jobs[0].tau`, got 50 (number).'],
    [[{ painting: 'p', composite: 'c', mask: 'm', size: '350' }], 'BAD_ARGUMENT', "Expected an integer for `jobs[0].size`, got '350' (string)."],
    [[{ painting: 'p', composite: 'c', mask: 'm', quality: 'best' }], 'BAD_ARGUMENT', "Expected one of preview, full for `jobs[0].quality`, got 'best' (string)."],
    [[{ painting: 'p', composite: 'c', mask: 'm', smoothing: 'affine' }], 'BAD_ARGUMENT', 'Unknown field `jobs[0].smoothing`'],
    [[{ painting: 'p', composite: 'c', mask: 'm', backbone: 'squeezenet' }], 'BAD_ARGUMENT', "jobs[0].backbone: the backbone is the batch's"],
    [[{ painting: 'p', composite: 'c' }], 'BAD_ARGUMENT', 'jobs[0] has no mask.'],
    [[{ name: 'a', painting: 'p', composite: 'c', mask: 'm' }, { name: 'a', painting: 'p', composite: 'c', mask: 'm' }], 'BAD_ARGUMENT', 'Jobs a and a would both write'],
    [[{ name: '../x', painting: 'p', composite: 'c', mask: 'm' }], 'BAD_ARGUMENT', "name '../x' may hold letters"],
    [{ list: [] }, 'BAD_ARGUMENT', 'must hold a list of jobs'],
    [[], 'BAD_ARGUMENT', 'lists no jobs'],
  ])('refuses %j before anything runs (%s)', (data, code, message) => {
    const e = refusal(() => readBatchJobs(manifest(data), { mode: 'harmonize' }));
    expect(e.code).toBe(code);
    expect(e.message).toContain(message);
  });

  it('takes the same backbone as the batch', () => {
    expect(readBatchJobs(manifest([{ painting: 'p', composite: 'c', mask: 'm', backbone: 'squeezenet' }]), { mode: 'harmonize', backbone: 'squeezenet' })[0].options.backbone).toBe('squeezenet');
  });
});

describe('a CSV manifest', () => {
  const csv = (text: string) => {
    const dir = folder({ 'jobs.csv': text });
    return join(dir, 'jobs.csv');
  };

  it('reads a header row, option columns by name or flag, empty cells as not set, quoted cells', () => {
    const file = csv('name,painting,composite,mask,tau,pass1-iters,postProcess,out\ncat,p.jpg,"with, comma.jpg",m.png,8,,false,\ndog,p.jpg,c.jpg,m.png,,12,,dog.jpg\n');
    const [cat, dog] = readBatchJobs(file, { mode: 'harmonize', tau: 2, pass1Iters: 3 });
    expect(cat.composite).toBe(join(file, '..', 'with, comma.jpg'));
    expect(cat.options).toMatchObject({ tau: 8, pass1Iters: 3, postProcess: false });
    expect(dog.options).toMatchObject({ tau: 2, pass1Iters: 12, postProcess: true });
    expect(dog.out).toBe(join(file, '..', 'dog.jpg'));
  });

  it('names the row and column of a bad cell', () => {
    expect(refusal(() => readBatchJobs(csv('painting,composite,mask,tau\np,c,m,5\np,c2,m,strong\n'), { mode: 'harmonize' })).message).toBe(
      "Expected a number or 'auto' for `row 3, column tau`, got 'strong' (string).",
    );
    expect(refusal(() => readBatchJobs(csv('painting,composite,mask,colour\np,c,m,red\n'), { mode: 'harmonize' })).message).toContain('Unknown field `row 2, column colour`');
  });
});

describe('runBatch and the summary', () => {
  const job = (name: string, extra: Partial<BatchJob> = {}): BatchJob =>
    ({ name, painting: 'p', composite: 'c', mask: 'm', out: join(root, 'run', `${name}.png`), options: {} as BatchJob['options'], ...extra }) as BatchJob;

  it('prints one line per job with the batch’s time left from the jobs done so far, and keeps going past a failure', async () => {
    let t = 0;
    const lines: string[] = [];
    const results = await runBatch([job('a'), job('b', { problem: new PainterlyError('FILE_NOT_FOUND', 'Job b has no b_mask file.') }), job('c'), job('d')], {
      force: true,
      signal: new AbortController().signal,
      progress: { write: (s: string) => lines.push(s), isTTY: false },
      now: () => t,
      harmonizeJob: async (j) => {
        t += 10_000;
        // Job c's τ was read from its painting: its line says so.
        return { image: { width: 1, height: 1, channels: 3, data: new Float32Array(3) }, ...(j.name === 'c' ? { tau: { tau: 4.8, kind: 'impressionist' as const, words: 'loose brushwork' } } : {}) };
      },
      write: async (path) => writeFileSync(path, 'image'),
    });
    expect(lines).toEqual([
      `[1/4] a: done in 10 s → ${join(root, 'run/a.png')} · batch about 30 s left\n`,
      '[2/4] b: FAILED: FILE_NOT_FOUND: Job b has no b_mask file.\n',
      `[3/4] c: done in 10 s, τ 4.8 (auto) → ${join(root, 'run/c.png')} · batch about 10 s left\n`,
      `[4/4] d: done in 10 s → ${join(root, 'run/d.png')}\n`,
    ]);
    expect(results.map((r) => r.status)).toEqual(['done', 'failed', 'done', 'done']);
    const table = summaryLines(results, 31);
    expect(table[0]).toBe('Batch: 3 done, 1 failed (4 jobs, 31 s)');
    expect(table[1]).toMatch(/^ {2}job +result +time +output or error$/);
    expect(table[3]).toMatch(/^ {2}b +FAILED +1 s +FILE_NOT_FOUND: Job b has no b_mask file\.$/);
  });

  it('on a terminal redraws the job’s line with its stage and the batch’s time left, then ends it', async () => {
    let t = 0;
    let out = '';
    await runBatch([job('a'), job('b')], {
      force: true,
      signal: new AbortController().signal,
      progress: { write: (s: string) => (out += s), isTTY: true, columns: 100 },
      now: () => t,
      harmonizeJob: async (_job, hooks) => {
        t += 1000;
        hooks.onProgress?.({ stage: 'pass-1', iteration: 3, total: 10, etaSeconds: 9 });
        t += 9000;
        return { image: { width: 1, height: 1, channels: 3, data: new Float32Array(3) } };
      },
      write: async (path) => writeFileSync(path, 'image'),
    });
    // Job a: 1 s in, 9 s to go, one more job of about 10 s. Job b: the mean of a (10 s) is known.
    expect(out.split('\r').filter(Boolean)).toEqual([
      '[1/2] a: Pass 1 of 2: painting 3/10 · batch about 19 s left\x1b[K',
      `[1/2] a: done in 10 s → ${join(root, 'run/a.png')} · batch about 10 s left\x1b[K\n`,
      '[2/2] b: Pass 1 of 2: painting 3/10 · batch about 9 s left\x1b[K',
      `[2/2] b: done in 10 s → ${join(root, 'run/b.png')}\x1b[K\n`,
    ]);
  });
});
