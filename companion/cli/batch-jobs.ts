// `painterly batch JOBS`: what the jobs are. JOBS is a folder of NAME_painting / NAME_composite /
// NAME_mask images (and optionally NAME_dilated-mask), or a JSON or CSV manifest listing them with
// per-job options. Options are the same as `harmonize`'s, checked by the same table
// (shared/options.ts) as the command line and the protocol; a bad manifest is refused whole, before
// the model is loaded. Missing or unreadable images fail only their own job, when it runs.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { expected, PainterlyError } from '../../shared/errors.js';
import { DEFAULT_LIMITS } from '../../shared/limits.js';
import { JOB_OPTIONS, optionsOf, optionSpec, type OptionContext, type OptionName } from '../../shared/options.js';
import type { HarmonizeJobOptions, ResolvedHarmonizeOptions } from '../../shared/protocol.js';
import { parseJobOptions, resolveJobOptions } from '../../shared/validate.js';
import { flagsOf } from './options.js';

export interface BatchJob {
  name: string;
  painting: string;
  composite: string;
  mask: string;
  dilatedMask?: string;
  out: string;
  options: ResolvedHarmonizeOptions;
  /** Why the job cannot run (an image missing from a folder); it fails with this when its turn comes. */
  problem?: PainterlyError;
}

const IMAGE_EXT = /\.(png|jpe?g|tiff?|webp)$/i;
const ROLES = { painting: 'painting', composite: 'composite', mask: 'mask', 'dilated-mask': 'dilatedMask' } as const;
const FILE_FIELDS = ['name', 'painting', 'composite', 'mask', 'dilatedMask', 'out'] as const;
const HARMONIZE_OPTIONS = optionsOf('harmonize');

/** Plain decimal notation in CSV cells, as on the command line. */
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

function contextAt(where: string): OptionContext {
  return { label: (name) => `${where}${name}`, typeCode: 'BAD_ARGUMENT' };
}

/** The batch's options with one job's overrides, checked by the option table. The backbone is the batch's. */
function jobOptions(base: HarmonizeJobOptions, overrides: Record<string, unknown>, where: string): ResolvedHarmonizeOptions {
  if (overrides.backbone !== undefined && overrides.backbone !== (base.backbone ?? JOB_OPTIONS.backbone.default)) {
    throw new PainterlyError('BAD_ARGUMENT', `${where}backbone: the backbone is the batch's (the model is loaded once): use --backbone for all jobs.`);
  }
  const ctx = contextAt(where);
  const parsed = parseJobOptions({ ...base, ...overrides, mode: 'harmonize' }, ctx);
  return resolveJobOptions(parsed, DEFAULT_LIMITS, ctx) as ResolvedHarmonizeOptions;
}

// ---- a folder ------------------------------------------------------------------------------------

function folderJobs(dir: string, outDir: string, base: HarmonizeJobOptions): BatchJob[] {
  const groups = new Map<string, Partial<Record<(typeof ROLES)[keyof typeof ROLES], string[]>>>();
  for (const file of readdirSync(dir).sort()) {
    if (!IMAGE_EXT.test(file)) continue;
    const m = /^(.+)_(painting|composite|mask|dilated-mask)$/.exec(basename(file, extname(file)));
    if (!m) continue;
    const role = ROLES[m[2] as keyof typeof ROLES];
    const g = groups.get(m[1]) ?? {};
    (g[role] ??= []).push(join(dir, file));
    groups.set(m[1], g);
  }
  if (groups.size === 0) {
    throw new PainterlyError('BAD_ARGUMENT', `No jobs in ${dir}: name the files NAME_painting, NAME_composite and NAME_mask (.png, .jpg, .tif or .webp), or give a .json or .csv manifest.`);
  }
  const options = jobOptions(base, {}, '');
  return [...groups].map(([name, g]) => {
    const one = (role: 'painting' | 'composite' | 'mask'): string => g[role]?.[0] ?? join(dir, `${name}_${role}`);
    const twice = (['painting', 'composite', 'mask', 'dilatedMask'] as const).find((r) => (g[r]?.length ?? 0) > 1);
    const missing = (['painting', 'composite', 'mask'] as const).filter((r) => !g[r]);
    const problem = twice
      ? new PainterlyError('BAD_ARGUMENT', `Job ${name} has ${g[twice]!.length} ${twice} files (${g[twice]!.map((f) => basename(f)).join(', ')}); keep one.`)
      : missing.length
        ? new PainterlyError('FILE_NOT_FOUND', `Job ${name} has no ${missing.map((r) => `${name}_${r}`).join(' or ')} file in ${dir}.`)
        : undefined;
    return {
      name,
      painting: one('painting'),
      composite: one('composite'),
      mask: one('mask'),
      ...(g.dilatedMask ? { dilatedMask: g.dilatedMask[0] } : {}),
      out: join(outDir, `${name}.png`),
      options,
      ...(problem ? { problem } : {}),
    };
  });
}

// ---- a manifest ----------------------------------------------------------------------------------

/** A manifest's column or key for an option: the protocol name (`pass1Iters`) or the CLI flag (`pass1-iters`). */
function optionNamed(key: string): OptionName | undefined {
  return HARMONIZE_OPTIONS.find((n) => n === key || flagsOf(n).includes(key) || optionSpec(n).flag === key);
}

/** A CSV cell as the option's type ('' is "not set"); anything else is left for the type check to refuse. */
function fromCell(name: OptionName, text: string): unknown {
  const kind = optionSpec(name).kind;
  if (kind === 'integer' || kind === 'number') return DECIMAL.test(text) ? Number(text) : text;
  if (kind === 'boolean') return text === 'true' ? true : text === 'false' ? false : text;
  return text;
}

interface Row {
  where: string;
  fields: Record<string, unknown>;
}

function manifestJob(row: Row, root: string, outDir: string, base: HarmonizeJobOptions, index: number, fromCsv: boolean): BatchJob {
  const { where, fields } = row;
  const overrides: Record<string, unknown> = {};
  const files: Record<string, string> = {};
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined || value === '' || value === null) continue;
    if ((FILE_FIELDS as readonly string[]).includes(key) || key === 'dilated-mask') {
      if (typeof value !== 'string') throw expected(`${where}${key}`, 'a file name', value, 'BAD_ARGUMENT');
      files[key === 'dilated-mask' ? 'dilatedMask' : key] = value;
      continue;
    }
    const option = optionNamed(key);
    if (!option) throw new PainterlyError('BAD_ARGUMENT', `Unknown field \`${where}${key}\`; a job has ${FILE_FIELDS.join(', ')} and the options ${HARMONIZE_OPTIONS.join(', ')}.`);
    overrides[option] = fromCsv ? fromCell(option, String(value)) : value;
  }
  for (const need of ['painting', 'composite', 'mask'] as const) {
    if (!files[need]) throw new PainterlyError('BAD_ARGUMENT', `${where.replace(/\.$/, '') || 'A job'} has no ${need}.`);
  }
  const name = files.name ?? (basename(files.composite, extname(files.composite)).replace(/_composite$/, '') || `job${index + 1}`);
  if (!/^[\w.-]{1,100}$/.test(name)) throw new PainterlyError('BAD_ARGUMENT', `${where}name '${name}' may hold letters, digits, '.', '_' and '-' only.`);
  const at = (f: string) => resolve(root, f);
  return {
    name,
    painting: at(files.painting),
    composite: at(files.composite),
    mask: at(files.mask),
    ...(files.dilatedMask ? { dilatedMask: at(files.dilatedMask) } : {}),
    out: files.out ? at(files.out) : join(outDir, `${name}.png`),
    options: jobOptions(base, overrides, where),
  };
}

function jsonRows(text: string, file: string): Row[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new PainterlyError('BAD_ARGUMENT', `${file} is not valid JSON: ${(e as Error).message}`);
  }
  const list = Array.isArray(data) ? data : typeof data === 'object' && data !== null && Array.isArray((data as { jobs?: unknown }).jobs) ? (data as { jobs: unknown[] }).jobs : undefined;
  if (!list) throw new PainterlyError('BAD_ARGUMENT', `${file} must hold a list of jobs, or an object with a "jobs" list.`);
  return list.map((fields, i) => {
    if (typeof fields !== 'object' || fields === null || Array.isArray(fields)) throw expected(`jobs[${i}]`, 'an object', fields, 'BAD_ARGUMENT');
    return { where: `jobs[${i}].`, fields: fields as Record<string, unknown> };
  });
}

function csvRows(text: string, file: string): Row[] {
  let records: Record<string, string>[];
  try {
    records = parseCsv(text, { columns: true, skip_empty_lines: true, trim: true, bom: true }) as Record<string, string>[];
  } catch (e) {
    throw new PainterlyError('BAD_ARGUMENT', `${file} is not a CSV table with a header row: ${(e as Error).message}`);
  }
  return records.map((fields, i) => ({ where: `row ${i + 2}, column `, fields }));
}

/** The jobs of JOBS (a folder or a manifest), in order; `outDir` holds outputs that name no `out`. */
export function readBatchJobs(jobsPath: string, base: HarmonizeJobOptions, outDir?: string): BatchJob[] {
  let isDir: boolean;
  try {
    isDir = statSync(jobsPath).isDirectory();
  } catch {
    throw new PainterlyError('FILE_NOT_FOUND', `${jobsPath} does not exist: give a folder of NAME_painting/NAME_composite/NAME_mask images or a .json or .csv manifest.`);
  }
  const root = isDir ? jobsPath : dirname(jobsPath);
  const out = outDir ?? join(root, 'harmonized');
  if (isDir) return folderJobs(jobsPath, out, base);
  const kind = extname(jobsPath).toLowerCase();
  if (kind !== '.json' && kind !== '.csv') throw new PainterlyError('BAD_ARGUMENT', `${jobsPath}: a manifest is a .json or .csv file.`);
  const text = readFileSync(jobsPath, 'utf8');
  const rows = kind === '.json' ? jsonRows(text, jobsPath) : csvRows(text, jobsPath);
  if (rows.length === 0) throw new PainterlyError('BAD_ARGUMENT', `${jobsPath} lists no jobs.`);
  const jobs = rows.map((r, i) => manifestJob(r, root, out, base, i, kind === '.csv'));
  const seen = new Map<string, string>();
  for (const j of jobs) {
    const other = seen.get(j.out);
    if (other) throw new PainterlyError('BAD_ARGUMENT', `Jobs ${other} and ${j.name} would both write ${j.out}: give them different names or outs.`);
    seen.set(j.out, j.name);
  }
  return jobs;
}
