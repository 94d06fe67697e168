// The harmonize command as a user runs it: a real process, real files, exit codes and one-line errors.
import { describe, it, expect, beforeAll } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { KIT, kitWeights } from '../../../eval/shared-kit.js';
import { runCli } from '../../support/run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'painterly-cli-'));
const data = join(KIT, 'dph-examples', 'data');

const run = (args: string[], opts: { interruptOn?: RegExp } = {}) => runCli(args, { ...opts, env: { PAINTERLY_CACHE_DIR: join(dir, 'cache') } });

const ex = (k: number, f: string) => join(data, `${k}_${f}`);
const base = (out: string) => ['harmonize', '--painting', ex(16, 'target.jpg'), '--composite', ex(16, 'naive.jpg'), '--mask', ex(16, 'c_mask.jpg'),
  '--backbone', 'squeezenet', '--weights', kitWeights('squeezenet')!, '--size', '96', '--device', 'cpu', '--out', out];

describe('painterly harmonize', () => {
  beforeAll(async () => {
    await sharp({ create: { width: 50, height: 40, channels: 3, background: '#808080' } }).png().toFile(join(dir, 'small.png'));
    await sharp({ create: { width: 700, height: 557, channels: 3, background: '#000' } }).png().toFile(join(dir, 'black.png'));
    writeFileSync(join(dir, 'broken.jpg'), 'not an image');
  });

  it('writes the harmonized image and the stages', async () => {
    const out = join(dir, 'out.png');
    const r = await run([...base(out), '--pass1-iters', '3', '--pass2-iters', '3', '--save-stages', join(dir, 'stages')]);
    expect(r.stderr).not.toMatch(/Error|painterly:/);
    expect(r.code).toBe(0);
    expect((await sharp(out).metadata()).width).toBe(700);
    for (const s of ['pass1', 'pass2', 'final']) expect((await sharp(join(dir, 'stages', `${s}.png`)).metadata()).width).toBe(96);
  });

  it('with --device auto prints no runtime noise: what GPU runtimes say while probed goes to the debug log', async () => {
    const out = join(dir, 'auto.png');
    const r = await run(base(out).filter((a, i, all) => a !== '--device' && all[i - 1] !== '--device').concat(['--pass1-iters', '2', '--pass2-iters', '2']));
    expect(r.code).toBe(0);
    expect(`${r.stdout}${r.stderr}`).not.toMatch(/warning|vulkan/i);
    expect(readFileSync(join(dir, 'cache', 'logs', 'debug.log'), 'utf8')).toContain('device probe (--device auto)');
  });

  const bad: Array<[string, (out: string) => string[], RegExp]> = [
    ['a missing file', (o) => base(o).map((a) => (a === ex(16, 'naive.jpg') ? join(dir, 'nope.jpg') : a)), /FILE_NOT_FOUND: .*nope\.jpg/],
    ['sizes that disagree', (o) => base(o).map((a) => (a === ex(16, 'naive.jpg') ? join(dir, 'small.png') : a)), /SIZE_MISMATCH: .*50×40/],
    ['an empty mask', (o) => base(o).map((a) => (a === ex(16, 'c_mask.jpg') ? join(dir, 'black.png') : a)), /EMPTY_MASK/],
    ['an unreadable image', (o) => base(o).map((a) => (a === ex(16, 'target.jpg') ? join(dir, 'broken.jpg') : a)), /IMAGE_UNREADABLE: .*broken\.jpg/],
    ['an unknown backbone', (o) => base(o).map((a) => (a === 'squeezenet' ? 'resnet' : a)), /UNKNOWN_BACKBONE: .*vgg19, vgg19-shallow, squeezenet, googlenet/],
    ['a missing option', () => ['harmonize', '--painting', 'x.jpg'], /BAD_ARGUMENT: --composite is required/],
    ['an unknown detail', (o) => [...base(o), '--detail', 'huge'], /BAD_ARGUMENT: Expected one of native, paper for `--detail`/],
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

  it('stops on Ctrl-C and exits non-zero', async () => {
    const r = await run([...base(join(dir, 'cancelled.png')), '--pass1-iters', '10000'], { interruptOn: /Pass 1 of 2/ });
    expect(r.code).toBe(130);
    expect(r.stderr).toMatch(/CANCELLED/);
  });
});
