// The model API for the panel (via the companion's protocol): which models exist, what they cost
// and enable, and an installer with byte progress and cancel. The panel may only name a model
// from the catalogue: anything else (a URL, a path) is refused before any I/O happens.
import { statSync } from 'node:fs';
import { BACKBONE_PRESETS, type BackboneName, type BackbonePreset } from '../../../shared/catalogue.js';
import { PainterlyError } from '../../../shared/errors.js';
import { cacheDir, modelPath } from './cache.js';
import { fetchModel, type FetchOptions } from './fetch.js';
import { BACKBONES_BY_MODEL } from './model-names.js';
import { DOWNLOADABLE_MODELS, getSources, isDownloadableModel, MODEL_CATALOG, sourceHost, type DownloadableModel } from './sources.js';

export interface KnownModel {
  name: DownloadableModel;
  /** For people: "SqueezeNet 1.1". */
  title: string;
  license: string;
  /** Bytes the first (canonical) source downloads. */
  downloadBytes: number;
  installed: boolean;
  /** Size of the installed file, when installed. */
  installedBytes?: number;
  /** Backbones this model makes available. */
  backbones: BackboneName[];
  /** Panel presets those backbones serve ('Best', 'Faster', 'Draft'). */
  presets: Array<BackbonePreset['label']>;
  /** Where it is downloaded from, in the order tried. */
  sources: Array<{ title: string; host: string; bytes: number }>;
}

export interface ModelQueryOptions {
  dir?: string;
  env?: NodeJS.ProcessEnv;
}

/** Every model `installModel` accepts, with its size, licence, status and what it enables. */
export function listKnownModels(opts: ModelQueryOptions = {}): KnownModel[] {
  const dir = opts.dir ?? cacheDir();
  return DOWNLOADABLE_MODELS.map((name) => {
    const entry = MODEL_CATALOG[name];
    const sources = getSources(name, opts.env);
    const backbones = BACKBONES_BY_MODEL[name] as BackboneName[];
    let installedBytes: number | undefined;
    try {
      installedBytes = statSync(modelPath(name, dir)).size;
    } catch {
      installedBytes = undefined;
    }
    return {
      name,
      title: entry.title,
      license: entry.license,
      downloadBytes: sources[0].bytes,
      installed: installedBytes !== undefined,
      ...(installedBytes !== undefined ? { installedBytes } : {}),
      backbones,
      presets: BACKBONE_PRESETS.filter((p) => backbones.includes(p.backbone)).map((p) => p.label),
      sources: sources.map((s) => ({ title: s.title, host: sourceHost(s), bytes: s.bytes })),
    };
  });
}

export interface InstallProgress {
  model: DownloadableModel;
  /** Title of the source being downloaded (changes when one fails and the next is tried). */
  source: string;
  bytesDone: number;
  bytesTotal?: number;
  /** Average over the last few seconds; 0 until two samples exist. */
  bytesPerSecond: number;
  /** Estimated from the speed; absent while unknown. */
  secondsLeft?: number;
}

export interface InstallOptions extends ModelQueryOptions {
  onProgress?: (p: InstallProgress) => void;
  /** Called when a source fails and the next one is tried, with the reason. */
  onSourceFailed?: (source: string, message: string) => void;
  signal?: AbortSignal;
  /** Least time between two progress reports (the last one is always sent). Default 200 ms. */
  progressIntervalMs?: number;
  /** Clock in milliseconds (tests pass a fake one). */
  now?: () => number;
  /** For tests: replaces the sources and network timeouts. */
  fetch?: Pick<FetchOptions, 'sources' | 'connectTimeoutMs' | 'idleTimeoutMs' | 'resumeAttempts'>;
}

export interface InstallOutcome {
  model: DownloadableModel;
  file: string;
  /** Title of the source that worked. */
  source: string;
  /** Backbones now available. */
  backbones: BackboneName[];
  /** Sources that failed first, with why. */
  failures: Array<{ source: string; message: string }>;
}

const SPEED_WINDOW_MS = 5000;

/** Speed over a sliding window of samples, reset when the source changes. */
export function createRateMeter(now: () => number) {
  let samples: Array<[number, number]> = [];
  return {
    reset(): void {
      samples = [];
    },
    add(bytes: number): number {
      const t = now();
      samples.push([t, bytes]);
      while (samples.length > 2 && t - samples[1][0] >= SPEED_WINDOW_MS) samples.shift();
      const [t0, b0] = samples[0];
      return t > t0 ? ((bytes - b0) * 1000) / (t - t0) : 0;
    },
  };
}

/** Installs in progress, by cache folder and model. */
const running = new Map<string, Promise<InstallOutcome>>();

/**
 * Downloads and installs a model named in the catalogue, reporting bytes, speed and time left.
 * Aborting `signal` stops the download (CANCELLED) and keeps the bytes for the next try. A second
 * install of a model already being installed is refused with BUSY.
 */
export function installModel(name: unknown, opts: InstallOptions = {}): Promise<InstallOutcome> {
  if (typeof name !== 'string' || !isDownloadableModel(name)) {
    const shown = typeof name === 'string' ? `"${name.slice(0, 80)}"` : `a ${typeof name}`;
    return Promise.reject(new PainterlyError('BAD_ARGUMENT', `Cannot install ${shown}: choose one of ${DOWNLOADABLE_MODELS.join(', ')}.`));
  }
  const key = `${opts.dir ?? cacheDir()}\0${name}`;
  if (running.has(key)) return Promise.reject(new PainterlyError('BUSY', `${MODEL_CATALOG[name].title} is already being installed.`));
  const job = runInstall(name, opts).finally(() => running.delete(key));
  running.set(key, job);
  return job;
}

async function runInstall(model: DownloadableModel, opts: InstallOptions): Promise<InstallOutcome> {
  const now = opts.now ?? Date.now;
  const interval = opts.progressIntervalMs ?? 200;
  const meter = createRateMeter(now);
  let source = '';
  let lastSent = -Infinity;
  const result = await fetchModel(model, {
    ...opts.fetch,
    dir: opts.dir,
    env: opts.env,
    signal: opts.signal,
    onSource: (s) => {
      source = s.title;
      meter.reset();
      lastSent = -Infinity;
    },
    onSourceFailed: (s, e) => opts.onSourceFailed?.(s.title, e.message),
    onProgress: (bytesDone, bytesTotal) => {
      const bytesPerSecond = meter.add(bytesDone);
      const t = now();
      const finished = bytesTotal !== undefined && bytesDone >= bytesTotal;
      if (t - lastSent < interval && !finished) return;
      lastSent = t;
      const secondsLeft = bytesTotal !== undefined && bytesPerSecond > 0 ? (bytesTotal - bytesDone) / bytesPerSecond : undefined;
      opts.onProgress?.({ model, source, bytesDone, bytesTotal, bytesPerSecond, ...(secondsLeft !== undefined ? { secondsLeft } : {}) });
    },
  });
  return {
    model,
    file: result.file,
    source: result.source.title,
    backbones: BACKBONES_BY_MODEL[model] as BackboneName[],
    failures: result.failures.map((f) => ({ source: f.source.title, message: f.error.message })),
  };
}
