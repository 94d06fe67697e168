// The first start: which model to get and the offer to download it (a y/N question on a terminal,
// --fetch-default for scripts, nothing asked without a terminal), a start-up text that fits one
// screen, and no runtime noise on it (the device probe's output goes to the debug log).
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PainterlyError } from '../../../shared/errors.js';
import { BACKBONES, type ModelInfo } from '../../../shared/catalogue.js';
import { offerDefaultModel, type FirstStartIO, type FirstStartSituation } from '../../../companion/cli/first-start.js';
import { bannerLines, tildify, wrap } from '../../../companion/cli/serve-banner.js';
import { MODEL_BASE_URL_ENV } from '../../../companion/compute/weights/sources.js';
import { startModelMirror, type ModelMirror } from '../../support/model-mirror.js';

const repoRoot = path.resolve(import.meta.dirname, '../../..');
const bin = path.join(repoRoot, 'bin/painterly.js');

const VGG19: ModelInfo = { name: 'vgg19', title: 'VGG-19', license: 'CC BY 4.0 (VGG page)', downloadBytes: 80_134_624, installed: false, backbones: ['vgg19', 'vgg19-shallow'], presets: ['Best', 'Faster'], hosts: ['github.com'] };
const SQUEEZENET: ModelInfo = { name: 'squeezenet', title: 'SqueezeNet 1.1', license: 'BSD-2-Clause', downloadBytes: 4_950_080, installed: false, backbones: ['squeezenet'], presets: ['Draft'], hosts: ['github.com'] };

/** npm start adds 4 lines of its own (a blank line, the script, a blank line) above ours. */
const OURS = 24 - 4;
/** Visual lines on an 80-column terminal. */
const screenLines = (text: string) => text.replace(/\n$/, '').split('\n').reduce((n, l) => n + Math.max(1, Math.ceil([...l.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '')].length / 80)), 0);

function fakeIO(answer: string, download: (m: string) => Promise<void> = async () => {}) {
  const printed: string[] = [];
  const asked: string[] = [];
  const downloads: string[] = [];
  const io: FirstStartIO = {
    ask: async (q) => {
      asked.push(q);
      return answer;
    },
    print: (l) => printed.push(l),
    download: async (m) => {
      downloads.push(m);
      await download(m);
    },
  };
  return { io, printed, asked, downloads };
}

const situation = (extra: Partial<FirstStartSituation> = {}): FirstStartSituation => ({ device: 'cpu', present: [], models: [VGG19, SQUEEZENET], fetchDefault: false, interactive: true, ...extra });

describe('offerDefaultModel', () => {
  it('on a terminal with no model, says which one and why, with size and licence, and asks y/N', async () => {
    const f = fakeIO('y');
    expect(await offerDefaultModel(situation(), f.io)).toBe('installed');
    expect(f.downloads).toEqual(['vgg19']);
    expect(f.asked).toEqual(['Download VGG-19 now (80.1 MB)? [y/N] ']);
    expect(f.printed.join('\n')).toMatch(/recommends VGG-19 \(80\.1 MB download\)[\s\S]*Faster preset is the closest to the paper[\s\S]*SqueezeNet is quicker,\s+a\s+draft[\s\S]*Licence: CC BY 4\.0/);
  });

  it('with a GPU gives the reason for the full network', async () => {
    const f = fakeIO('n');
    await offerDefaultModel(situation({ device: 'cuda' }), f.io);
    expect(f.printed.join('\n')).toContain('With a GPU its Best preset runs the paper’s own network');
  });

  it.each([['n'], [''], ['no'], ['maybe']])('takes %j as no: nothing is downloaded', async (answer) => {
    const f = fakeIO(answer);
    expect(await offerDefaultModel(situation(), f.io)).toBe('declined');
    expect(f.downloads).toEqual([]);
    expect(f.printed.at(-1)).toBe('Not downloaded.');
  });

  it('asks nothing without a terminal, or when any model is installed', async () => {
    const noTty = fakeIO('y');
    expect(await offerDefaultModel(situation({ interactive: false }), noTty.io)).toBe('not-asked');
    expect([...noTty.asked, ...noTty.printed, ...noTty.downloads]).toEqual([]);
    const hasOne = fakeIO('y');
    expect(await offerDefaultModel(situation({ present: ['squeezenet'] }), hasOne.io)).toBe('not-needed');
    expect([...hasOne.asked, ...hasOne.downloads]).toEqual([]);
  });

  it('reports a failed download and starts anyway; Ctrl-C during it stops', async () => {
    const failed = fakeIO('y', async () => {
      throw new PainterlyError('DOWNLOAD_FAILED', 'Could not install vgg19: every source failed.');
    });
    expect(await offerDefaultModel(situation(), failed.io)).toBe('failed');
    expect(failed.printed).toContain('painterly: DOWNLOAD_FAILED: Could not install vgg19: every source failed.');
    const stopped = fakeIO('y', async () => {
      throw new PainterlyError('CANCELLED');
    });
    await expect(offerDefaultModel(situation(), stopped.io)).rejects.toMatchObject({ code: 'CANCELLED' });
  });

  it('--fetch-default downloads the default model without asking (even with another installed), and a failure is an error', async () => {
    const f = fakeIO('n');
    expect(await offerDefaultModel(situation({ fetchDefault: true, interactive: false, present: ['squeezenet'] }), f.io)).toBe('installed');
    expect(f.asked).toEqual([]);
    expect(f.downloads).toEqual(['vgg19']);
    const installed = fakeIO('n');
    expect(await offerDefaultModel(situation({ fetchDefault: true, models: [{ ...VGG19, installed: true }] }), installed.io)).toBe('not-needed');
    expect(installed.downloads).toEqual([]);
    const failing = fakeIO('n', async () => {
      throw new PainterlyError('DOWNLOAD_FAILED', 'offline');
    });
    await expect(offerDefaultModel(situation({ fetchDefault: true }), failing.io)).rejects.toMatchObject({ code: 'DOWNLOAD_FAILED' });
  });
});

describe('wrap', () => {
  it('wraps words at the width with every line indented, and never splits a word', () => {
    expect(wrap('aaa bbb ccc ddd', 9, '  ')).toEqual(['  aaa bbb', '  ccc ddd']);
    expect(wrap('averyveryverylongword x', 8)).toEqual(['averyveryverylongword', 'x']);
  });
});

describe('the start-up text', () => {
  const info = {
    url: 'ws://127.0.0.1:47653',
    version: '0.1.0',
    device: 'cpu',
    notes: ['dml', 'cuda', 'webgpu', 'coreml'].map((d) => `${d}: not used (Device '${d}' could not run the model: ${'a very long runtime message '.repeat(8)})`),
    logFile: '/home/someone/.cache/painterly/logs/debug.log',
    backbones: { present: [], missing: [] },
    models: [VGG19, SQUEEZENET],
    modes: ['harmonize', 'photo-style'],
    token: 'f'.repeat(64),
    tokenFile: '/home/someone/.config/painterly/token',
  };

  it('fits 24 lines of 80 columns with npm’s own lines, verbose or not, with every device tried', () => {
    expect(tildify('/home/someone/.cache/x', '/home/someone')).toBe('~/.cache/x');
    expect(tildify('/home/someonelse/x', '/home/someone')).toBe('/home/someonelse/x');
    for (const verbose of [false, true]) {
      const text = bannerLines({ ...info, verbose }).join('\n');
      expect(screenLines(text)).toBeLessThanOrEqual(OURS);
      expect(text).toContain(`pairing token: ${'f'.repeat(64)}`);
    }
    expect(bannerLines({ ...info, verbose: false })[1]).toBe('  device:   cpu (dml, cuda, webgpu, coreml unusable: /home/someone/.cache/painterly/logs/debug.log)');
  });

  it('says how to get the recommended model when none is installed, and the speed of each installed preset', () => {
    const none = bannerLines({ ...info, verbose: false }).join('\n');
    expect(none).toContain('models:   none. Get VGG-19 (80.1 MB): npx painterly models fetch vgg19');
    expect(none).toContain('--fetch-default');
    expect(none).not.toContain('Faster'); // no preset lines while there is nothing to run them with
    const some = bannerLines({ ...info, verbose: false, backbones: { present: ['squeezenet'], missing: [] }, models: [VGG19, { ...SQUEEZENET, installed: true }] });
    expect(some).toContain('  models:   squeezenet; not installed: vgg19');
    expect(some.find((l) => l.includes('Draft'))).toMatch(/squeezenet\s+about 12 s preview/);
    expect(some.find((l) => l.includes('Best'))).toMatch(/vgg19\s+not installed$/);
  });
});

// ---- as a user runs it --------------------------------------------------------------------------

let dir: string;
let emptyMirror: ModelMirror;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'painterly-first-start-'));
  emptyMirror = await startModelMirror(new Map()); // every file missing: downloads fail fast
});
afterAll(async () => {
  await emptyMirror.close();
  await rm(dir, { recursive: true, force: true });
});

let n = 0;
function freshEnv(): NodeJS.ProcessEnv {
  const home = path.join(dir, `run-${++n}`);
  return { ...process.env, PAINTERLY_CACHE_DIR: path.join(home, 'cache'), PAINTERLY_CONFIG_DIR: path.join(home, 'config'), [MODEL_BASE_URL_ENV]: emptyMirror.origin };
}

interface Started {
  out: string;
  code: number | null;
}

/**
 * Runs `painterly serve` (through `script` when `tty`, which gives it a terminal), answers the
 * question with `answer` when asked, and stops it once it is listening.
 */
function serve(args: string[], env: NodeJS.ProcessEnv, opts: { tty?: boolean; answer?: string } = {}): Promise<Started> {
  const command = [process.execPath, bin, 'serve', '--port', '0', ...args];
  // util-linux's script runs a command string; BSD's (macOS) takes the command's words.
  const scriptArgs = process.platform === 'darwin' ? ['-q', '/dev/null', ...command] : ['-qefc', command.map((a) => `'${a}'`).join(' '), '/dev/null'];
  const child = opts.tty
    ? spawn('script', scriptArgs, { env, cwd: repoRoot })
    : spawn(command[0], command.slice(1), { env, cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let answered = false;
  const onData = (d: Buffer) => {
    out += d.toString();
    if (opts.answer !== undefined && !answered && out.includes('[y/N]')) {
      answered = true;
      child.stdin!.write(`${opts.answer}\n`);
    }
    if (out.includes('Press Ctrl-C to stop.')) child.kill('SIGTERM');
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  return new Promise((resolve) =>
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ out, code });
    }),
  );
}

describe('painterly serve on a machine with no model', () => {
  it('without a terminal asks nothing, says which model to get, fits one screen, and prints no runtime noise', async () => {
    const env = freshEnv();
    const { out } = await serve([], env);
    const startup = out.slice(0, out.indexOf('Press Ctrl-C to stop.') + 'Press Ctrl-C to stop.'.length);
    expect(startup).not.toContain('[y/N]');
    expect(startup).toContain('models:   none. Get VGG-19 (80.1 MB): npx painterly models fetch vgg19');
    expect(screenLines(startup)).toBeLessThanOrEqual(OURS);
    expect(startup).toMatch(/^Painterly companion \S+ listening on ws:\/\/127\.0\.0\.1:\d+\n/);
    expect(out).not.toMatch(/warning|vulkan|error/i);
    // The probe's notes and whatever the runtime printed while probing are in the debug log instead.
    const log = readFileSync(path.join(env.PAINTERLY_CACHE_DIR!, 'logs/debug.log'), 'utf8');
    expect(log).toMatch(/device probe \(--device auto\): chose (cpu|cuda|webgpu)/);
    const noise = log.split('output of the runtime while probing:\n')[1]?.split('\n').filter((l) => l.trim() && !l.startsWith('---')) ?? [];
    for (const line of noise) expect(out).not.toContain(line.trim());
    for (const note of log.split('\n').filter((l) => / not used \(/.test(l))) expect(startup).toContain(note.split(':')[0]);
  });

  it('on a terminal asks y/N with the size, and starts without downloading on "n"', async () => {
    const env = freshEnv();
    const { out } = await serve([], env, { tty: true, answer: 'n' });
    expect(out).toContain('Download VGG-19 now (80.1 MB)? [y/N]');
    expect(out).toContain('Not downloaded.');
    expect(out).toContain('Press Ctrl-C to stop.');
    expect(emptyMirror.requests.filter((r) => r.path.endsWith('.h5'))).toHaveLength(0);
    expect(screenLines(out.slice(0, out.indexOf('Press Ctrl-C to stop.') + 21))).toBeLessThanOrEqual(OURS);
  });

  it('on "y" downloads from the configured source; a failed download is reported and the companion starts anyway', async () => {
    const env = freshEnv();
    const before = emptyMirror.requests.length;
    const { out } = await serve([], env, { tty: true, answer: 'y' });
    expect(emptyMirror.requests.slice(before).map((r) => r.path)).toEqual(['vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5']);
    expect(out).toMatch(/painterly: DOWNLOAD_FAILED: Could not install vgg19/);
    expect(out).toContain('Starting without it');
    expect(out).toContain('Press Ctrl-C to stop.');
  });

  it('--fetch-default downloads without asking, and ends with the error when that fails (for scripts)', async () => {
    const env = freshEnv();
    const before = emptyMirror.requests.length;
    const { out, code } = await serve(['--fetch-default'], env);
    expect(code).toBe(1);
    expect(out).not.toContain('[y/N]');
    expect(out).toContain('Downloading the default model, VGG-19 (80.1 MB).');
    expect(out).toMatch(/painterly: DOWNLOAD_FAILED: /);
    expect(out).not.toContain('listening on');
    expect(emptyMirror.requests.length).toBeGreaterThan(before);
    expect(existsSync(path.join(env.PAINTERLY_CACHE_DIR!, 'vgg19.safetensors'))).toBe(false);
  });

  it('asks nothing once a model is installed, and lists each preset once with its speed', async () => {
    const env = freshEnv();
    const imported = await new Promise<number | null>((resolve) =>
      spawn(process.execPath, [bin, 'models', 'import', path.resolve(repoRoot, '../shared/weights/squeezenet1_1.safetensors')], { env }).on('close', resolve),
    );
    expect(imported).toBe(0);
    const { out } = await serve([], env, { tty: true, answer: 'y' });
    expect(out).not.toContain('[y/N]');
    expect(out).toMatch(/Draft\s+squeezenet\s+about 12 s preview/);
    for (const b of BACKBONES.filter((x) => x !== 'googlenet')) expect(out.split('\n').filter((l) => new RegExp(`\\s${b}\\s`).test(l))).toHaveLength(1);
  });
});
