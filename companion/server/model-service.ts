// The companion's ModelService: the model manager (companion/compute/weights/model-manager.ts),
// loaded on first use so the server starts without it. Where models come from is fixed here, at
// start-up (the catalogue, PAINTERLY_MODEL_BASE_URL, or a test's `fetch.sources`): no message can
// change it.
import type { InstallableModel } from '../../shared/catalogue.js';
import type { DownloadableModel } from '../compute/weights/sources.js';
import type { InstallOptions } from '../compute/weights/model-manager.js';
import type { ModelService } from './model-installs.js';

// The protocol's list of installable models and the catalogue's must be the same: this line
// stops the build when one gains or loses a name.
const SAME_MODELS: [InstallableModel] extends [DownloadableModel] ? ([DownloadableModel] extends [InstallableModel] ? true : never) : never = true;
void SAME_MODELS;

export interface ModelServiceOptions {
  /** Cache folder; default the user's (PAINTERLY_CACHE_DIR). */
  dir?: string;
  /** Environment read for the mirror (PAINTERLY_MODEL_BASE_URL); default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Tests: other sources and network timeouts. */
  fetch?: InstallOptions['fetch'];
  /** Least time between progress reports. Default 200 ms. */
  progressIntervalMs?: number;
}

export function createModelService(opts: ModelServiceOptions = {}): ModelService {
  const manager = () => import('../compute/weights/model-manager.js');
  return {
    async list() {
      const { listKnownModels } = await manager();
      return listKnownModels({ dir: opts.dir, env: opts.env }).map((m) => ({
        name: m.name,
        title: m.title,
        license: m.license,
        downloadBytes: m.downloadBytes,
        installed: m.installed,
        backbones: m.backbones,
        presets: m.presets,
        hosts: [...new Set(m.sources.map((s) => s.host))],
      }));
    },
    async install(model, hooks) {
      const { installModel } = await manager();
      const out = await installModel(model, {
        dir: opts.dir,
        env: opts.env,
        fetch: opts.fetch,
        progressIntervalMs: opts.progressIntervalMs,
        signal: hooks.signal,
        onProgress: ({ source, bytesDone, bytesTotal, bytesPerSecond, secondsLeft }) =>
          hooks.onProgress({ source, bytesDone, bytesPerSecond, ...(bytesTotal !== undefined ? { bytesTotal } : {}), ...(secondsLeft !== undefined ? { secondsLeft } : {}) }),
        onSourceFailed: hooks.onSourceFailed,
      });
      return { source: out.source };
    },
  };
}
