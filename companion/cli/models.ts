// `painterly models fetch|import|list`: installs and shows model weights. Parses arguments
// and delegates to companion/compute/weights, which the companion server uses too.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { PainterlyError } from '../../shared/errors.js';
import { cacheDir, CACHE_DIR_ENV, downloadsDir, listModels, modelPath } from '../compute/weights/cache.js';
import { BACKBONES_BY_MODEL, fetchModel, importModel, type ModelName } from '../compute/weights/resolve.js';
import { readSafetensorsHeader } from '../compute/weights/safetensors.js';
import { getSource, MODEL_BASE_URL_ENV, MODEL_SOURCES } from '../compute/weights/sources.js';
import type { Command } from './main.js';
import { parseOptions } from './options.js';
import { formatBytes } from './progress-bar.js';
import { withInterrupt } from './interrupt.js';

function usage(): string {
  const v = MODEL_SOURCES.vgg19;
  return [
    'Usage: painterly models <fetch|import|list> [options]',
    '',
    `  painterly models fetch vgg19     Download the VGG-19 weights (${formatBytes(v.bytes)}), check them and install them.`,
    '                                   A cut download resumes when run again; Ctrl-C keeps what was received.',
    '  painterly models import FILE     Install weights from a file, for machines without internet:',
    `                                   the Keras file ${v.fileName}`,
    '                                   or a .safetensors file (VGG-19, SqueezeNet 1.1 or GoogLeNet).',
    '  painterly models list [--json]   Show the installed models, their size and the backbones they enable.',
    '',
    'Options:',
    '  --force       fetch: download again even when the model is installed',
    '  --json        list: print JSON',
    '  -h, --help    show this help',
    '',
    `Cache folder: ${cacheDir()} (set ${CACHE_DIR_ENV} to use another one).`,
    `Mirror: set ${MODEL_BASE_URL_ENV}=https://host/folder to download <folder>/${v.fileName} instead.`,
  ].join('\n');
}

const HELP = { help: { type: 'boolean', short: 'h' } } as const;

async function fetchCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseOptions('models', { args, options: { ...HELP, force: { type: 'boolean' } }, allowPositionals: true, strict: true });
  if (values.help) return printUsage();
  if (positionals.length !== 1) {
    throw new PainterlyError('BAD_ARGUMENT', `Name one model to fetch; available: ${Object.keys(MODEL_SOURCES).join(', ')}.`);
  }
  const name = positionals[0];
  const source = getSource(name);
  const installed = modelPath(source.name);
  if (existsSync(installed) && !values.force) {
    console.log(`${name} is already installed: ${installed} (${formatBytes(statSync(installed).size)}). Use --force to download it again.`);
    return 0;
  }
  const label = `Downloading ${name}`;
  // Ctrl-C aborts the transfer but keeps the .part file, so the next run resumes.
  return withInterrupt(async (signal, bar) => {
    const result = await fetchModel(name, {
      signal,
      onProgress: (current, total) => bar.update({ label, current, total, unit: 'bytes' }),
    });
    bar.done();
    if (result.resumedFrom > 0) console.log(`Resumed a previous download at ${formatBytes(result.resumedFrom)}.`);
    console.log(`Downloaded ${source.fileName} from ${new URL(result.url).host}; checksum verified (SHA-256 ${result.sha256}).`);
    console.log(`Installed ${result.model} (${result.layers.length} conv layers) in ${result.file}.`);
    return 0;
  }, '');
}

async function importCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseOptions('models', { args, options: HELP, allowPositionals: true, strict: true });
  if (values.help) return printUsage();
  if (positionals.length !== 1) throw new PainterlyError('BAD_ARGUMENT', 'Name one file to import: `painterly models import FILE`.');
  const result = await importModel(positionals[0]);
  const layers = result.layers.length > 0 ? ` with ${result.layers[0]} … ${result.layers[result.layers.length - 1]}` : '';
  console.log(`Installed ${result.model}${layers} in ${result.file}.`);
  if (result.official === true) console.log('The file matches the official checksum.');
  if (result.official === false) {
    console.log('Note: this file differs from the official Keras release (MD5 or size); it was installed anyway.');
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
    console.log('Get VGG-19 with `npx painterly models fetch vgg19`, or install a file with `npx painterly models import FILE`.');
  } else {
    console.log(`Models in ${dir}:`);
    const width = Math.max(...models.map((m) => m.name.length));
    for (const m of models) {
      const backbones = m.backbones.length > 0 ? m.backbones.join(', ') : 'none (unknown model)';
      const layers = m.layers && m.layers.length > 0 ? `  layers ${m.layers[0]} … ${m.layers[m.layers.length - 1]}` : '';
      console.log(`  ${m.name.padEnd(width)}  ${formatBytes(m.bytes).padStart(8)}  backbones: ${backbones}${layers}`);
    }
  }
  for (const p of partial) console.log(`An unfinished download (${formatBytes(p.bytes)}) waits in ${p.file}: run \`npx painterly models fetch\` again to resume it.`);
  return 0;
}

function partialDownloads(dir: string): Array<{ file: string; bytes: number }> {
  const downloads = downloadsDir(dir);
  if (!existsSync(downloads)) return [];
  return readdirSync(downloads)
    .filter((f) => f.endsWith('.part'))
    .map((f) => ({ file: join(downloads, f), bytes: statSync(join(downloads, f)).size }));
}

function printUsage(): number {
  console.log(usage());
  return 0;
}

export const command: Command = {
  summary: 'Manage model weights (painterly models fetch|import|list).',
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
      default:
        throw new PainterlyError('BAD_ARGUMENT', `Unknown models command "${sub}"; use fetch, import or list.`);
    }
  },
};
