// The panel's model layer: owns the state, the connection to the companion and the job in
// flight. The view calls its methods and renders what it publishes; Photoshop is reached only
// through the PhotoshopHost given to it.
import { type CompanionClient, type ConnectOptions, type JobHandle } from '../shared/client.js';
import { connectToCompanion } from '../shared/connect.js';
import { formatDuration } from '../shared/duration.js';
import { installModel, listModels, type InstallHandle } from '../shared/model-client.js';
import { isValidOption } from '../shared/options.js';
import { DEFAULT_HOST, PANEL_PORTS, type JobEvent, type JobOptions, type Mode, type Quality, type TauChoice } from '../shared/protocol.js';
import { type BackboneName, type InstallableModel } from '../shared/catalogue.js';
import { VERSION } from '../shared/version.js';
import { describeError } from './errors.js';
import { runHarmonize, runPhotoStyle, type RunContext } from './job-runs.js';
import type { PhotoshopHost } from './photoshop/host.js';
import { initialState, reduce, type LayerRole, type PanelAction, type PanelState } from './state.js';
import { canInstallModels, jobBlocker, jobOptions, layerFor, pastedLayer } from './view-model.js';

export interface ControllerOptions {
  host: PhotoshopHost;
  /** A fixed address (tests); default ws://127.0.0.1 at the port the user set (47653, the manifest's). */
  url?: string;
  /** Whether anything answers plain HTTP at the companion's address: tells "refused" from "not running". Default: fetch. */
  probe?: (httpUrl: string) => Promise<boolean>;
  createSocket?: ConnectOptions['createSocket'];
  /** How long to wait before trying an unreachable companion again. Default 2 s. */
  retryMs?: number;
  /** Extra job options (e.g. a tiny size and few iterations for tests with a real pipeline). */
  jobOverrides?: { size?: number; pass1Iters?: number; pass2Iters?: number; stage1Iters?: number; stage2Iters?: number };
}

const PORT_PREFERENCE = 'companionPort';

const isPort = (n: number): boolean => (PANEL_PORTS as readonly number[]).includes(n);

/** Anything answering HTTP there within 2 s; `no-cors`, since only whether it answers matters. */
async function defaultProbe(url: string): Promise<boolean> {
  const f = (globalThis as { fetch?: (u: string, o?: object) => Promise<unknown> }).fetch;
  if (!f) return false;
  const timeout = new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 2000));
  return Promise.race([f(url, { mode: 'no-cors', cache: 'no-store' }).then(() => true, () => false), timeout]);
}

const RESULT_NAMES: Record<Mode, { layer: string; history: string }> = {
  harmonize: { layer: 'Harmonized', history: 'Harmonize' },
  'photo-style': { layer: 'Photo style', history: 'Photo style' },
};

/** The job in flight: set while reading, uploading, running or writing. */
interface ActiveJob {
  handle?: JobHandle;
  cancelled: boolean;
  /** For an `auto` τ: where it is read from (document, painting layer), and what was read. */
  painting?: { documentId: number; paintingId: number };
  autoTau?: TauChoice;
}

export class PanelController {
  private current: PanelState = initialState();
  private readonly listeners = new Set<(s: PanelState) => void>();
  private readonly host: PhotoshopHost;
  private readonly fixedUrl?: string;
  private readonly opts: ControllerOptions;
  private client?: CompanionClient;
  private token?: string;
  private active?: ActiveJob;
  private retryTimer?: ReturnType<typeof setTimeout>;
  private refreshTimer?: ReturnType<typeof setTimeout>;
  private stopWatching?: () => void;
  private disposed = false;
  private connecting?: Promise<void>;
  private installing?: InstallHandle;
  private modelsReadAt = 0;

  constructor(opts: ControllerOptions) {
    this.opts = opts;
    this.host = opts.host;
    this.fixedUrl = opts.url;
    const port = Number(opts.host.loadPreference(PORT_PREFERENCE));
    if (isPort(port)) this.current = reduce(this.current, { type: 'setPort', port });
  }

  /** Where the companion is: the fixed address, or 127.0.0.1 at the port the user set. */
  private get url(): string {
    return this.fixedUrl ?? `ws://${DEFAULT_HOST}:${this.current.settings.port}`;
  }

  get state(): PanelState {
    return this.current;
  }

  subscribe(listener: (s: PanelState) => void): () => void {
    this.listeners.add(listener);
    listener(this.current);
    return () => this.listeners.delete(listener);
  }

  dispatch(action: PanelAction): void {
    const next = reduce(this.current, action);
    if (next === this.current) return;
    this.current = next;
    for (const l of this.listeners) l(next);
  }

  async start(): Promise<void> {
    this.stopWatching = this.host.onDocumentChange(() => this.scheduleRefresh());
    this.token = await this.host.loadToken().catch(() => undefined);
    await Promise.all([this.refreshDocument(), this.connect()]);
  }

  dispose(): void {
    this.disposed = true;
    clearTimeout(this.retryTimer);
    clearTimeout(this.refreshTimer);
    this.stopWatching?.();
    this.active?.handle?.cancel();
    this.client?.close();
  }

  // ---- connection --------------------------------------------------------------------------

  /** Connects with the stored token (none: the companion answers UNAUTHORIZED, which means "running, not paired"). */
  connect(): Promise<void> {
    this.connecting ??= this.tryConnect(this.token, false).finally(() => (this.connecting = undefined));
    return this.connecting;
  }

  /** Tries a pasted token; keeps it only if the companion accepts it. */
  async pair(token: string): Promise<void> {
    const t = token.trim();
    if (!t) {
      this.dispatch({ type: 'connectionHint', text: 'Paste the token into the field first' });
      return;
    }
    await this.connecting;
    // Detach first, so that the old connection's close handler does not schedule a retry.
    const old = this.client;
    this.client = undefined;
    old?.close();
    await this.tryConnect(t, true);
  }

  private async tryConnect(token: string | undefined, pairing: boolean): Promise<void> {
    clearTimeout(this.retryTimer);
    if (this.disposed) return;
    if (this.current.connection.status !== 'unreachable' || pairing) this.dispatch({ type: 'connecting' });
    try {
      const client = await connectToCompanion({
        url: this.url,
        token: token ?? '',
        client: { name: 'Painterly panel', version: VERSION },
        ...(this.opts.createSocket ? { createSocket: this.opts.createSocket } : {}),
        timeoutMs: 5000,
      });
      if (this.disposed) return client.close();
      this.client = client;
      if (pairing) {
        this.token = token;
        await this.host.saveToken(token!).catch(() => {}); // a lost secure storage only means pairing again later
      }
      const w = client.welcome;
      this.dispatch({
        type: 'connected',
        companion: { companionVersion: w.companionVersion, device: w.device, modes: w.modes, backbones: w.backbones, ...(w.models ? { models: w.models } : {}), ...(w.queue ? { queue: w.queue } : {}) },
        ...(token ? { tokenTail: token.slice(-4) } : {}),
      });
      client.onClose((err) => {
        if (this.client !== client) return;
        this.client = undefined;
        this.dispatch({ type: 'connectionFailed', code: err.code, message: err.message });
        this.scheduleRetry();
      });
    } catch (e) {
      const info = describeError(e);
      // A failed WebSocket looks the same whether nothing answered or the companion refused it; plain HTTP tells them apart.
      const refused = info.code === 'COMPANION_UNREACHABLE' && (await this.answersHttp());
      if (this.disposed) return;
      this.dispatch({ type: 'connectionFailed', code: info.code, message: info.message, triedToken: pairing || token !== undefined, refused });
      // Unpaired or incompatible: nothing changes until the user acts. Unreachable: try again soon.
      if (info.code === 'COMPANION_UNREACHABLE' || info.code === 'CONNECTION_LOST') this.scheduleRetry();
    }
  }

  /** Whether anything answers plain HTTP at the companion's address (the companion answers 426). */
  private async answersHttp(): Promise<boolean> {
    const http = this.url.replace(/^ws/, 'http');
    const probe = this.opts.probe ?? defaultProbe;
    return probe(http).catch(() => false);
  }

  /** Sets the companion's port (kept for next time) and connects there. */
  setPort(port: number): void {
    if (!isPort(port)) {
      this.dispatch({ type: 'connectionHint', text: `Photoshop lets the panel reach ports ${PANEL_PORTS[0]}–${PANEL_PORTS[PANEL_PORTS.length - 1]} only: start the companion with one of them (\`npx painterly serve --port ${PANEL_PORTS[1]}\`).` });
      return;
    }
    if (port === this.current.settings.port) return;
    this.host.savePreference(PORT_PREFERENCE, String(port));
    this.dispatch({ type: 'setPort', port });
    const old = this.client;
    this.client = undefined;
    old?.close();
    void this.tryConnect(this.token, false);
  }

  private scheduleRetry(): void {
    if (this.disposed) return;
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => void this.connect(), this.opts.retryMs ?? 2000);
  }

  // ---- models ------------------------------------------------------------------------------

  /** Has the companion download and install a model of its catalogue (by name). Never throws. */
  async installModel(model: InstallableModel): Promise<void> {
    const client = this.client;
    const info = this.current.connection.companion?.models?.find((m) => m.name === model);
    if (!client || !info || this.current.install) return;
    this.dispatch({ type: 'installStarted', model, title: info.title });
    const handle = installModel(client, model, (progress) => this.dispatch({ type: 'installProgress', progress }));
    this.installing = handle;
    try {
      const done = await handle.result;
      const ready = done.models.find((m) => m.name === model)?.presets ?? [];
      const message = `${info.title} is installed${ready.length ? `: ${ready.join(' and ')} ${ready.length === 1 ? 'is' : 'are'} ready` : ''}.`;
      this.dispatch({ type: 'installed', model, models: done.models, backbones: done.backbones, message });
    } catch (e) {
      const err = describeError(e);
      const kept = 'What was downloaded is kept: Install continues from there.';
      const message =
        err.code === 'CANCELLED' ? `Download stopped. ${kept}` : err.code === 'CONNECTION_LOST' ? `The connection to the companion was lost. ${kept}` : err.message;
      this.dispatch({ type: 'installEnded', model, kind: err.code === 'CANCELLED' ? 'cancelled' : 'error', code: err.code, message });
    } finally {
      if (this.installing === handle) this.installing = undefined;
    }
  }

  /** Stops the running install; the companion keeps the bytes for the next one. */
  cancelInstall(): void {
    if (!this.installing || this.current.install?.cancelling) return;
    this.dispatch({ type: 'installCancelRequested' });
    this.installing.cancel();
  }

  /** Re-reads what is installed (a model fetched in a terminal meanwhile shows up); at most every few seconds. */
  async refreshModels(): Promise<void> {
    const client = this.client;
    if (!client || !canInstallModels(this.current) || this.current.install || Date.now() - this.modelsReadAt < 3000) return;
    this.modelsReadAt = Date.now();
    try {
      const m = await listModels(client);
      if (this.client === client) this.dispatch({ type: 'modelsRefreshed', models: m.models, backbones: m.backbones });
    } catch {
      /* the connection ended; its handler reports that */
    }
  }

  // ---- document ----------------------------------------------------------------------------

  async refreshDocument(): Promise<void> {
    try {
      this.dispatch({ type: 'document', document: await this.host.activeDocument() });
    } catch {
      this.dispatch({ type: 'document', document: undefined });
    }
  }

  private scheduleRefresh(): void {
    clearTimeout(this.refreshTimer);
    this.refreshTimer = setTimeout(() => void this.refreshDocument(), 50);
  }

  // ---- settings ----------------------------------------------------------------------------

  setMode = (mode: Mode): void => this.dispatch({ type: 'setMode', mode });
  setTau = (tau: number | 'auto'): void => void (isValidOption('tau', tau) && this.dispatch({ type: 'setTau', tau }));
  setQuality = (quality: Quality): void => this.dispatch({ type: 'setQuality', quality });
  setBackbone = (backbone: BackboneName): void => this.dispatch({ type: 'setBackbone', backbone });
  setPostProcess = (on: boolean): void => this.dispatch({ type: 'setPostProcess', on });
  chooseLayer = (role: LayerRole, layerId?: number): void => this.dispatch({ type: 'chooseLayer', role, layerId });

  // ---- jobs ----------------------------------------------------------------------------------

  /** Reads the layers, runs the job on the companion, writes the result layer. Never throws. */
  async run(): Promise<void> {
    await this.refreshDocument();
    const state = this.current;
    const client = this.client;
    if (jobBlocker(state) || !client || !state.document) return;
    const doc = state.document;
    const mode = state.settings.mode;
    const pasted = pastedLayer(state)!;
    const paintingLayer = mode === 'harmonize' ? layerFor(state, 'painting') : undefined;
    const job: ActiveJob = { cancelled: false, ...(paintingLayer ? { painting: { documentId: doc.id, paintingId: paintingLayer.id } } : {}) };
    this.active = job;
    this.dispatch({ type: 'jobStarted', mode });
    try {
      const ctx: RunContext = {
        host: this.host,
        client,
        doc,
        pasted,
        cancelled: () => job.cancelled,
        submitted: (handle) => (job.handle = handle),
        onEvent: (e) => this.onJobEvent(job, e),
        onPhase: (phase) => this.dispatch({ type: 'jobPhase', phase }),
        onNotice: (text) => this.dispatch({ type: 'notice', text }),
      };
      const options = this.withOverrides(jobOptions(state));
      const { out, rect, rgba, bits } =
        options.mode === 'harmonize'
          ? await runHarmonize(ctx, layerFor(state, 'painting')!.id, options)
          : await runPhotoStyle(ctx, {
              content: pasted.id,
              style: layerFor(state, 'style')!.id,
              contentLabels: layerFor(state, 'contentLabels')?.id,
              styleLabels: layerFor(state, 'styleLabels')?.id,
            }, options);
      const names = RESULT_NAMES[mode];
      const layerId = await this.host.addResultLayer({
        documentId: doc.id,
        aboveLayerId: pasted.id,
        layerName: names.layer,
        historyName: names.history,
        rect,
        bits,
        rgba,
      });
      this.dispatch({
        type: 'jobFinished',
        result: { documentId: doc.id, layerId, visible: true },
        message: `Added “${names.layer}” above “${pasted.name}” (${formatDuration(out.seconds)}${job.autoTau ? `; τ ${job.autoTau.tau}, read from the painting: ${job.autoTau.words}` : ''}). Undo removes it in one step.`,
      });
    } catch (e) {
      const info = describeError(e);
      if (info.code === 'CANCELLED') this.dispatch({ type: 'jobCancelled' });
      else this.dispatch({ type: 'jobFailed', code: info.code, message: info.message });
      if (info.code === 'UNAUTHORIZED') this.dispatch({ type: 'connectionFailed', code: info.code, message: info.message });
    } finally {
      if (this.active === job) this.active = undefined;
      await this.refreshDocument();
    }
  }

  private withOverrides(options: JobOptions): JobOptions {
    const o = this.opts.jobOverrides;
    if (!o) return options;
    const keys = options.mode === 'harmonize' ? (['size', 'pass1Iters', 'pass2Iters'] as const) : (['size', 'stage1Iters', 'stage2Iters'] as const);
    const extra = Object.fromEntries(keys.filter((k) => o[k] !== undefined).map((k) => [k, o[k]]));
    return { ...options, ...extra } as JobOptions;
  }

  private readTau(job: ActiveJob, choice: TauChoice): void {
    job.autoTau = choice;
    if (job.painting) this.dispatch({ type: 'autoTau', choice, ...job.painting });
  }

  private onJobEvent(job: ActiveJob, e: JobEvent): void {
    if (this.active !== job) return;
    if (e.type === 'tau') return this.readTau(job, { tau: e.tau, kind: e.kind, words: e.words });
    if (e.type === 'preview') {
      void this.host
        .previewUrl(e.data, e.width, e.height)
        .then((url) => this.active === job && this.dispatch({ type: 'preview', url }))
        .catch(() => {}); // a preview that cannot be shown is not worth an error
      return;
    }
    this.dispatch({ type: 'jobEvent', event: e });
  }

  /** Stops the job unless it is already writing its layer; the document stays as it was. */
  cancel(): void {
    const job = this.active;
    if (!job || job.cancelled || this.current.job?.phase === 'writing') return;
    job.cancelled = true;
    this.dispatch({ type: 'cancelRequested' });
    job.handle?.cancel();
  }

  async setResultVisible(visible: boolean): Promise<void> {
    const r = this.current.result;
    if (!r) return;
    try {
      await this.host.setLayerVisible(r.documentId, r.layerId, visible);
      this.dispatch({ type: 'resultVisibility', visible });
    } catch (e) {
      const info = describeError(e);
      this.dispatch({ type: 'error', code: info.code, message: info.message });
      await this.refreshDocument();
    }
  }
}
