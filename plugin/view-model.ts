// What the view shows, derived from the state: status text, which layers a job would use, why
// Harmonize is unavailable, backbone choices, progress wording. Pure functions of PanelState.
import { DEFAULT_PORT, type JobOptions, type Mode, type Quality, type TauChoice } from '../shared/protocol.js';
import { BACKBONE_PRESETS, recommendedBackbone, type BackboneName, type InstallableModel, type ModelInfo } from '../shared/catalogue.js';
import { formatBytes } from '../shared/bytes.js';
import { HARMONIZE_JOB_DEFAULTS, JOB_OPTIONS, QUALITY_PRESETS, TAU_PRESETS } from '../shared/options.js';
import { formatDuration } from '../shared/duration.js';
import { jobFraction, stageInfo } from '../shared/stages.js';
import { PANEL_ERRORS } from './errors.js';
import type { LayerSummary } from './photoshop/host.js';
import type { CompanionInfo, LayerRole, PanelState } from './state.js';

export const START_COMMAND = 'npx painterly serve';
export const TOKEN_COMMAND = 'npx painterly token';

export interface ConnectionView {
  tone: 'ok' | 'busy' | 'warn' | 'error';
  title: string;
  detail: string;
  /** A command the user can run to fix things. */
  command?: string;
  showPairing: boolean;
  /** The companion's port can be changed here (shown while nothing answers, or it refused). */
  showPort?: boolean;
}

export function connectionView(state: PanelState): ConnectionView {
  const c = state.connection;
  switch (c.status) {
    case 'connecting':
      return { tone: 'busy', title: 'Connecting to the companion…', detail: '', showPairing: false };
    case 'unreachable': {
      const port = state.settings.port;
      const on = port === DEFAULT_PORT ? '' : ` on port ${port}`;
      if (c.refused) {
        return {
          tone: 'error',
          title: 'The companion refused this connection',
          detail: `${c.hint ? `${c.hint} ` : ''}Something answers on 127.0.0.1:${port} but refused the panel. The terminal where the companion runs says why; pair again, or check the port under Companion. To start it afresh:`,
          command: port === DEFAULT_PORT ? START_COMMAND : `${START_COMMAND} --port ${port}`,
          showPairing: false,
          showPort: true,
        };
      }
      return {
        tone: 'error',
        title: c.code === 'CONNECTION_LOST' ? 'Lost the companion' : 'Companion not running',
        detail: `${c.hint ? `${c.hint} ` : ''}Nothing answers${on}. Start it in a terminal and leave it open; the panel connects by itself:`,
        command: port === DEFAULT_PORT ? START_COMMAND : `${START_COMMAND} --port ${port}`,
        showPairing: false,
        showPort: true,
      };
    }
    case 'unpaired':
      return {
        tone: 'warn',
        title: c.hint ?? (c.tokenRefused ? 'That token was not accepted: check it is the whole token' : 'Pair with the companion'),
        detail: 'Paste the pairing token the companion printed when it started. To see it again, run:',
        command: TOKEN_COMMAND,
        showPairing: true,
      };
    case 'incompatible':
      return { tone: 'error', title: 'Update needed', detail: c.message ?? 'The panel and the companion speak different protocol versions: update both.', showPairing: false };
    case 'connected': {
      const info = c.companion;
      const paired = c.tokenTail ? ` · paired (token …${c.tokenTail})` : '';
      return { tone: 'ok', title: 'Connected', detail: info ? `Companion ${info.companionVersion} · ${whereJobsRun(info)}${paired}` : '', showPairing: false };
    }
  }
}

/** Where the companion runs jobs: its own device, or a studio's workers. */
function whereJobsRun(info: CompanionInfo): string {
  if (!info.queue) return `runs on ${deviceName(info.device)}`;
  const w = info.queue.workers;
  if (w.length === 0) return 'sends jobs to the studio queue (no worker yet)';
  const names = w.slice(0, 3).map((x) => `${x.name} (${deviceName(x.device)})`).join(', ');
  return `sends jobs to the studio queue: ${names}${w.length > 3 ? ` and ${w.length - 3} more` : ''}`;
}

export function deviceName(device: string): string {
  const names: Record<string, string> = { cpu: 'CPU', cuda: 'GPU (CUDA)', dml: 'GPU (DirectML)', coreml: 'Apple Neural Engine / GPU (Core ML)', webgpu: 'GPU (WebGPU)' };
  return names[device] ?? device;
}

// ---- layers ------------------------------------------------------------------------------

const PIXEL_KINDS = new Set(['pixel', 'smartObject']);

export function isPixelLayer(l: LayerSummary): boolean {
  return PIXEL_KINDS.has(l.kind);
}

/** The pasted object (harmonize) or the photo (photo style): the active layer, unless it is a result of ours. */
export function pastedLayer(state: PanelState): LayerSummary | undefined {
  const doc = state.document;
  if (!doc || doc.activeLayerIds.length !== 1) return undefined;
  const active = doc.layers.find((l) => l.id === doc.activeLayerIds[0]);
  if (!active) return undefined;
  if (state.resultLayerIds.includes(active.id)) return layerBelow(state, active.id);
  return active;
}

/** The next pixel layer below `id` in stacking order, skipping Painterly's result layers. */
export function layerBelow(state: PanelState, id: number): LayerSummary | undefined {
  const layers = state.document?.layers ?? [];
  const at = layers.findIndex((l) => l.id === id);
  if (at < 0) return undefined;
  return layers.slice(at + 1).find((l) => isPixelLayer(l) && !state.resultLayerIds.includes(l.id));
}

/** The layer for a role: the user's choice while it exists, else the default (the layer below the pasted one for painting and style). */
export function layerFor(state: PanelState, role: LayerRole): LayerSummary | undefined {
  const chosen = state.settings.layers[role];
  const pasted = pastedLayer(state);
  const found = state.document?.layers.find((l) => l.id === chosen && l.id !== pasted?.id && isPixelLayer(l));
  if (found) return found;
  if (role === 'painting' || role === 'style') return pasted ? layerBelow(state, pasted.id) : undefined;
  return undefined;
}

/** Layers a role's dropdown offers: every pixel layer except the pasted one and our results. */
export function layerChoices(state: PanelState): LayerSummary[] {
  const pasted = pastedLayer(state);
  return (state.document?.layers ?? []).filter((l) => isPixelLayer(l) && l.id !== pasted?.id && !state.resultLayerIds.includes(l.id));
}

// ---- backbones -----------------------------------------------------------------------------

export interface BackboneChoice {
  name: BackboneName;
  label: string;
  available: boolean;
  /** How to get it when missing. */
  fetchCommand?: string;
}

/** Backbones by what they mean to the user, best first (labels and measured speeds from shared/catalogue.ts). */
export const BACKBONE_CHOICES: readonly { name: BackboneName; label: string }[] = BACKBONE_PRESETS.map((p) => ({ name: p.backbone, label: `${p.label} (${p.network})` }));

/**
 * The quality dropdown's entries. A harmonization's preset also picks its detail (the option
 * table's QUALITY_PRESETS): Full refines the object to the document's own resolution, Preview
 * enlarges the working-size result, and the labels say so.
 */
export function qualityChoices(mode: Mode): { value: Quality; label: string }[] {
  const native = (q: Quality): boolean => mode === 'harmonize' && QUALITY_PRESETS.harmonize[q].detail === 'native';
  const label = (q: Quality, base: string): string => `${base}${native(q) ? ', sharp at document resolution' : ''})`;
  return [
    { value: 'preview', label: label('preview', 'Preview (fast') },
    { value: 'full', label: label('full', 'Full (paper settings') },
  ];
}

/** The chosen model's measured speed at the chosen quality, in words; '' when unknown. */
export function speedHint(state: PanelState): string {
  // The measured figures are harmonization jobs.
  if (state.settings.mode !== 'harmonize') return '';
  const choice = chosenBackbone(state);
  const preset = BACKBONE_PRESETS.find((p) => p.backbone === choice?.name);
  if (!choice || !preset) return '';
  const quality = state.settings.quality;
  const time = formatDuration(preset.cpuSeconds[quality]);
  const device = state.connection.companion?.device;
  const where = device && device !== 'cpu' ? 'measured on a 2-core CPU; much faster on this GPU' : 'on a 2-core CPU';
  const caveat = preset.caveat ? ` A ${preset.caveat}.` : '';
  return `${preset.label}: about ${time} at ${quality === 'full' ? 'Full' : 'Preview'} quality (${where}).${caveat}`;
}

export function backboneChoices(state: PanelState): BackboneChoice[] {
  const b = state.connection.companion?.backbones;
  return BACKBONE_CHOICES.map(({ name, label }) => ({
    name,
    label,
    available: b?.present.includes(name) ?? false,
    fetchCommand: b?.missing.find((m) => m.name === name)?.fetchCommand,
  }));
}

/** A command as the companion words it, e.g. "npx painterly models import FILE (a squeezenet safetensors file)", split into what to type and the note. */
export function splitCommand(text: string): { command: string; note?: string } {
  const m = /^(.*?)\s*\((.+)\)$/.exec(text.trim());
  return m ? { command: m[1], note: m[2] } : { command: text.trim() };
}

/**
 * The backbone a job would use: the chosen one, else the best available; with nothing installed
 * and a companion that installs models, the one recommended for its device (to offer its install).
 */
export function chosenBackbone(state: PanelState): BackboneChoice | undefined {
  const choices = backboneChoices(state);
  const chosen = choices.find((c) => c.name === state.settings.backbone) ?? choices.find((c) => c.available);
  if (chosen || !canInstallModels(state)) return chosen;
  const recommended = recommendedBackbone(state.connection.companion!.device);
  return choices.find((c) => c.name === recommended);
}

// ---- model installs -------------------------------------------------------------------------

/** The companion can install models for the panel (it listed them in `welcome`). */
export function canInstallModels(state: PanelState): boolean {
  return state.connection.status === 'connected' && state.connection.companion?.models !== undefined;
}

/** The downloadable model that provides a backbone. */
export function modelFor(state: PanelState, backbone: BackboneName): ModelInfo | undefined {
  return state.connection.companion?.models?.find((m) => m.backbones.includes(backbone));
}

function modelInfo(state: PanelState, name: InstallableModel): ModelInfo | undefined {
  return state.connection.companion?.models?.find((m) => m.name === name);
}

export interface InstallView {
  model: InstallableModel;
  title: string;
  /** Size and what it enables. */
  detail: string;
  license: string;
  /** Where it comes from (a tooltip). */
  hosts: string;
  /** While downloading. */
  progress?: { label: string; value: number; detail: string };
  /** A source failed and the next one is tried. */
  note?: string;
  /** The Install button (shown when nothing is being installed). */
  canInstall: boolean;
  /** The Cancel button (shown while installing). */
  canCancel: boolean;
}

/** "2.10 MB of 4.94 MB · 1.05 MB/s · about 3 s left" */
export function installProgressText(i: { bytesDone: number; bytesTotal?: number; bytesPerSecond: number; secondsLeft?: number }): string {
  const amount = i.bytesTotal !== undefined ? `${formatBytes(i.bytesDone)} of ${formatBytes(i.bytesTotal)}` : formatBytes(i.bytesDone);
  const speed = i.bytesPerSecond > 0 ? `${formatBytes(Math.round(i.bytesPerSecond))}/s` : '';
  return [amount, speed, timeLeft(i.secondsLeft)].filter(Boolean).join(' · ');
}

/** The install box: the running install, or an offer for the missing model the chosen preset needs. */
export function installView(state: PanelState): InstallView | undefined {
  if (!canInstallModels(state)) return undefined;
  const i = state.install;
  const choice = chosenBackbone(state);
  const m = i ? modelInfo(state, i.model) : choice && !choice.available ? modelFor(state, choice.name) : undefined;
  if (!m) return undefined;
  const enables = m.presets.length ? `for ${m.presets.join(' and ')}` : `for ${m.backbones.join(', ')}`;
  const base = { model: m.name, detail: `${formatBytes(m.downloadBytes)} download · ${enables}`, license: `Licence: ${m.license}`, hosts: `Downloaded from ${m.hosts.join(', then ')}` };
  if (!i) return { ...base, title: `${m.title} is not installed`, canInstall: true, canCancel: false };
  const value = i.bytesTotal ? Math.round((100 * Math.min(i.bytesDone, i.bytesTotal)) / i.bytesTotal) : 0;
  return {
    ...base,
    title: i.cancelling ? `Stopping the download of ${m.title}…` : `Installing ${m.title}`,
    progress: { label: i.bytesTotal !== undefined && i.bytesDone >= i.bytesTotal ? 'Checking and installing…' : 'Downloading', value, detail: installProgressText(i) },
    ...(i.note ? { note: i.note } : {}),
    canInstall: false,
    canCancel: !i.cancelling,
  };
}

// ---- harmonize button ----------------------------------------------------------------------

/** Why a job cannot start now, in plain words; undefined when it can. */
export function jobBlocker(state: PanelState): string | undefined {
  if (state.job) return 'A job is running.';
  if (state.connection.status !== 'connected') return 'Connect to the companion first.';
  const doc = state.document;
  if (!doc) return PANEL_ERRORS.NO_DOCUMENT;
  if (doc.refusal) return doc.refusal;
  const mode = state.settings.mode;
  if (!state.connection.companion?.modes.includes(mode)) return mode === 'photo-style' ? 'This companion does not offer photo style.' : 'This companion does not offer harmonization.';
  const pasted = pastedLayer(state);
  const what = mode === 'harmonize' ? 'pasted object' : 'photo';
  if (!pasted) return doc.activeLayerIds.length > 1 ? `Select only the layer with the ${what}.` : `Select the layer with the ${what}.`;
  if (!isPixelLayer(pasted)) return `The active layer “${pasted.name}” is not a pixel layer: select the layer with the ${what}.`;
  if (mode === 'harmonize' && !layerFor(state, 'painting')) return PANEL_ERRORS.NO_PAINTING;
  if (mode === 'photo-style' && !layerFor(state, 'style')) return 'Choose the reference layer whose look the photo should take.';
  const backbone = chosenBackbone(state);
  if (!backbone) return 'The companion has no model installed: run `npx painterly models fetch vgg19`.';
  if (!backbone.available && canInstallModels(state)) {
    const installing = state.install && modelFor(state, backbone.name)?.name === state.install.model;
    return installing ? `${backbone.label} is being installed.` : `${backbone.label} is not installed yet: click Install above.`;
  }
  if (!backbone.available) return `${backbone.label} is not installed: run \`${backbone.fetchCommand ?? 'npx painterly models list'}\`.`;
  return undefined;
}

/** The options sent with the job. */
export function jobOptions(state: PanelState): JobOptions {
  const s = state.settings;
  const backbone = chosenBackbone(state)?.name;
  if (s.mode === 'harmonize') return { mode: 'harmonize', quality: s.quality, tau: s.tau, schedule: HARMONIZE_JOB_DEFAULTS.schedule, postProcess: s.postProcess, ...(backbone ? { backbone } : {}) };
  return { mode: 'photo-style', quality: s.quality, ...(backbone ? { backbone } : {}) };
}

// ---- style strength --------------------------------------------------------------------------

/** The τ slider's bounds: the option's own range (shared/options.ts), nothing else. */
export const TAU_SLIDER = Object.freeze({ min: JOB_OPTIONS.tau.min, max: JOB_OPTIONS.tau.max });

/** The preset buttons, by the `data-preset` key of their markup: Auto first, then TAU_PRESETS' values. */
export const TAU_PRESET_BUTTONS: Readonly<Record<'auto' | keyof typeof TAU_PRESETS, { tau: number | 'auto'; title: string }>> = Object.freeze({
  auto: { tau: 'auto', title: 'τ read from the painting when the job starts' },
  realistic: { tau: TAU_PRESETS.realistic, title: `τ = ${TAU_PRESETS.realistic}: close to the original object` },
  impressionist: { tau: TAU_PRESETS.impressionist, title: `τ = ${TAU_PRESETS.impressionist}: visible brush strokes` },
  expressive: { tau: TAU_PRESETS.expressive, title: `τ = ${TAU_PRESETS.expressive}: strongly painted` },
});

// ---- progress ----------------------------------------------------------------------------------

/** "about 3 min left"; '' when the companion gave no estimate. */
export function timeLeft(seconds: number | undefined): string {
  const d = seconds === undefined ? '' : formatDuration(seconds);
  return d ? `about ${d} left` : '';
}

export interface ProgressView {
  label: string;
  /** 0..100 */
  value: number;
  detail: string;
}

export function progressView(state: PanelState): ProgressView | undefined {
  const job = state.job;
  if (!job) return undefined;
  if (job.cancelling) return { label: 'Cancelling…', value: 0, detail: '' };
  switch (job.phase) {
    case 'reading':
      return { label: 'Reading layers…', value: 0, detail: '' };
    case 'uploading': {
      const t = job.transfer?.direction === 'up' ? job.transfer : undefined;
      return { label: 'Sending to the companion…', value: t && t.total > 0 ? Math.round((100 * t.done) / t.total) : 0, detail: t ? `${formatBytes(t.done)} of ${formatBytes(t.total)}` : '' };
    }
    case 'queued': {
      const who = state.connection.companion?.queue ? 'a studio worker' : 'the companion';
      return { label: `Waiting for ${who}…`, value: 0, detail: job.queuePlace ? `${job.queuePlace} job${job.queuePlace === 1 ? '' : 's'} ahead` : 'starts next' };
    }
    case 'writing':
      return { label: 'Adding the layer…', value: 100, detail: '' };
    case 'running': {
      const down = job.transfer?.direction === 'down' && job.transfer.done < job.transfer.total ? job.transfer : undefined;
      if (down) return { label: 'Receiving the result…', value: Math.round((100 * down.done) / down.total), detail: `${formatBytes(down.done)} of ${formatBytes(down.total)}` };
      const where = job.worker ? `on ${job.worker} (${deviceName(job.device ?? 'cpu')})` : job.device ? `on ${deviceName(job.device)}` : '';
      if (!job.stage) return { label: 'Starting…', value: 0, detail: where };
      // Label and place on the bar from the stage table the companion emits by (shared/stages.ts).
      const value = Math.round(100 * jobFraction(job.stage, job.iteration, job.total));
      const steps = job.total > 0 ? `${job.iteration}/${job.total}` : '';
      return { label: stageInfo(job.stage).label, value, detail: [steps, timeLeft(job.etaSeconds), job.worker ? where : ''].filter(Boolean).join(' · ') };
    }
  }
}

// ---- style strength -------------------------------------------------------------------------------

/** The τ an `auto` job last read from the painting now chosen, if any. */
export function knownAutoTau(state: PanelState): TauChoice | undefined {
  const a = state.autoTau;
  const painting = layerFor(state, 'painting');
  return a && painting && state.document?.id === a.documentId && painting.id === a.paintingId ? a : undefined;
}

/** What the style-strength row says: the value, and for `auto` what it read (or that it will). */
export function tauView(state: PanelState): { value: string; note: string; slider: number } {
  const tau = state.settings.tau;
  if (tau !== 'auto') return { value: `τ = ${tau}`, note: '', slider: tau };
  const known = knownAutoTau(state);
  if (!known) return { value: 'τ = auto', note: 'Auto reads τ from the painting when the job starts.', slider: TAU_PRESETS.impressionist };
  return { value: `τ = ${known.tau} (auto)`, note: `Read from the painting: ${known.words}.`, slider: known.tau };
}
