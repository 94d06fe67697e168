// `painterly tau` as a user runs it: the estimate's words, then the number alone on the last line.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readImage } from '../../../companion/image/io.js';
import { estimateTau } from '../../../companion/tau/estimate.js';
import { KIT } from '../../../eval/shared-kit.js';
import { runCli } from '../../support/run-cli.js';

const painting = (k: number): string => join(KIT, 'dph-examples', 'data', `${k}_target.jpg`);
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'painterly-tau-cli-'));
  await writeFile(join(dir, 'broken.jpg'), Buffer.from('not a jpeg at all'));
});

describe('painterly tau', () => {
  it('prints what it took the painting for, and τ alone on the last line, the same as a job would use', async () => {
    for (const k of [15, 22]) {
      const r = await runCli(['tau', '--painting', painting(k)]);
      expect(r.code).toBe(0);
      const lines = r.stdout.trim().split('\n');
      const expected = estimateTau(await readImage(painting(k)));
      expect(lines.at(-1)).toBe(String(expected.tau));
      expect(lines[0]).toContain(expected.words);
      expect(lines).toHaveLength(2);
    }
  });

  it('with --verbose also prints the measurements it decided on', async () => {
    const r = await runCli(['tau', '--painting', painting(15), '--verbose']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/smooth share\s+0\.\d+/);
    expect(r.stdout).toMatch(/stroke coherence\s+0\.\d+/);
    expect(r.stdout).toMatch(/P\(realistic\)\s+0\.\d+/);
    expect(Number(r.stdout.trim().split('\n').at(-1))).toBeGreaterThanOrEqual(1);
  });

  const bad: [string, string[], RegExp][] = [
    ['no painting', ['tau'], /BAD_ARGUMENT: --painting is required/],
    ['a missing file', ['tau', '--painting', '/nonexistent/p.jpg'], /FILE_NOT_FOUND/],
    ['an unreadable image', ['tau', '--painting', '__broken__'], /IMAGE_UNREADABLE: .*broken\.jpg/],
  ];
  for (const [what, args, message] of bad) {
    it(`answers ${what} with one clear line and exit code 1`, async () => {
      const r = await runCli(args.map((a) => (a === '__broken__' ? join(dir, 'broken.jpg') : a)));
      expect(r.code).toBe(1);
      const lines = r.stderr.split('\n').filter((l) => l.startsWith('painterly:'));
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(message);
    });
  }
});
