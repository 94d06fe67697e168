// Option parsing shared by the CLI commands: node:util parseArgs with its errors turned into
// BAD_ARGUMENT pointing at the command's --help, and the job options (--tau, --size, …) whose
// flags, parsing and --help lines all come from the option table (shared/options.ts).
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { expected, PainterlyError } from '../../shared/errors.js';
import { DEFAULT_LIMITS, type Limits } from '../../shared/limits.js';
import { defaultOf, JOB_OPTIONS, OPTION_NAMES, optionSpec, type OptionContext, type OptionName } from '../../shared/options.js';
import type { JobOptions, Mode, ResolvedJobOptions } from '../../shared/protocol.js';
import { parseJobOptions, resolveJobOptions } from '../../shared/validate.js';

export function parseOptions<T extends ParseArgsConfig>(command: string, config: T): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (e) {
    throw new PainterlyError('BAD_ARGUMENT', `${(e as Error).message}. See \`painterly ${command} --help\`.`);
  }
}

// ---- job options from the table ---------------------------------------------------------------

/** A boolean that is on unless switched off is spelled `--no-<flag>`. */
const negated = (name: OptionName): boolean => {
  const spec = optionSpec(name);
  return spec.kind === 'boolean' && spec.default === true;
};

/** The option's spellings on the command line, canonical first (without `--`). */
export function flagsOf(name: OptionName): string[] {
  const spec = optionSpec(name);
  const names = [spec.flag, ...(spec.aliases ?? [])];
  return negated(name) ? names.map((n) => `no-${n}`) : names;
}

const modesOf = (name: OptionName): readonly Mode[] => JOB_OPTIONS[name].modes;
const namesFor = (modes: readonly Mode[]): OptionName[] => OPTION_NAMES.filter((n) => modesOf(n).some((m) => modes.includes(m)));

/** parseArgs entries for the job options of `modes`, aliases included. */
export function jobFlagConfig(modes: readonly Mode[]): Record<string, { type: 'string' | 'boolean' }> {
  const config: Record<string, { type: 'string' | 'boolean' }> = {};
  for (const name of namesFor(modes)) for (const flag of flagsOf(name)) config[flag] = { type: optionSpec(name).kind === 'boolean' ? 'boolean' : 'string' };
  return config;
}

/** Messages name the flag a person types; every refusal is BAD_ARGUMENT (UNKNOWN_BACKBONE for a backbone). */
const CLI_CONTEXT: OptionContext = { label: (name) => `--${flagsOf(name)[0]}`, typeCode: 'BAD_ARGUMENT' };

/** Plain decimal notation, as JSON writes numbers: no hex, no `Infinity`, no blanks. */
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

function fromText(name: OptionName, text: string): string | number {
  const spec = optionSpec(name);
  if (spec.kind !== 'integer' && spec.kind !== 'number') return text;
  if (spec.auto !== undefined && text === spec.auto) return text;
  if (!DECIMAL.test(text)) throw expected(CLI_CONTEXT.label(name), `${spec.kind === 'integer' ? 'an integer' : 'a number'}${spec.auto ? ` or '${spec.auto}'` : ''}`, text, 'BAD_ARGUMENT');
  return Number(text);
}

/**
 * The job options typed on a command line, checked by the protocol's own rules (parseJobOptions
 * and resolveJobOptions), so the CLI refuses exactly what the companion refuses. `given` holds
 * what was typed (what `painterly client` sends); `resolved` adds every default (what a pipeline gets).
 */
export function jobOptionsFromFlags<M extends Mode>(
  mode: M,
  values: Readonly<Record<string, unknown>>,
  command: string,
  limits: Pick<Limits, 'maxWorkingSize' | 'maxIterations'> = DEFAULT_LIMITS,
): { given: Extract<JobOptions, { mode: M }>; resolved: Extract<ResolvedJobOptions, { mode: M }> } {
  const given: Record<string, unknown> = { mode };
  for (const name of OPTION_NAMES) {
    const flag = flagsOf(name).find((f) => values[f] !== undefined);
    if (flag === undefined) continue;
    if (!modesOf(name).includes(mode)) {
      throw new PainterlyError('BAD_ARGUMENT', `--${flag} is an option of ${modesOf(name).join(' and ')} jobs, not ${mode}. See \`painterly ${command} --help\`.`);
    }
    const raw = values[flag];
    given[name] = typeof raw === 'boolean' ? raw !== negated(name) : fromText(name, String(raw));
  }
  const parsed = parseJobOptions(given, CLI_CONTEXT);
  return { given: parsed as Extract<JobOptions, { mode: M }>, resolved: resolveJobOptions(parsed, limits, CLI_CONTEXT) as Extract<ResolvedJobOptions, { mode: M }> };
}

// ---- --help -------------------------------------------------------------------------------------

/** What the option defaults to, in words: "5", "700, preview 350", "affine". */
function defaultText(name: OptionName): string {
  const mode = modesOf(name)[0];
  const full = String(defaultOf(mode, name, 'full'));
  const preview = String(defaultOf(mode, name, 'preview'));
  return full === preview ? full : `${full}, preview ${preview}`;
}

/** One --help line: flag and placeholder in the first column, then help, range and default. */
function optionHelpLine(name: OptionName, modes: readonly Mode[]): string {
  const spec = optionSpec(name);
  const [flag, ...aliases] = flagsOf(name);
  const left = `  --${flag}${spec.placeholder ? ` ${spec.placeholder}` : ''}`;
  // Listing options of several modes: say which mode an option belongs to when not all.
  const only = modesOf(name).length < modes.length ? `[${modesOf(name).join(', ')}] ` : '';
  const also = aliases.length ? `; also ${aliases.map((a) => `--${a}`).join(', ')}` : '';
  let text: string;
  if (spec.kind === 'boolean') text = `${spec.default ? 'skip' : 'add'} ${spec.help} (default: ${spec.default ? 'on' : 'off'}${also})`;
  else if (spec.kind === 'choice') text = `${spec.help} (${spec.values.join(' | ')}; default ${defaultText(name)}${also})`;
  else text = `${spec.help} (${spec.min} to ${spec.max}; default ${defaultText(name)}${also})`;
  return `${left.padEnd(24)}${only}${text}`;
}

/** The --help lines of every job option of `modes`, in the table's order. */
export function jobOptionsHelp(modes: readonly Mode[]): string {
  return namesFor(modes).map((name) => optionHelpLine(name, modes)).join('\n');
}
