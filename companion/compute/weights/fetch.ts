// `painterly models fetch NAME`: downloads a model from its sources in order, checks the file(s)
// against their pinned size and checksum, converts them, checks the converted tensors against the
// pinned digest, and installs them. A source that fails any check is reported and the next one is
// tried. Unfinished downloads stay in `downloads/` for the next run; Ctrl-C stops at once.
import { existsSync } from 'node:fs';
import { rm, rmdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { isPainterlyError, PainterlyError } from '../../../shared/errors.js';
import { cacheDir, downloadsDir } from './cache.js';
import { CAFFEJS_FOLDERS, caffejsFiles } from './caffejs.js';
import { convertWeights } from './convert.js';
import { downloadFile, partPath } from './download.js';
import { checkWeightsFor, installChecked, requireOfficial, type CheckedWeights } from './install.js';
import { getCatalogEntry, getSources, sourceHost, type CaffejsSource, type DownloadableModel, type FileSource, type ModelSource } from './sources.js';

export interface FetchOptions {
  dir?: string;
  /** Replaces the catalogue's sources (tests point them at a local server). */
  sources?: readonly ModelSource[];
  /** Bytes of the current source received so far, and its total. */
  onProgress?: (received: number, total: number | undefined) => void;
  /** Called before each source is tried. */
  onSource?: (source: ModelSource, index: number, count: number) => void;
  /** Called when a source fails and the next one (if any) is tried. */
  onSourceFailed?: (source: ModelSource, error: PainterlyError) => void;
  signal?: AbortSignal;
  connectTimeoutMs?: number;
  idleTimeoutMs?: number;
  resumeAttempts?: number;
  env?: NodeJS.ProcessEnv;
}

export interface FetchResult {
  model: DownloadableModel;
  file: string;
  layers: string[];
  /** The source that worked. */
  source: ModelSource;
  url: string;
  /** Bytes of that source (file or blobs). */
  bytes: number;
  /** SHA-256 of the downloaded file (single-file sources). */
  sha256?: string;
  /** Bytes already on disk from an earlier run when this one started. */
  resumedFrom: number;
  tensorsSha256: string;
  /** Sources that failed before, with why. */
  failures: Array<{ source: ModelSource; error: PainterlyError }>;
}

interface Downloaded {
  /** File or caffejs folder to convert. */
  path: string;
  url: string;
  sha256?: string;
  resumedFrom: number;
  /** Removes what this source downloaded. */
  cleanup(): Promise<void>;
}

type TransferOptions = Pick<FetchOptions, 'onProgress' | 'signal' | 'connectTimeoutMs' | 'idleTimeoutMs' | 'resumeAttempts'>;

function fileDest(dir: string, s: FileSource): string {
  return join(downloadsDir(dir), s.fileName);
}

function caffejsRoot(dir: string): string {
  return join(downloadsDir(dir), 'caffejs');
}

async function downloadSingle(s: FileSource, dir: string, opts: TransferOptions): Promise<Downloaded> {
  const dest = fileDest(dir, s);
  const r = await downloadFile({ ...opts, urls: s.urls, dest, bytes: s.bytes, sha256: s.sha256, sha1: s.sha1, md5: s.md5, hint: '' });
  return { path: r.file, url: r.url, sha256: r.sha256, resumedFrom: r.resumedFrom, cleanup: () => unlink(r.file).catch(() => {}) };
}

async function downloadCaffejs(model: 'squeezenet' | 'googlenet', s: CaffejsSource, dir: string, opts: TransferOptions): Promise<Downloaded> {
  const root = caffejsRoot(dir);
  const folder = join(root, CAFFEJS_FOLDERS[model]);
  let done = 0;
  let resumedFrom = 0;
  let url = '';
  for (const f of caffejsFiles(model)) {
    const dest = join(root, f.path);
    const before = existsSync(dest) ? f.bytes : 0;
    const r = await downloadFile({
      ...opts,
      urls: s.baseUrls.map((b) => `${b}/${f.path}`),
      dest,
      bytes: f.bytes,
      sha256: f.sha256,
      hint: '',
      onProgress: (received) => opts.onProgress?.(done + received, s.bytes),
    });
    resumedFrom += before || r.resumedFrom;
    done += f.bytes;
    opts.onProgress?.(done, s.bytes);
    url = r.url.endsWith(`/${f.path}`) ? r.url.slice(0, -f.path.length - 1) : r.url;
  }
  return { path: folder, url, resumedFrom, cleanup: () => rm(folder, { recursive: true, force: true }) };
}

/** Sources with bytes already on disk go first, so an interrupted download resumes where it was. */
function resumableFirst(sources: readonly ModelSource[], model: DownloadableModel, dir: string): ModelSource[] {
  const started = (s: ModelSource): boolean =>
    s.kind === 'file'
      ? existsSync(partPath(fileDest(dir, s))) || existsSync(fileDest(dir, s))
      : model !== 'vgg19' && existsSync(join(caffejsRoot(dir), CAFFEJS_FOLDERS[model]));
  return [...sources.filter(started), ...sources.filter((s) => !started(s))];
}

/** Removes whatever any source of the model left in `downloads/` (after an install, none is needed). */
async function removeDownloads(sources: readonly ModelSource[], model: DownloadableModel, dir: string): Promise<void> {
  for (const s of sources) {
    if (s.kind === 'file') {
      for (const f of [fileDest(dir, s), partPath(fileDest(dir, s))]) await unlink(f).catch(() => {});
    } else if (model !== 'vgg19') {
      await rm(join(caffejsRoot(dir), CAFFEJS_FOLDERS[model]), { recursive: true, force: true });
    }
  }
  await rmdir(caffejsRoot(dir)).catch(() => {}); // only when no other network's blobs wait there
}

function summary(model: DownloadableModel, failures: FetchResult['failures']): PainterlyError {
  const contentOnly = failures.every((f) => ['CHECKSUM_MISMATCH', 'WEIGHTS_UNREADABLE', 'MODEL_LAYERS_MISSING'].includes(f.error.code));
  const lines = failures.map((f) => `  - ${f.source.title} (${sourceHost(f.source)}): ${f.error.message}`);
  const first = failures[0]?.source;
  const byHand = first?.kind === 'file' ? first.urls[0] : first ? `${first.baseUrls[0]}/…` : '';
  return new PainterlyError(
    contentOnly ? 'CHECKSUM_MISMATCH' : 'DOWNLOAD_FAILED',
    `Could not install ${model}: every source failed.\n${lines.join('\n')}\n` +
      `Run the command again to resume; if this machine is offline, download ${byHand} on another machine and run \`npx painterly models import FILE\` here.`,
  );
}

async function trySource(model: DownloadableModel, source: ModelSource, dir: string, opts: FetchOptions): Promise<{ d: Downloaded; checked: CheckedWeights }> {
  const d = source.kind === 'file' ? await downloadSingle(source, dir, opts) : await downloadCaffejs(model as 'squeezenet' | 'googlenet', source, dir, opts);
  try {
    const converted = await convertWeights(d.path, source.format, model);
    const checked = checkWeightsFor(model, converted.tensors, source.title, true);
    requireOfficial(checked, source.title);
    return { d, checked };
  } catch (e) {
    // Bytes that passed the file checksum but not conversion are no use on the next run either.
    await d.cleanup();
    throw e;
  }
}

/** Downloads, verifies, converts and installs `name`, trying its sources in order. */
export async function fetchModel(name: string, opts: FetchOptions = {}): Promise<FetchResult> {
  const entry = getCatalogEntry(name);
  const model = entry.name;
  const dir = opts.dir ?? cacheDir();
  const sources = resumableFirst(opts.sources ?? getSources(model, opts.env), model, dir);
  const failures: FetchResult['failures'] = [];
  for (const [i, source] of sources.entries()) {
    opts.onSource?.(source, i, sources.length);
    let result: { d: Downloaded; checked: CheckedWeights };
    try {
      result = await trySource(model, source, dir, opts);
    } catch (e) {
      if (!isPainterlyError(e) || e.code === 'CANCELLED' || e.code === 'INTERNAL') throw e;
      failures.push({ source, error: e });
      if (i < sources.length - 1) opts.onSourceFailed?.(source, e);
      continue;
    }
    const { d, checked } = result;
    const file = await installChecked(checked, dir, {
      source: source.title,
      source_format: source.format,
      source_url: d.url,
      ...(d.sha256 ? { source_sha256: d.sha256 } : {}),
    });
    await d.cleanup();
    await removeDownloads(sources, model, dir);
    return {
      model,
      file,
      layers: checked.layers,
      source,
      url: d.url,
      bytes: source.bytes,
      sha256: d.sha256,
      resumedFrom: d.resumedFrom,
      tensorsSha256: checked.digest,
      failures,
    };
  }
  throw summary(model, failures);
}
