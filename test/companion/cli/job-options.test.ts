// The CLI's job options come from the option table: its --help lists every option with the
// table's range and default, and the commands (harmonize, photo-style, client) accept and refuse
// exactly what the protocol accepts and refuses, because they parse through the shared parser.
import { parseArgs } from 'node:util';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { isPainterlyError, type PainterlyError } from '../../../shared/errors.js';
import { DEFAULT_LIMITS } from '../../../shared/limits.js';
import { defaultOf, JOB_OPTIONS, OPTION_NAMES, optionsOf, optionSpec, type OptionName } from '../../../shared/options.js';
import { MODES, SCHEDULES, SMOOTHINGS, type Mode } from '../../../shared/protocol.js';
import { BACKBONES } from '../../../shared/catalogue.js';
import { parseJobOptions, resolveJobOptions } from '../../../shared/validate.js';
import { flagsOf, jobFlagConfig, jobOptionsFromFlags } from '../../../companion/cli/options.js';
import { BACKBONE_NAMES } from '../../../companion/compute/backbones/index.js';
import { SMOOTHING_MODES } from '../../../companion/pipeline/photo-style/smoothing.js';
import type { Command } from '../../../companion/cli/command.js';

const COMMANDS: Record<'harmonize' | 'photo-style' | 'client', { load: () => Promise<Command>; modes: readonly Mode[] }> = {
  harmonize: { load: () => import('../../../companion/cli/harmonize.js').then((m) => m.command), modes: ['harmonize'] },
  'photo-style': { load: () => import('../../../companion/cli/photo-style.js').then((m) => m.command), modes: ['photo-style'] },
  client: { load: () => import('../../../companion/cli/client.js').then((m) => m.command), modes: MODES },
};

afterEach(() => vi.restoreAllMocks());

async function helpOf(name: keyof typeof COMMANDS): Promise<string> {
  const log = vi.spyOn(console, 'log').mockImplementation(() => {});
  expect(await (await COMMANDS[name].load()).run(['--help'])).toBe(0);
  return log.mock.calls.map((c) => c.join(' ')).join('\n');
}

/** What the table says an option's --help line must contain. */
function expectedPieces(name: OptionName): string[] {
  const spec = optionSpec(name);
  const mode = spec.modes[0];
  const pieces = flagsOf(name).map((f) => `--${f}`);
  if (spec.kind === 'boolean') return [...pieces, `default: ${spec.default ? 'on' : 'off'}`];
  if (spec.kind === 'choice') return [...pieces, ...spec.values, `default ${defaultOf(mode, name, 'full')}`, ...(spec.default === 'preset' ? [`preview ${defaultOf(mode, name, 'preview')}`] : [])];
  pieces.push(`${spec.min} to ${spec.max}`, `default ${defaultOf(mode, name, 'full')}`);
  if (spec.default === 'preset') pieces.push(`preview ${defaultOf(mode, name, 'preview')}`);
  return pieces;
}

describe('--help', () => {
  for (const name of Object.keys(COMMANDS) as (keyof typeof COMMANDS)[]) {
    it(`painterly ${name} lists every job option of its modes with the table's range and default`, async () => {
      const help = await helpOf(name);
      const names = OPTION_NAMES.filter((n) => COMMANDS[name].modes.some((m) => optionsOf(m).includes(n)));
      expect(names.length).toBeGreaterThan(5);
      for (const option of names) {
        const line = help.split('\n').find((l) => l.trimStart().startsWith(`--${flagsOf(option)[0]} `) || l.trim() === `--${flagsOf(option)[0]}`);
        expect(line, `${name}: --${flagsOf(option)[0]}`).toBeDefined();
        for (const piece of expectedPieces(option)) expect(line, `${name} --help, ${option}`).toContain(piece);
      }
      // No option of a mode the command does not run.
      for (const option of OPTION_NAMES.filter((n) => !names.includes(n))) expect(help).not.toContain(`--${flagsOf(option)[0]} `);
    });
  }
});

// ---- the CLI against the protocol, over a grid of values ----------------------------------------

const NUMBERS = [-1, 0, 0.5, 1, 1.5, 5, 9.995778, 19.99, 20, 20.01, 31, 32, 33, 100, 350.5, 4096, 4097, 9999, 10_000, 10_001, 1e9, 2.5e-3, -0];
const NAMES = ['resnet', 'VGG19', '', 'preview ', 'Auto', ...BACKBONES, 'preview', 'full', ...SMOOTHINGS, ...SCHEDULES];

function gridOf(name: OptionName): { cli: string; json: unknown }[] {
  const spec = optionSpec(name);
  if (spec.kind === 'choice') return NAMES.map((v) => ({ cli: v, json: v }));
  if (spec.kind === 'boolean') return [];
  return NUMBERS.map((v) => ({ cli: String(v), json: v }));
}

function outcome(fn: () => unknown): { ok: true; value: unknown } | { ok: false; error: PainterlyError } {
  try {
    return { ok: true, value: fn() };
  } catch (e) {
    if (!isPainterlyError(e)) throw e;
    return { ok: false, error: e };
  }
}

/** The companion's check of options arriving in `submit` (as JSON: -0 arrives as 0). */
const protocol = (o: Record<string, unknown>) => resolveJobOptions(parseJobOptions(JSON.parse(JSON.stringify(o))), DEFAULT_LIMITS);

/** The command line, parsed as the commands parse it. */
function cli<M extends Mode>(mode: M, argv: string[]) {
  const { values } = parseArgs({ args: argv, options: jobFlagConfig([mode]), strict: true });
  return jobOptionsFromFlags(mode, values, 'test').resolved;
}

describe('CLI and protocol agree', () => {
  for (const mode of MODES) {
    for (const name of optionsOf(mode).filter((n) => gridOf(n).length > 0)) {
      it(`${mode} ${name}: every value of the grid is accepted by both or refused by both`, () => {
        for (const { cli: text, json } of gridOf(name)) {
          const viaCli = outcome(() => cli(mode, [`--${flagsOf(name)[0]}=${text}`]));
          const viaProtocol = outcome(() => protocol({ mode, [name]: json }));
          expect(viaCli.ok, `${name} = ${text}: CLI ${viaCli.ok ? 'accepts' : (viaCli as { error: Error }).error.message}`).toBe(viaProtocol.ok);
          if (viaCli.ok && viaProtocol.ok) expect(viaCli.value).toEqual(viaProtocol.value);
          // A value refused for its range is refused with the same code and the same range.
          if (!viaCli.ok && !viaProtocol.ok && viaProtocol.error.code !== 'BAD_MESSAGE') {
            expect(viaCli.error.code).toBe(viaProtocol.error.code);
            expect(viaCli.error.message.replace(`--${flagsOf(name)[0]}`, '')).toBe(viaProtocol.error.message.replace(`options.${name}`, ''));
          }
        }
      });
    }
  }

  it('switches post-processing off with --no-post-process (or the old --no-post), as postProcess: false does', () => {
    expect(cli('harmonize', ['--no-post-process']).postProcess).toBe(false);
    expect(cli('harmonize', ['--no-post']).postProcess).toBe(false);
    expect(cli('harmonize', [])).toEqual(protocol({ mode: 'harmonize' }));
    expect(cli('harmonize', ['--no-post'])).toEqual(protocol({ mode: 'harmonize', postProcess: false }));
  });

  it('takes --schedule paper | auto as the protocol takes schedule, paper when left out', () => {
    expect(cli('harmonize', ['--schedule', 'auto']).schedule).toBe('auto');
    expect(cli('harmonize', ['--schedule', 'auto'])).toEqual(protocol({ mode: 'harmonize', schedule: 'auto' }));
    expect(cli('harmonize', []).schedule).toBe('auto');
    const r = outcome(() => cli('harmonize', ['--schedule', 'quick']));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.message).toBe("Expected one of auto, paper for `--schedule`, got 'quick' (string).");
  });

  it('still takes the old --smooth spelling', () => {
    expect(cli('photo-style', ['--smooth', 'none'])).toEqual(protocol({ mode: 'photo-style', smoothing: 'none' }));
  });

  it('refuses spellings of numbers JSON would not carry, naming the flag', () => {
    for (const text of ['abc', '', ' 5', '0x10', 'Infinity', 'NaN', '1_000', '5.']) {
      const r = outcome(() => cli('harmonize', ['--tau', text]));
      expect(r.ok, text).toBe(text === '5.');
      if (!r.ok) expect(r.error.message).toMatch(/^Expected a number or 'auto' for `--tau`/);
    }
  });

  it('names a flag of the other mode as such', () => {
    const { values } = parseArgs({ args: ['--tau', '5'], options: jobFlagConfig(MODES), strict: true });
    expect(() => jobOptionsFromFlags('photo-style', values, 'client')).toThrow('--tau is an option of harmonize jobs, not photo-style.');
  });
});

// ---- the commands themselves go through the shared parser ----------------------------------------

/** Runs a command in-process on files that do not exist: valid options get as far as reading them. */
async function runCommand(name: keyof typeof COMMANDS, mode: Mode, extra: string[]): Promise<{ ok: boolean; error?: PainterlyError }> {
  const files = mode === 'harmonize' ? ['--painting', 'no/p.png', '--composite', 'no/c.png', '--mask', 'no/m.png'] : ['--content', 'no/c.png', '--style', 'no/s.png'];
  const argv = [...(name === 'client' ? [mode, '--token', 'test'] : []), ...files, '--out', 'no/out.png', ...extra];
  vi.spyOn(console, 'error').mockImplementation(() => {});
  const command = await COMMANDS[name].load();
  try {
    await command.run(argv);
    return { ok: true };
  } catch (e) {
    return { ok: false, error: e as PainterlyError };
  }
}

describe('the commands parse through the shared parser', () => {
  for (const name of Object.keys(COMMANDS) as (keyof typeof COMMANDS)[]) {
    it(`painterly ${name} refuses exactly what the shared parser refuses, with its message`, async () => {
      for (const mode of COMMANDS[name].modes) {
        for (const option of ['tau', 'size', 'pass1Iters', 'stage2Iters', 'backbone', 'smoothing'] as const) {
          if (!optionsOf(mode).includes(option)) continue;
          for (const { cli: text } of gridOf(option).filter((_, i) => i % 3 === 0)) {
            const flag = `--${flagsOf(option)[0]}`;
            const shared = outcome(() => cli(mode, [`${flag}=${text}`]));
            const r = await runCommand(name, mode, [`${flag}=${text}`]);
            expect(r.ok).toBe(false);
            if (shared.ok) expect(r.error?.code, `${name} ${flag} ${text}: ${r.error?.message}`).toBe('FILE_NOT_FOUND');
            else expect(r.error?.message, `${name} ${flag} ${text}`).toBe(shared.error.message);
          }
        }
      }
    });
  }
});

describe('one list of backbones and smoothings', () => {
  it('the compute registry and the photo-style pipeline name exactly the protocol\'s', () => {
    expect([...BACKBONE_NAMES].sort()).toEqual([...BACKBONES].sort());
    expect([...SMOOTHING_MODES].sort()).toEqual([...SMOOTHINGS].sort());
    expect(JOB_OPTIONS.backbone.values).toBe(BACKBONES);
  });
});
