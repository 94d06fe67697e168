// The options of a harmonize or photo-style job, once: type, range, default, help and CLI flag.
// Everything that decides about an option reads this table: the protocol's validation
// (validate.ts), the CLI's flags and --help (companion/cli/options.ts), the panel's τ slider and
// presets (plugin/view-model.ts) and the pipelines' defaults (HARMONIZE_JOB_DEFAULTS, …).
// Options are checked once where they arrive (a protocol message, a command line) and trusted
// after. Plain data and no Node imports: the panel bundles this file.
import { expected, type ErrorCode } from './errors.js';
import { MAX_ITERATIONS, MAX_WORKING_SIZE, type Limits } from './limits.js';
import { DETAILS, MODES, QUALITIES, SCHEDULES, SMOOTHINGS, type HarmonizeJobOptions, type JobOptions, type Mode, type PaintingKind, type PhotoStyleJobOptions, type Quality, type ResolvedHarmonizeOptions, type ResolvedJobOptions, type ResolvedPhotoStyleOptions } from './protocol.js';
import { BACKBONES } from './catalogue.js';

interface OptionBase {
  /** The modes whose jobs take the option. */
  modes: readonly Mode[];
  /** What the option does, a phrase for --help and the docs. */
  help: string;
  /** The CLI flag without `--`; a boolean that defaults to true is switched off with `--no-<flag>`. */
  flag: string;
  /** Older CLI spellings, still accepted (same form as `flag`). */
  aliases?: readonly string[];
  /** The value's placeholder in --help. */
  placeholder?: string;
}

interface ChoiceOption extends OptionBase {
  kind: 'choice';
  values: readonly string[];
  /** A value, or `preset`: taken from the job's quality preset (QUALITY_PRESETS). */
  default: string;
  /** The error code for a name not in `values` (BAD_ARGUMENT unless set). */
  unknownCode?: ErrorCode;
}

interface NumberOption extends OptionBase {
  /** `integer`: whole numbers only. */
  kind: 'integer' | 'number';
  min: number;
  max: number;
  /** A word taken instead of a number: the value is then chosen when the job runs (τ's `auto`). */
  auto?: 'auto';
  /** `preset`: taken from the job's quality preset (QUALITY_PRESETS); `auto`: see `auto`. */
  default: number | 'preset' | 'auto';
  /** The companion limit that may lower `max` further (never raise it). */
  limit?: 'maxWorkingSize' | 'maxIterations';
}

interface BooleanOption extends OptionBase {
  kind: 'boolean';
  default: boolean;
}

export type OptionSpec = ChoiceOption | NumberOption | BooleanOption;

/** τ presets, after the three levels the original's released τ values cluster at (1.0, ≈5, ≈10). */
export const TAU_PRESETS = Object.freeze({ realistic: 1, impressionist: 5, expressive: 10 } satisfies Record<PaintingKind, number>);


/**
 * What a quality preset means. `full` is the papers' setting (700 px, 1000 + 1000 iterations),
 * harmonized then refined to the document's own resolution; `preview` is half the size and a
 * fifth of the iterations (about 1/20 of the work), enlarged to the document's size.
 */
export const QUALITY_PRESETS = Object.freeze({
  harmonize: Object.freeze({
    preview: Object.freeze({ size: 350, pass1Iters: 200, pass2Iters: 200, detail: 'paper' }),
    full: Object.freeze({ size: 700, pass1Iters: 1000, pass2Iters: 1000, detail: 'native' }),
  }),
  'photo-style': Object.freeze({
    preview: Object.freeze({ size: 350, stage1Iters: 200, stage2Iters: 200 }),
    full: Object.freeze({ size: 700, stage1Iters: 1000, stage2Iters: 1000 }),
  }),
});

const BOTH = MODES;
const HARMONIZE = ['harmonize'] as const;
const PHOTO_STYLE = ['photo-style'] as const;

/**
 * The table, in the order --help lists it. The rules and why:
 * - `tau` 1 … 20: the original's released τ (wikiart_output.txt, 35 examples) run from 1.000 to
 *   9.996; 20 doubles that for a heavier hand, and is what the panel's slider always offered.
 *   Below 1 pass 2 barely moves off the naive paste (τ scales every style term). `auto` (the
 *   default) has the job read τ from the painting (companion/tau/).
 * - iterations 0 … 10 000 per pass or stage: 0 skips a pass; 10× the papers' 1000 is plenty.
 * - `size` 32 … 4096 px: smaller has no room for a backbone's deepest layers; larger does not
 *   fit a GPU. The companion's limits may lower both caps (never raise them).
 */
export const JOB_OPTIONS = Object.freeze({
  quality: {
    kind: 'choice', modes: BOTH, values: QUALITIES, default: 'full', flag: 'quality', placeholder: 'Q',
    help: 'size and iterations: full as in the papers, preview about 1/20 of the work',
  },
  backbone: {
    kind: 'choice', modes: BOTH, values: BACKBONES, default: 'vgg19', flag: 'backbone', placeholder: 'NAME', unknownCode: 'UNKNOWN_BACKBONE',
    help: 'the network that sees style and content',
  },
  size: {
    kind: 'integer', modes: BOTH, min: 32, max: MAX_WORKING_SIZE, default: 'preset', limit: 'maxWorkingSize', flag: 'size', placeholder: 'N',
    help: 'working size of passes 1 and 2 (the paper\'s scale), longer side in pixels',
  },
  tau: {
    kind: 'number', modes: HARMONIZE, min: 1, max: 20, auto: 'auto', default: 'auto', flag: 'tau', placeholder: 'T',
    help: `style strength τ: auto (read from the painting, docs/tau.md), or ${TAU_PRESETS.realistic} realistic, ${TAU_PRESETS.impressionist} impressionist, ${TAU_PRESETS.expressive} expressive`,
  },
  pass1Iters: {
    kind: 'integer', modes: HARMONIZE, min: 0, max: MAX_ITERATIONS, default: 'preset', limit: 'maxIterations', flag: 'pass1-iters', placeholder: 'N',
    help: 'pass-1 iterations, painting the object in',
  },
  pass2Iters: {
    kind: 'integer', modes: HARMONIZE, min: 0, max: MAX_ITERATIONS, default: 'preset', limit: 'maxIterations', flag: 'pass2-iters', placeholder: 'N',
    help: 'pass-2 iterations, refining it',
  },
  schedule: {
    kind: 'choice', modes: HARMONIZE, values: SCHEDULES, default: 'auto', flag: 'schedule', placeholder: 'S',
    help: 'auto stops each pass when the picture stops changing and runs pass 1 at half size (iterations become caps; about 5× faster at full quality); paper runs every iteration, as the original',
  },
  postProcess: {
    kind: 'boolean', modes: HARMONIZE, default: true, flag: 'post-process', aliases: ['post'],
    help: 'post-processing: chroma denoising and patch synthesis',
  },
  detail: {
    kind: 'choice', modes: HARMONIZE, values: DETAILS, default: 'preset', flag: 'detail', placeholder: 'D',
    help: 'native: refine the object up to the document\'s resolution (sharp; a few per cent longer at full quality); paper: enlarge the working-size result',
  },
  stage1Iters: {
    kind: 'integer', modes: PHOTO_STYLE, min: 0, max: MAX_ITERATIONS, default: 'preset', limit: 'maxIterations', flag: 'stage1-iters', placeholder: 'N',
    help: 'stage-1 iterations, style without photorealism',
  },
  stage2Iters: {
    kind: 'integer', modes: PHOTO_STYLE, min: 0, max: MAX_ITERATIONS, default: 'preset', limit: 'maxIterations', flag: 'stage2-iters', placeholder: 'N',
    help: 'stage-2 iterations, with the photorealism term',
  },
  smoothing: {
    kind: 'choice', modes: PHOTO_STYLE, values: SMOOTHINGS, default: 'affine', flag: 'smoothing', aliases: ['smooth'], placeholder: 'MODE',
    help: 'the smoothing after stage 2',
  },
} as const satisfies Record<string, OptionSpec>);

export type OptionName = keyof typeof JOB_OPTIONS;
export const OPTION_NAMES = Object.freeze(Object.keys(JOB_OPTIONS) as OptionName[]);

/** The table's options of one mode, in table order. */
export function optionsOf(mode: Mode): OptionName[] {
  return OPTION_NAMES.filter((name) => (JOB_OPTIONS[name].modes as readonly Mode[]).includes(mode));
}

export function optionSpec(name: OptionName): OptionSpec {
  return JOB_OPTIONS[name];
}

// The protocol's option interfaces and the table must name the same options with the same value
// types: this line stops compiling when they drift apart.
type ValueOf<S> = S extends { kind: 'choice'; values: readonly (infer V)[] } ? V : S extends { kind: 'boolean' } ? boolean : S extends { auto: infer A } ? number | A : number;
type TableOptions<M extends Mode> = { [K in OptionName as M extends (typeof JOB_OPTIONS)[K]['modes'][number] ? K : never]: ValueOf<(typeof JOB_OPTIONS)[K]> };
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
export const TABLE_MATCHES_PROTOCOL: Same<TableOptions<'harmonize'>, Required<Omit<HarmonizeJobOptions, 'mode'>>> &
  Same<TableOptions<'photo-style'>, Required<Omit<PhotoStyleJobOptions, 'mode'>>> = true;

// ---- checking values --------------------------------------------------------------------------

/** How a check names an option in its message, and the code for a value of the wrong type. */
export interface OptionContext {
  /** `options.tau` in the protocol, `--tau` on the command line. */
  label(name: OptionName): string;
  /** BAD_MESSAGE for a protocol message (a client bug), BAD_ARGUMENT for what a person typed. */
  typeCode: ErrorCode;
}

export const PROTOCOL_CONTEXT: OptionContext = { label: (name) => `options.${name}`, typeCode: 'BAD_MESSAGE' };
/** For code that receives options already in their types (the pipelines). */
const PLAIN_CONTEXT: OptionContext = { label: (name) => name, typeCode: 'BAD_ARGUMENT' };

/** What a value of the option must be, in words: "an integer from 0 to 10000", "one of a, b". */
function describeRule(name: OptionName, cap = Infinity): string {
  const spec = optionSpec(name);
  switch (spec.kind) {
    case 'choice':
      return `one of ${spec.values.join(', ')}`;
    case 'boolean':
      return 'true or false';
    default:
      return `${spec.kind === 'integer' ? 'an integer' : 'a number'} from ${spec.min} to ${Math.min(spec.max, cap)}${spec.auto ? `, or '${spec.auto}'` : ''}`;
  }
}

/** The value's JavaScript type against the option's kind (ranges are `checkOptionValue`'s). */
export function checkOptionType(name: OptionName, v: unknown, ctx: OptionContext): void {
  const spec = optionSpec(name);
  const ok =
    spec.kind === 'choice' ? typeof v === 'string'
    : spec.kind === 'boolean' ? typeof v === 'boolean'
    : spec.auto !== undefined && v === spec.auto ? true
    : spec.kind === 'integer' ? typeof v === 'number' && Number.isSafeInteger(v)
    : typeof v === 'number' && Number.isFinite(v);
  if (ok) return;
  const what = spec.kind === 'choice' ? 'a string' : spec.kind === 'boolean' ? 'true or false' : `${spec.kind === 'integer' ? 'an integer' : 'a number'}${spec.auto ? ` or '${spec.auto}'` : ''}`;
  throw expected(ctx.label(name), what, v, ctx.typeCode);
}

/** A value of the right type against the option's range or choices; `cap` lowers the table's maximum. */
function checkOptionValue(name: OptionName, v: string | number | boolean, ctx: OptionContext, cap = Infinity): void {
  const spec = optionSpec(name);
  if (spec.kind === 'choice') {
    if (!spec.values.includes(v as string)) throw expected(ctx.label(name), describeRule(name), v, spec.unknownCode ?? 'BAD_ARGUMENT');
  } else if (spec.kind !== 'boolean' && !(spec.auto !== undefined && v === spec.auto)) {
    if (!((v as number) >= spec.min && (v as number) <= Math.min(spec.max, cap))) throw expected(ctx.label(name), describeRule(name, cap), v, 'BAD_ARGUMENT');
  }
}

/** Whether a value passes the option's rule (the panel asks before it sets τ). */
export function isValidOption(name: OptionName, v: unknown): boolean {
  try {
    checkOptionType(name, v, PLAIN_CONTEXT);
    checkOptionValue(name, v as string | number | boolean, PLAIN_CONTEXT);
    return true;
  } catch {
    return false;
  }
}

// ---- defaults and resolution ------------------------------------------------------------------

/** The option's default in a job of `mode` at `quality`. */
export function defaultOf(mode: Mode, name: OptionName, quality: Quality = 'full'): string | number | boolean {
  const spec = optionSpec(name);
  if (spec.default !== 'preset') return spec.default;
  return (QUALITY_PRESETS[mode][quality] as Record<string, string | number>)[name];
}

type CapLimits = Pick<Limits, 'maxWorkingSize' | 'maxIterations'>;

/** The companion limit that caps a numeric option, if any. */
function capOf(spec: OptionSpec, limits: CapLimits | undefined): number {
  return (spec.kind === 'integer' || spec.kind === 'number') && spec.limit && limits ? limits[spec.limit] : Infinity;
}

/**
 * Every option of the job: the given value or the default, each checked against its range (the
 * companion's `limits` may lower a maximum). Types must have been checked (`checkOptionType`).
 */
export function resolveOptions(o: JobOptions, limits?: CapLimits, ctx: OptionContext = PROTOCOL_CONTEXT): ResolvedJobOptions {
  const given = o as unknown as Record<string, string | number | boolean | undefined>;
  const quality = (given.quality ?? JOB_OPTIONS.quality.default) as Quality;
  checkOptionValue('quality', quality, ctx); // before the presets it picks are read
  const out: Record<string, string | number | boolean> = { mode: o.mode };
  for (const name of optionsOf(o.mode)) {
    const v = given[name] ?? defaultOf(o.mode, name, quality);
    checkOptionValue(name, v, ctx, capOf(optionSpec(name), limits));
    out[name] = v;
  }
  return out as unknown as ResolvedJobOptions;
}

/**
 * Checks options that arrive already typed (the pipelines' entry points, for callers that bypass
 * the protocol and the CLI): every option of the mode present in `o`, type and range, BAD_ARGUMENT.
 * Other fields (device, weightsFile, …) are left alone.
 */
export function checkOptionValues(mode: Mode, o: object): void {
  const given = o as Record<string, unknown>;
  for (const name of optionsOf(mode)) {
    if (given[name] === undefined) continue;
    checkOptionType(name, given[name], PLAIN_CONTEXT);
    checkOptionValue(name, given[name] as string | number | boolean, PLAIN_CONTEXT);
  }
}

/** A job's options at their defaults (the `full` preset), resolved. */
function defaultsOf<M extends Mode>(mode: M): Extract<ResolvedJobOptions, { mode: M }> {
  return Object.freeze(resolveOptions({ mode } as JobOptions)) as never;
}

/** The pipelines' defaults: every harmonize option (`{ mode, quality, backbone, size, tau, … }`). */
export const HARMONIZE_JOB_DEFAULTS: Readonly<ResolvedHarmonizeOptions> = defaultsOf('harmonize');
/** The pipelines' defaults: every photo-style option (`{ mode, quality, backbone, size, stage1Iters, … }`). */
export const PHOTO_STYLE_JOB_DEFAULTS: Readonly<ResolvedPhotoStyleOptions> = defaultsOf('photo-style');
