// The photo-style command as a user runs it: a real process, real files, exit codes and one-line errors.
import { describe, it, expect, beforeAll } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { KIT, kitWeights } from '../../../eval/shared-kit.js';
import { runCli } from '../../support/run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'painterly-photo-cli-'));
const data = join(KIT, 'dpst-examples');

const run = (args: string[], opts: { interruptOn?: RegExp } = {}) => runCli(args, { ...opts, env: { PAINTERLY_CACHE_DIR: join(dir, 'cache') } });

// Example 3: its style labels have a green region the content labels lack.
const f = {
  content: join(data, 'input/in3.png'), style: join(data, 'style/tar3.png'),
  contentLabels: join(data, 'segmentation/in3.png'), styleLabels: join(data, 'segmentation/tar3.png'),
};
const base = (out: string, files = f) => ['photo-style', '--content', files.content, '--style', files.style,
  '--content-labels', files.contentLabels, '--style-labels', files.styleLabels,
  '--backbone', 'vgg19-shallow', '--weights', kitWeights('vgg19-shallow')!, '--size', '64', '--device', 'cpu', '--out', out];

describe('painterly photo-style', () => {
  beforeAll(async () => {
    await sharp({ create: { width: 50, height: 40, channels: 3, background: '#000' } }).png().toFile(join(dir, 'small-labels.png'));
  });

  it('writes the result at the content photo\'s size and the stages, and notes the label found in the style only', async () => {
    const out = join(dir, 'out.png');
    const r = await run([...base(out), '--stage1-iters', '3', '--stage2-iters', '3', '--smooth', 'affine', '--save-stages', join(dir, 'stages')]);
    expect(r.stderr).not.toMatch(/Error|painterly:/);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/Note: Label green is in the style labels only/);
    const meta = await sharp(out).metadata();
    expect([meta.width, meta.height]).toEqual([700, 468]);
    for (const s of ['stage1', 'stage2', 'final']) expect((await sharp(join(dir, 'stages', `${s}.png`)).metadata()).width).toBe(64);
  });

  const bad: Array<[string, (out: string) => string[], RegExp]> = [
    ['a missing file', (o) => base(o, { ...f, style: join(dir, 'nope.png') }), /FILE_NOT_FOUND: .*nope\.png/],
    ['label images of another size', (o) => base(o, { ...f, contentLabels: join(dir, 'small-labels.png') }), /SIZE_MISMATCH: The content labels are 50×40 but the content photo is 700×468/],
    ['one label image without the other', (o) => base(o).filter((a, i, all) => a !== '--style-labels' && all[i - 1] !== '--style-labels'), /BAD_ARGUMENT: .*--style-labels is missing/],
    ['an unknown smoothing', (o) => [...base(o), '--smooth', 'blur'], /BAD_ARGUMENT: Expected one of affine, closed-form, none for `--smoothing`, got 'blur'/],
    ['a missing option', () => ['photo-style', '--content', f.content], /BAD_ARGUMENT: --style is required/],
  ];
  for (const [what, args, message] of bad) {
    it(`answers ${what} with one clear line and exit code 1`, async () => {
      const r = await run(args(join(dir, 'never.png')));
      expect(r.code).toBe(1);
      const lines = r.stderr.split('\n').filter((l) => l.startsWith('painterly:'));
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(message);
    });
  }

  it('stops on Ctrl-C during stage 1 and exits with 130', async () => {
    const r = await run([...base(join(dir, 'cancelled.png')), '--stage1-iters', '10000'], { interruptOn: /Stage 1 of 2/ });
    expect(r.code).toBe(130);
    expect(r.stderr).toMatch(/CANCELLED/);
  });
});
