// Option parsing shared by the CLI commands: node:util parseArgs with its errors turned into
// BAD_ARGUMENT pointing at the command's --help, and numeric options checked in one place.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { PainterlyError } from '../../shared/errors.js';

export function parseOptions<T extends ParseArgsConfig>(command: string, config: T): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (e) {
    throw new PainterlyError('BAD_ARGUMENT', `${(e as Error).message}. See \`painterly ${command} --help\`.`);
  }
}

/** A numeric option's value, or `fallback` when it was not given. */
export function numberOption(v: string | undefined, name: string, fallback: number): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n)) throw new PainterlyError('BAD_ARGUMENT', `Expected a number for --${name}, got '${v}'.`);
  return n;
}
