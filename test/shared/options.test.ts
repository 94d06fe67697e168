// The option table drives the protocol's validation: every rule in JOB_OPTIONS (bounds, choices,
// types, defaults, the options of each mode) is what parseJobOptions / resolveJobOptions enforce.
import { describe, expect, it } from 'vitest';
import { PainterlyError } from '../../shared/errors.js';
import { DEFAULT_LIMITS, MAX_ITERATIONS, MAX_WORKING_SIZE, resolveLimits } from '../../shared/limits.js';
import {
  checkOptionValues,
  defaultOf,
  HARMONIZE_JOB_DEFAULTS,
  isValidOption,
  JOB_OPTIONS,
  OPTION_NAMES,
  optionsOf,
  optionSpec,
  PHOTO_STYLE_JOB_DEFAULTS,
  QUALITY_PRESETS,
  TABLE_MATCHES_PROTOCOL,
  TAU_PRESETS,
  type OptionName,
} from '../../shared/options.js';
import { DETAILS, MODES, QUALITIES, SMOOTHINGS, type JobOptions, type Mode } from '../../shared/protocol.js';
import { BACKBONES } from '../../shared/catalogue.js';
import { parseJobOptions, resolveJobOptions } from '../../shared/validate.js';

/** The protocol's whole check of job options, as the companion runs it on `submit`. */
const protocol = (o: Record<string, unknown>, limits = DEFAULT_LIMITS) => resolveJobOptions(parseJobOptions(o), limits);

function refusal(fn: () => unknown): PainterlyError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(PainterlyError);
    return e as PainterlyError;
  }
  throw new Error('expected a refusal');
}

/** Each option with a mode that takes it. */
const cases = OPTION_NAMES.map((name) => ({ name, mode: JOB_OPTIONS[name].modes[0] as Mode }));
const numeric = cases.filter(({ name }) => JOB_OPTIONS[name].kind === 'integer' || JOB_OPTIONS[name].kind === 'number');
const choices = cases.filter(({ name }) => JOB_OPTIONS[name].kind === 'choice');

describe('the table', () => {
  it('names the same options, of the same types, as the protocol interfaces (checked at compile time too)', () => {
    expect(TABLE_MATCHES_PROTOCOL).toBe(true);
    expect(optionsOf('harmonize')).toEqual(['quality', 'backbone', 'size', 'tau', 'pass1Iters', 'pass2Iters', 'schedule', 'postProcess', 'detail']);
    expect(optionsOf('photo-style')).toEqual(['quality', 'backbone', 'size', 'stage1Iters', 'stage2Iters', 'smoothing']);
  });

  it('takes its choices from the protocol lists (one backbone list)', () => {
    expect(JOB_OPTIONS.backbone.values).toBe(BACKBONES);
    expect(JOB_OPTIONS.quality.values).toBe(QUALITIES);
    expect(JOB_OPTIONS.smoothing.values).toBe(SMOOTHINGS);
    expect(JOB_OPTIONS.detail.values).toBe(DETAILS);
  });

  it('keeps τ\'s presets and the original\'s released τ values (1.000 … 9.996) inside τ\'s range', () => {
    for (const tau of [...Object.values(TAU_PRESETS), 1.0, 9.995778]) expect(isValidOption('tau', tau)).toBe(true);
  });

  it('has one iteration cap and one size cap, and the companion\'s default limits are those caps', () => {
    for (const name of ['pass1Iters', 'pass2Iters', 'stage1Iters', 'stage2Iters'] as const) expect(JOB_OPTIONS[name].max).toBe(MAX_ITERATIONS);
    expect(JOB_OPTIONS.size.max).toBe(MAX_WORKING_SIZE);
    expect(DEFAULT_LIMITS.maxIterations).toBe(MAX_ITERATIONS);
    expect(DEFAULT_LIMITS.maxWorkingSize).toBe(MAX_WORKING_SIZE);
  });
});

describe('bounds', () => {
  for (const { name, mode } of numeric) {
    const spec = optionSpec(name) as { kind: 'integer' | 'number'; min: number; max: number; auto?: string };
    const step = spec.kind === 'integer' ? 1 : 1e-9;
    it(`${name}: accepts ${spec.min} and ${spec.max}, refuses just outside with BAD_ARGUMENT naming the range`, () => {
      expect(protocol({ mode, [name]: spec.min })).toMatchObject({ [name]: spec.min });
      expect(protocol({ mode, [name]: spec.max })).toMatchObject({ [name]: spec.max });
      for (const v of [spec.min - step, spec.max + step]) {
        const e = refusal(() => protocol({ mode, [name]: v }));
        expect(e.code).toBe('BAD_ARGUMENT');
        expect(e.message).toContain(`from ${spec.min} to ${spec.max}${spec.auto ? `, or '${spec.auto}'` : ''} for \`options.${name}\``);
      }
      // An option that also takes a word (τ's `auto`) takes that word and no other.
      if (spec.auto) {
        expect(protocol({ mode, [name]: spec.auto })).toMatchObject({ [name]: spec.auto });
        expect(refusal(() => protocol({ mode, [name]: 'automatic' })).code).toBe('BAD_MESSAGE');
      }
    });
  }

  it('lets the companion\'s limits lower a cap, never raise it', () => {
    const limits = resolveLimits({ maxIterations: 50, maxWorkingSize: 500 });
    expect(protocol({ mode: 'harmonize', pass1Iters: 50, pass2Iters: 0, size: 500 }, limits)).toMatchObject({ pass1Iters: 50, size: 500 });
    expect(refusal(() => protocol({ mode: 'harmonize', pass1Iters: 51, pass2Iters: 0, size: 500 }, limits)).message).toContain('from 0 to 50 for `options.pass1Iters`');
    // A preset's default must fit the limits too (the default 1000 iterations do not).
    expect(refusal(() => protocol({ mode: 'harmonize', size: 500 }, limits)).message).toContain('from 0 to 50');
    expect(refusal(() => protocol({ mode: 'photo-style', size: 501 }, limits)).message).toContain('from 32 to 500');
    expect(() => resolveLimits({ maxIterations: MAX_ITERATIONS + 1 })).toThrow(/at most 10000/);
    expect(() => resolveLimits({ maxWorkingSize: MAX_WORKING_SIZE + 1 })).toThrow(/at most 4096/);
  });
});

describe('choices', () => {
  for (const { name, mode } of choices) {
    const spec = optionSpec(name) as { values: readonly string[]; unknownCode?: string };
    it(`${name}: accepts each of ${spec.values.join(', ')}; refuses other names`, () => {
      for (const v of spec.values) expect(protocol({ mode, [name]: v })).toMatchObject({ [name]: v });
      for (const v of ['', 'nope', spec.values[0].toUpperCase()]) {
        const e = refusal(() => protocol({ mode, [name]: v }));
        expect(e.code).toBe(spec.unknownCode ?? 'BAD_ARGUMENT');
        expect(e.message).toContain(`one of ${spec.values.join(', ')}`);
      }
    });
  }

  it('answers an unknown backbone with UNKNOWN_BACKBONE', () => {
    expect(refusal(() => protocol({ mode: 'harmonize', backbone: 'resnet' })).code).toBe('UNKNOWN_BACKBONE');
  });
});

describe('types', () => {
  const wrong: Record<string, unknown[]> = {
    choice: [1, true, null, ['vgg19']],
    integer: ['5', 1.5, true, null, {}],
    number: ['5', true, null, []],
    boolean: [1, 'true', null],
  };
  for (const { name, mode } of cases) {
    it(`${name}: refuses values of the wrong type with BAD_MESSAGE before any range check`, () => {
      for (const v of wrong[optionSpec(name).kind]) {
        const e = refusal(() => parseJobOptions({ mode, [name]: v }));
        expect(e.code).toBe('BAD_MESSAGE');
        expect(e.message).toContain(`\`options.${name}\``);
      }
    });
  }
});

describe('unknown keys', () => {
  it('refuses a field no option has, and an option of the other mode', () => {
    expect(refusal(() => parseJobOptions({ mode: 'harmonize', device: 'cuda' })).message).toContain('Unknown field `options.device`');
    for (const mode of MODES) {
      const other = OPTION_NAMES.filter((n) => !optionsOf(mode).includes(n));
      expect(other.length).toBeGreaterThan(0);
      for (const name of other) {
        const v = defaultOf(JOB_OPTIONS[name].modes[0] as Mode, name);
        expect(refusal(() => parseJobOptions({ mode, [name]: v })).message).toContain(`Unknown field \`options.${name}\``);
      }
    }
  });
});

describe('defaults', () => {
  const fixed = (name: OptionName) => optionSpec(name).default;

  it('fills every option of the mode from the table, sizes and iterations from the quality preset', () => {
    for (const mode of MODES) {
      for (const quality of QUALITIES) {
        const resolved = protocol({ mode, quality }) as unknown as Record<string, unknown>;
        expect(Object.keys(resolved).sort()).toEqual(['mode', ...optionsOf(mode)].sort());
        const preset = QUALITY_PRESETS[mode][quality] as Record<string, string | number>;
        for (const name of optionsOf(mode)) {
          const want = name === 'quality' ? quality : fixed(name) === 'preset' ? preset[name] : fixed(name);
          expect(resolved[name], `${mode} ${quality} ${name}`).toBe(want);
        }
      }
    }
  });

  it('exports the pipelines\' defaults: every option resolved at the full preset', () => {
    expect(HARMONIZE_JOB_DEFAULTS).toEqual(protocol({ mode: 'harmonize' }));
    expect(PHOTO_STYLE_JOB_DEFAULTS).toEqual(protocol({ mode: 'photo-style' }));
    // The values the CLI and the pipelines have always used.
    expect(HARMONIZE_JOB_DEFAULTS).toEqual({ mode: 'harmonize', quality: 'full', backbone: 'vgg19', size: 700, tau: 'auto', pass1Iters: 1000, pass2Iters: 1000, schedule: 'auto', postProcess: true, detail: 'native' });
    expect(PHOTO_STYLE_JOB_DEFAULTS).toEqual({ mode: 'photo-style', quality: 'full', backbone: 'vgg19', size: 700, stage1Iters: 1000, stage2Iters: 1000, smoothing: 'affine' });
    expect(Object.isFrozen(HARMONIZE_JOB_DEFAULTS) && Object.isFrozen(PHOTO_STYLE_JOB_DEFAULTS)).toBe(true);
  });
});

describe('checkOptionValues (for the pipelines)', () => {
  it('checks the typed options of a mode by the same rules, with BAD_ARGUMENT, and ignores other fields', () => {
    expect(() => checkOptionValues('harmonize', { ...HARMONIZE_JOB_DEFAULTS, device: 'cpu', weightsFile: 'x' })).not.toThrow();
    expect(() => checkOptionValues('photo-style', PHOTO_STYLE_JOB_DEFAULTS)).not.toThrow();
    expect(refusal(() => checkOptionValues('harmonize', { ...HARMONIZE_JOB_DEFAULTS, tau: -1 })).message).toBe('Expected a number from 1 to 20, or \'auto\' for `tau`, got -1 (number).');
    expect(refusal(() => checkOptionValues('harmonize', { ...HARMONIZE_JOB_DEFAULTS, pass1Iters: 1.5 })).code).toBe('BAD_ARGUMENT');
    expect(refusal(() => checkOptionValues('photo-style', { ...PHOTO_STYLE_JOB_DEFAULTS, smoothing: 'blur' })).code).toBe('BAD_ARGUMENT');
    expect(refusal(() => checkOptionValues('photo-style', { ...PHOTO_STYLE_JOB_DEFAULTS, size: 8 })).code).toBe('BAD_ARGUMENT');
  });

  it('agrees with the protocol on every value the protocol accepts', () => {
    const accepted: JobOptions[] = [{ mode: 'harmonize', tau: 20, size: 32, pass2Iters: 0 }, { mode: 'photo-style', quality: 'preview', smoothing: 'none' }];
    for (const o of accepted) expect(() => checkOptionValues(o.mode, protocol(o as unknown as Record<string, unknown>))).not.toThrow();
  });
});
