// `painterly models fetch|import|list|verify`: installs, shows and re-checks model weights.
// Parses arguments and delegates to companion/compute/weights, which the companion server uses too.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { PainterlyError } from '../../shared/errors.js';
import { cacheDir, CACHE_DIR_ENV, downloadsDir, listModels, modelPath } from '../compute/weights/cache.js';
import { fetchModel } from '../compute/weights/fetch.js';
import { importModel } from '../compute/weights/import.js';
import { BACKBONES_BY_MODEL, type ModelName } from '../compute/weights/model-names.js';
import { readSafetensorsHeader } from '../compute/weights/safetensors.js';
import { DOWNLOADABLE_MODELS, getCatalogEntry, MODEL_BASE_URL_ENV, MODEL_CATALOG, sourceHost } from '../compute/weights/sources.js';
import { verifyModels } from '../compute/weights/verify.js';
import type { Command } from './command.js';
import { parseOptions } from './options.js';
import { formatBytes, type ProgressBar } from './progress-bar.js';
import { withInterrupt } from './interrupt.js';

function usage(): string {
  const sizes = DOWNLOADABLE_MODELS.map((m) => `${m} ${formatBytes(MODEL_CATALOG[m].sources[0].bytes)}`).join(', ');
  return [
    'Usage: painterly models <fetch|import|list|verify> [options]',
    '',
    `  painterly models fetch NAME      Download a model, check it and install it: ${DOWNLOADABLE_MODELS.join(', ')}`,
    `                                   (${sizes}). Each has mirrors, tried in turn if one fails.`,
    '                                   A cut download resumes when run again; Ctrl-C keeps what was received.',
    '  painterly models import PATH     Install weights you already have (machines without internet):',
    '                                   the Keras VGG-19 .h5, a .caffemodel (SqueezeNet 1.1, BVLC GoogLeNet, VGG-19),',
    '                                   googlenet-12.onnx, a caffejs models/squeezenet or models/bvlc_googlenet',
    '                                   folder, or a .safetensors file.',
    '  painterly models list [--json]   Show the installed models, their size and the backbones they enable.',
    '  painterly models verify [--json] Re-check the installed files; exits with 1 if one is corrupt.',
    '',
    'Options:',
    '  --force       fetch: download again even when the model is installed',
    '  --json        list, verify: print JSON',
    '  -h, --help    show this help',
    '',
    `Cache folder: ${cacheDir()} (set ${CACHE_DIR_ENV} to use another one).`,
    `Mirror: set ${MODEL_BASE_URL_ENV}=https://host/folder to download every file from <folder>/ under its usual name.`,
    'Where each model comes from, its licence and the files import accepts: docs/models.md.',
  ].join('\n');
}

const HELP = { help: { type: 'boolean', short: 'h' } } as const;

async function fetchCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseOptions('models', { args, options: { ...HELP, force: { type: 'boolean' } }, allowPositionals: true, strict: true });
  if (values.help) return printUsage();
  if (positionals.length !== 1) {
    throw new PainterlyError('BAD_ARGUMENT', `Name one model to fetch; available: ${DOWNLOADABLE_MODELS.join(', ')}.`);
  }
  const entry = getCatalogEntry(positionals[0]);
  const name = entry.name;
  const installed = modelPath(name);
  if (existsSync(installed) && !values.force) {
    console.log(`${name} is already installed: ${installed} (${formatBytes(statSync(installed).size)}). Use --force to download it again.`);
    return 0;
  }
  // Ctrl-C aborts the transfer but keeps the partial download, so the next run resumes.
  return withInterrupt(async (signal, bar) => {
    await downloadModel(name, signal, bar);
    return 0;
  }, '');
}

/**
 * Fetches a catalogue model with a progress bar and says what was installed and checked (also
 * `painterly serve`'s first-start download). Throws what fetchModel throws.
 */
export async function downloadModel(name: string, signal: AbortSignal, bar: ProgressBar): Promise<void> {
  const entry = getCatalogEntry(name);
  let label = `Downloading ${name}`;
  const result = await fetchModel(name, {
    signal,
    onSource: (s, i, n) => {
      label = n > 1 ? `Downloading ${name} (${i + 1}/${n}: ${sourceHost(s)})` : `Downloading ${name}`;
    },
    onSourceFailed: (s, e) => {
      bar.done();
      console.error(`${s.title} failed: ${e.message}\nTrying the next source…`);
    },
    onProgress: (current, total) => bar.update({ label, current, total, unit: 'bytes' }),
  });
  bar.done();
  if (result.resumedFrom > 0) console.log(`Resumed a previous download at ${formatBytes(result.resumedFrom)}.`);
  const fileCheck = result.sha256 ? `file checksum verified (SHA-256 ${result.sha256})` : 'every file checked against its pinned SHA-256';
  console.log(`Downloaded ${result.source.title} from ${new URL(result.url).host}; ${fileCheck}.`);
  if (entry.tensorsSha256) console.log(`The converted weights are the official ${entry.title} weights (tensor digest ${result.tensorsSha256}).`);
  const layers = result.layers.length > 0 ? ` (${result.layers.length} conv layers)` : '';
  console.log(`Installed ${result.model}${layers} in ${result.file}.`);
  console.log(`Backbones now available: ${BACKBONES_BY_MODEL[result.model].join(', ')}. Licence: ${entry.license}.`);
}

async function importCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseOptions('models', { args, options: HELP, allowPositionals: true, strict: true });
  if (values.help) return printUsage();
  if (positionals.length !== 1) throw new PainterlyError('BAD_ARGUMENT', 'Name one file or folder to import: `painterly models import PATH`.');
  const result = await importModel(positionals[0]);
  const layers = result.layers.length > 0 ? ` with ${result.layers[0]} … ${result.layers[result.layers.length - 1]}` : '';
  console.log(`Installed ${result.model}${layers} from a ${result.format} source in ${result.file}.`);
  if (result.official === true) console.log(result.format === 'keras-vgg19-h5' ? 'The file matches the official checksum.' : 'These are the official weights (tensor digest matches).');
  if (result.official === false) {
    console.log(
      result.format === 'keras-vgg19-h5'
        ? 'Note: this file differs from the official Keras release (MD5 or size); it was installed anyway.'
        : 'Note: these weights differ from the official ones (tensor digest); they were installed anyway.',
    );
  }
  console.log(`Backbones now available: ${BACKBONES_BY_MODEL[result.model].join(', ')}.`);
  return 0;
}

interface ListedModel {
  name: string;
  file: string;
  bytes: number;
  backbones: string[];
  layers?: string[];
  sourceSha256?: string;
  tensorsSha256?: string;
}

async function listCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseOptions('models', { args, options: { ...HELP, json: { type: 'boolean' } }, allowPositionals: true, strict: true });
  if (values.help) return printUsage();
  if (positionals.length > 0) throw new PainterlyError('BAD_ARGUMENT', '`painterly models list` takes no arguments.');
  const dir = cacheDir();
  const models: ListedModel[] = [];
  for (const m of await listModels(dir)) {
    const entry: ListedModel = { name: m.name, file: m.file, bytes: m.bytes, backbones: [...(BACKBONES_BY_MODEL[m.name as ModelName] ?? [])] };
    try {
      const { metadata } = await readSafetensorsHeader(m.file);
      if (metadata.layers) entry.layers = metadata.layers.split(',');
      if (metadata.source_sha256) entry.sourceSha256 = metadata.source_sha256;
      if (metadata.tensors_sha256) entry.tensorsSha256 = metadata.tensors_sha256;
    } catch {
      // A damaged file is still listed, so the user can see it and fetch or import again.
    }
    models.push(entry);
  }
  const partial = partialDownloads(dir);
  if (values.json) {
    console.log(JSON.stringify({ cacheDir: dir, models, partialDownloads: partial }, null, 2));
    return 0;
  }
  if (models.length === 0) {
    console.log(`No models installed in ${dir}.`);
    console.log(`Get one with \`npx painterly models fetch NAME\` (${DOWNLOADABLE_MODELS.join(', ')}), or install a file with \`npx painterly models import FILE\`.`);
  } else {
    console.log(`Models in ${dir}:`);
    const width = Math.max(...models.map((m) => m.name.length));
    for (const m of models) {
      const backbones = m.backbones.length > 0 ? m.backbones.join(', ') : 'none (unknown model)';
      const layers = m.layers && m.layers.length > 0 ? `  layers ${m.layers[0]} … ${m.layers[m.layers.length - 1]}` : '';
      console.log(`  ${m.name.padEnd(width)}  ${formatBytes(m.bytes).padStart(8)}  backbones: ${backbones}${layers}`);
    }
  }
  for (const p of partial) console.log(`An unfinished download (${formatBytes(p.bytes)}) waits in ${p.file}: run \`npx painterly models fetch NAME\` again to resume it.`);
  return 0;
}

async function verifyCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseOptions('models', { args, options: { ...HELP, json: { type: 'boolean' } }, allowPositionals: true, strict: true });
  if (values.help) return printUsage();
  if (positionals.length > 0) throw new PainterlyError('BAD_ARGUMENT', '`painterly models verify` takes no arguments.');
  const dir = cacheDir();
  const reports = await verifyModels(dir);
  const corrupt = reports.filter((r) => r.status === 'corrupt');
  if (values.json) {
    console.log(JSON.stringify({ cacheDir: dir, models: reports }, null, 2));
    return corrupt.length > 0 ? 1 : 0;
  }
  console.log(`Checking the models in ${dir}:`);
  const width = Math.max(...reports.map((r) => r.model.length));
  const label = { ok: 'OK', corrupt: 'CORRUPT', missing: 'missing', unverified: 'unverified' } as const;
  for (const r of reports) {
    const size = r.bytes !== undefined ? `${formatBytes(r.bytes)}, ` : '';
    console.log(`  ${r.model.padEnd(width)}  ${label[r.status].padEnd(10)}  ${size}${r.detail}${r.status === 'missing' ? ` Install it: ${r.fix}` : ''}`);
  }
  for (const r of corrupt) console.log(`${r.model} is corrupt. Fix: ${r.fix} (downloads and replaces it; \`models import FILE\` works too).`);
  for (const r of reports.filter((x) => x.status === 'unverified')) console.log(`${r.model} cannot be verified. To make it verifiable: ${r.fix}.`);
  if (corrupt.length === 0) console.log('No corrupt model found.');
  return corrupt.length > 0 ? 1 : 0;
}

function partialDownloads(dir: string): Array<{ file: string; bytes: number }> {
  const downloads = downloadsDir(dir);
  if (!existsSync(downloads)) return [];
  const found: Array<{ file: string; bytes: number }> = readdirSync(downloads)
    .filter((f) => f.endsWith('.part'))
    .map((f) => ({ file: join(downloads, f), bytes: statSync(join(downloads, f)).size }));
  // caffejs blobs arrive as many small files: count the folder as one unfinished download.
  const caffejs = join(downloads, 'caffejs');
  if (existsSync(caffejs)) {
    for (const net of readdirSync(caffejs)) {
      const bytes = folderBytes(join(caffejs, net));
      if (bytes > 0) found.push({ file: join(caffejs, net), bytes });
    }
  }
  return found;
}

function folderBytes(dir: string): number {
  let sum = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    sum += e.isDirectory() ? folderBytes(p) : statSync(p).size;
  }
  return sum;
}

function printUsage(): number {
  console.log(usage());
  return 0;
}

export const command: Command = {
  summary: 'Manage model weights (painterly models fetch|import|list|verify).',
  async run(argv) {
    const [sub, ...rest] = argv;
    switch (sub) {
      case undefined:
      case '--help':
      case '-h':
      case 'help':
        return printUsage();
      case 'fetch':
        return fetchCommand(rest);
      case 'import':
        return importCommand(rest);
      case 'list':
        return listCommand(rest);
      case 'verify':
        return verifyCommand(rest);
      default:
        throw new PainterlyError('BAD_ARGUMENT', `Unknown models command "${sub}"; use fetch, import, list or verify.`);
    }
  },
};
