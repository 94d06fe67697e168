// The panel's state as plain data and the one reducer that changes it. The controller turns
// companion and Photoshop events into actions; the view only reads the state (via view-model.ts).
import { JOB_OPTIONS } from '../shared/options.js';
import { DEFAULT_PORT, type InstallProgressMessage, type JobEvent, type Mode, type Quality, type TauChoice } from '../shared/protocol.js';
import { type BackboneAvailability, type BackboneName, type InstallableModel, type ModelInfo } from '../shared/catalogue.js';
import type { DocumentSummary } from './photoshop/host.js';

export type ConnectionStatus = 'connecting' | 'unreachable' | 'unpaired' | 'incompatible' | 'connected';

/** What the companion said about itself in `welcome`. */
export interface CompanionInfo {
  companionVersion: string;
  device: string;
  modes: Mode[];
  backbones: BackboneAvailability;
  /** The models the companion can install; absent when it installs none (an older companion). */
  models?: ModelInfo[];
  /** A gateway to a studio's queue: the workers serving it when the panel connected. */
  queue?: { workers: { name: string; device: string }[] };
}

export interface ConnectionState {
  status: ConnectionStatus;
  /** The error code that put us here (UNAUTHORIZED, COMPANION_UNREACHABLE, …). */
  code?: string;
  message?: string;
  companion?: CompanionInfo;
  /** A token was just tried and refused. */
  tokenRefused?: boolean;
  /** Something answered on the companion's port but refused the WebSocket (unreachable otherwise means nothing answered). */
  refused?: boolean;
  /** The last characters of the token this connection paired with: the panel never shows the token whole. */
  tokenTail?: string;
  /** Why Pair or Connect did nothing (an empty field, a port Photoshop would not allow), in words. */
  hint?: string;
}

export type LayerRole = 'painting' | 'style' | 'contentLabels' | 'styleLabels';

export interface Settings {
  mode: Mode;
  /** A number, or `auto`: read from the painting when the job starts. */
  tau: number | 'auto';
  quality: Quality;
  /** Unset: the best backbone the companion has. */
  backbone?: BackboneName;
  postProcess: boolean;
  /** Layers the user chose in the dropdowns; unset means the default (the layer below). */
  layers: Partial<Record<LayerRole, number>>;
  /** The companion's port on 127.0.0.1 (`painterly serve --port`). */
  port: number;
}

/** uploading → queued → running, with reading before and writing after. */
export type JobPhase = 'reading' | 'uploading' | 'queued' | 'running' | 'writing';

export interface JobState {
  mode: Mode;
  phase: JobPhase;
  cancelling: boolean;
  stage?: string;
  iteration: number;
  total: number;
  etaSeconds?: number;
  queuePlace?: number;
  device?: string;
  /** The studio worker running the job (through a gateway companion). */
  worker?: string;
  previewUrl?: string;
  /** Things the companion said about the job (e.g. a label present in only one photo). */
  notes?: string[];
  /** Bytes of the job sent (`up`) or of its result received (`down`) so far. */
  transfer?: { direction: 'up' | 'down'; done: number; total: number };
}

export interface Outcome {
  kind: 'done' | 'cancelled' | 'error';
  code?: string;
  message: string;
}

/** A model being downloaded and installed by the companion for this panel. */
export interface InstallState {
  model: InstallableModel;
  title: string;
  source?: string;
  bytesDone: number;
  bytesTotal?: number;
  bytesPerSecond: number;
  secondsLeft?: number;
  /** A source failed and the next is tried. */
  note?: string;
  cancelling: boolean;
}

export interface InstallOutcome {
  kind: 'done' | 'cancelled' | 'error';
  model: InstallableModel;
  code?: string;
  message: string;
}

export interface ResultLayer {
  documentId: number;
  layerId: number;
  visible: boolean;
}

export interface PanelState {
  connection: ConnectionState;
  settings: Settings;
  document?: DocumentSummary;
  job?: JobState;
  outcome?: Outcome;
  /** How the running or last job was made (e.g. the mask came from transparency). */
  notice?: string;
  result?: ResultLayer;
  /** Layers Painterly created: never taken as the pasted layer. */
  resultLayerIds: number[];
  install?: InstallState;
  installOutcome?: InstallOutcome;
  /** The τ an `auto` job last read, and from which document's painting layer. */
  autoTau?: TauChoice & { documentId: number; paintingId: number };
}

export type PanelAction =
  | { type: 'connecting' }
  | { type: 'connected'; companion: CompanionInfo; tokenTail?: string }
  | { type: 'connectionFailed'; code: string; message: string; triedToken?: boolean; refused?: boolean }
  | { type: 'connectionHint'; text: string }
  | { type: 'setPort'; port: number }
  | { type: 'document'; document?: DocumentSummary }
  | { type: 'setMode'; mode: Mode }
  | { type: 'setTau'; tau: number | 'auto' }
  | { type: 'autoTau'; choice: TauChoice; documentId: number; paintingId: number }
  | { type: 'setQuality'; quality: Quality }
  | { type: 'setBackbone'; backbone: BackboneName }
  | { type: 'setPostProcess'; on: boolean }
  | { type: 'chooseLayer'; role: LayerRole; layerId?: number }
  | { type: 'jobStarted'; mode: Mode }
  | { type: 'jobPhase'; phase: JobPhase }
  | { type: 'jobEvent'; event: Exclude<JobEvent, { type: 'preview' }> }
  | { type: 'preview'; url: string }
  | { type: 'notice'; text?: string }
  | { type: 'cancelRequested' }
  | { type: 'jobFinished'; result: ResultLayer; message: string }
  | { type: 'jobCancelled' }
  | { type: 'jobFailed'; code: string; message: string }
  | { type: 'error'; code: string; message: string }
  | { type: 'resultVisibility'; visible: boolean }
  | { type: 'installStarted'; model: InstallableModel; title: string }
  | { type: 'installProgress'; progress: InstallProgressMessage }
  | { type: 'installCancelRequested' }
  | { type: 'installed'; model: InstallableModel; models: ModelInfo[]; backbones: BackboneAvailability; message: string }
  | { type: 'installEnded'; model: InstallableModel; kind: 'cancelled' | 'error'; code: string; message: string }
  | { type: 'modelsRefreshed'; models: ModelInfo[]; backbones: BackboneAvailability };

export function initialState(): PanelState {
  return {
    connection: { status: 'connecting' },
    // Preview first: the paper's full setting takes minutes even on a GPU.
    settings: { mode: 'harmonize', tau: JOB_OPTIONS.tau.default, quality: 'preview', postProcess: true, layers: {}, port: DEFAULT_PORT },
    resultLayerIds: [],
  };
}

function withJob(state: PanelState, change: Partial<JobState>): PanelState {
  return state.job ? { ...state, job: { ...state.job, ...change } } : state;
}

function applyJobEvent(state: PanelState, e: Exclude<JobEvent, { type: 'preview' }>): PanelState {
  switch (e.type) {
    case 'accepted':
      return withJob(state, { phase: 'uploading' });
    case 'queued':
      return withJob(state, { phase: 'queued', queuePlace: e.place });
    case 'started':
      return withJob(state, { phase: 'running', device: e.device, worker: e.worker, queuePlace: undefined, iteration: 0, total: 0 });
    case 'note':
      // Remarks, not steps: kept and shown with the result.
      return withJob(state, { notes: [...(state.job?.notes ?? []), e.message] });
    case 'progress':
      return withJob(state, { phase: 'running', stage: e.stage, iteration: e.iteration, total: e.total, etaSeconds: e.etaSeconds });
    case 'transfer':
      return withJob(state, { transfer: { direction: e.direction, done: e.done, total: e.total } });
    default:
      // result, cancelled and error settle the job's promise; the controller reports those.
      return state;
  }
}

/** Keeps the result layer in step with the document: gone after an undo, hidden by hand, … */
function syncResult(state: PanelState, doc: DocumentSummary | undefined): PanelState {
  const r = state.result;
  if (!r || !doc || doc.id !== r.documentId) return state;
  const layer = doc.layers.find((l) => l.id === r.layerId);
  if (!layer) return { ...state, result: undefined };
  return layer.visible === r.visible ? state : { ...state, result: { ...r, visible: layer.visible } };
}

/** The companion's model list and backbones, as they are now. */
function withModels(state: PanelState, models: ModelInfo[], backbones: BackboneAvailability): PanelState {
  const c = state.connection.companion;
  return c ? { ...state, connection: { ...state.connection, companion: { ...c, models, backbones } } } : state;
}

function reduceInstall(state: PanelState, action: Extract<PanelAction, { type: `install${string}` | 'modelsRefreshed' }>): PanelState {
  switch (action.type) {
    case 'installStarted':
      return { ...state, install: { model: action.model, title: action.title, bytesDone: 0, bytesPerSecond: 0, cancelling: false }, installOutcome: undefined };
    case 'installProgress': {
      const i = state.install;
      const p = action.progress;
      if (!i || i.model !== p.model) return state;
      if (p.note !== undefined) return { ...state, install: { ...i, note: p.note, source: undefined, bytesDone: 0, bytesTotal: undefined, bytesPerSecond: 0, secondsLeft: undefined } };
      return { ...state, install: { ...i, source: p.source, bytesDone: p.bytesDone, bytesTotal: p.bytesTotal, bytesPerSecond: p.bytesPerSecond, secondsLeft: p.secondsLeft } };
    }
    case 'installCancelRequested':
      return state.install ? { ...state, install: { ...state.install, cancelling: true } } : state;
    case 'installed':
      return { ...withModels(state, action.models, action.backbones), install: undefined, installOutcome: { kind: 'done', model: action.model, message: action.message } };
    case 'installEnded':
      return { ...state, install: undefined, installOutcome: { kind: action.kind, model: action.model, code: action.code, message: action.message } };
    case 'modelsRefreshed':
      return withModels(state, action.models, action.backbones);
  }
}

export function reduce(state: PanelState, action: PanelAction): PanelState {
  switch (action.type) {
    case 'connecting':
      return { ...state, connection: { ...state.connection, status: 'connecting', tokenRefused: false, refused: undefined, hint: undefined } };
    case 'connected': {
      const modes = action.companion.modes;
      const mode = modes.includes(state.settings.mode) ? state.settings.mode : (modes[0] ?? state.settings.mode);
      return { ...state, connection: { status: 'connected', companion: action.companion, ...(action.tokenTail ? { tokenTail: action.tokenTail } : {}) }, settings: { ...state.settings, mode } };
    }
    case 'connectionFailed': {
      const status: ConnectionStatus =
        action.code === 'UNAUTHORIZED' ? 'unpaired' : action.code === 'PROTOCOL_MISMATCH' ? 'incompatible' : 'unreachable';
      return {
        ...state,
        connection: { status, code: action.code, message: action.message, tokenRefused: status === 'unpaired' && action.triedToken === true, ...(action.refused ? { refused: true } : {}) },
      };
    }
    case 'connectionHint':
      return { ...state, connection: { ...state.connection, hint: action.text } };
    case 'setPort':
      return { ...state, settings: { ...state.settings, port: action.port } };
    case 'document':
      return syncResult({ ...state, document: action.document }, action.document);
    case 'setMode':
      return { ...state, settings: { ...state.settings, mode: action.mode }, outcome: undefined };
    case 'autoTau':
      return { ...state, autoTau: { ...action.choice, documentId: action.documentId, paintingId: action.paintingId } };
    case 'setTau':
      return { ...state, settings: { ...state.settings, tau: action.tau } };
    case 'setQuality':
      return { ...state, settings: { ...state.settings, quality: action.quality } };
    case 'setBackbone':
      return { ...state, settings: { ...state.settings, backbone: action.backbone }, installOutcome: undefined };
    case 'setPostProcess':
      return { ...state, settings: { ...state.settings, postProcess: action.on } };
    case 'chooseLayer':
      return { ...state, settings: { ...state.settings, layers: { ...state.settings.layers, [action.role]: action.layerId } } };
    case 'jobStarted':
      return { ...state, job: { mode: action.mode, phase: 'reading', cancelling: false, iteration: 0, total: 0 }, outcome: undefined, notice: undefined };
    case 'jobPhase':
      return withJob(state, { phase: action.phase });
    case 'jobEvent':
      return applyJobEvent(state, action.event);
    case 'preview':
      return withJob(state, { previewUrl: action.url });
    case 'notice':
      return { ...state, notice: action.text };
    case 'cancelRequested':
      return withJob(state, { cancelling: true });
    case 'jobFinished':
      return {
        ...state,
        job: undefined,
        outcome: { kind: 'done', message: [action.message, ...(state.job?.notes ?? [])].join(' ') },
        result: action.result,
        resultLayerIds: [...state.resultLayerIds, action.result.layerId],
      };
    case 'jobCancelled':
      return { ...state, job: undefined, outcome: { kind: 'cancelled', message: 'Cancelled. The document was not changed.' } };
    case 'jobFailed':
      return { ...state, job: undefined, outcome: { kind: 'error', code: action.code, message: action.message } };
    case 'error':
      return { ...state, outcome: { kind: 'error', code: action.code, message: action.message } };
    case 'resultVisibility':
      return state.result ? { ...state, result: { ...state.result, visible: action.visible } } : state;
    case 'installStarted':
    case 'installProgress':
    case 'installCancelRequested':
    case 'installed':
    case 'installEnded':
    case 'modelsRefreshed':
      return reduceInstall(state, action);
  }
}
