// Renders PanelState into the Spectrum UXP widgets of index.html and turns widget events into
// controller calls. Widget API as in UXP: sp-dropdown `selectedIndex` + `change`, sp-slider
// `value` + `input`/`change`, sp-checkbox `checked` + `change`, sp-textfield `value`.
import type { Mode, Quality } from '../shared/protocol.js';
import type { BackboneName, InstallableModel } from '../shared/catalogue.js';
import type { PanelController } from './controller.js';
import type { LayerRole, PanelState } from './state.js';
import {
  backboneChoices,
  canInstallModels,
  installView,
  speedHint,
  chosenBackbone,
  connectionView,
  deviceName,
  jobBlocker,
  layerChoices,
  layerFor,
  pastedLayer,
  progressView,
  qualityChoices,
  splitCommand,
  TAU_PRESET_BUTTONS,
  tauView,
  TAU_SLIDER,
} from './view-model.js';

interface MenuItem {
  value: string;
  label: string;
  disabled?: boolean;
}

type Widget = HTMLElement & { value?: unknown; checked?: boolean; selectedIndex?: number };

function show(el: HTMLElement, on: boolean): void {
  el.style.display = on ? '' : 'none';
}

function setText(el: HTMLElement, text: string): void {
  if (el.textContent !== text) el.textContent = text;
}

// UXP's DOM is a subset of the browser's: stick to set/get/removeAttribute and appendChild.
function setFlag(el: Element, name: string, on: boolean): void {
  if (el.hasAttribute(name) === on) return;
  if (on) el.setAttribute(name, '');
  else el.removeAttribute(name);
}

function setAttr(el: Element, name: string, value: string): void {
  if (el.getAttribute(name) !== value) el.setAttribute(name, value);
}

function setChecked(el: Widget, on: boolean): void {
  setFlag(el, 'checked', on);
  if (el.checked !== on) el.checked = on;
}

/** Rebuilds a dropdown's menu only when its items change, so an open menu is not disturbed. */
function fillDropdown(dd: Widget, items: MenuItem[], selected: string | undefined): void {
  const signature = JSON.stringify(items);
  const menu = dd.querySelector('sp-menu')!;
  if (dd.getAttribute('data-items') !== signature) {
    dd.setAttribute('data-items', signature);
    while (menu.firstChild) menu.removeChild(menu.firstChild);
    for (const item of items) {
      const el = document.createElement('sp-menu-item');
      el.textContent = item.label;
      if (item.disabled) el.setAttribute('disabled', '');
      menu.appendChild(el);
    }
  }
  const index = items.findIndex((i) => i.value === selected);
  Array.from(menu.querySelectorAll('sp-menu-item')).forEach((el, i) => setFlag(el, 'selected', i === index));
  if (dd.selectedIndex !== index) dd.selectedIndex = index;
}

/** The value of the item chosen in a dropdown (via its `change` event), or undefined. */
function chosenValue(dd: Widget): string | undefined {
  const items = JSON.parse(dd.getAttribute('data-items') ?? '[]') as MenuItem[];
  const item = items[dd.selectedIndex ?? -1];
  return item && !item.disabled ? item.value : undefined;
}

const NONE = '';

/** Gives the τ slider its bounds and each preset button (by `data-preset`) its τ and title, from the option table. */
export function applyTauControls(slider: Element, presets: readonly Element[]): void {
  setAttr(slider, 'min', String(TAU_SLIDER.min));
  setAttr(slider, 'max', String(TAU_SLIDER.max));
  for (const p of presets) {
    const key = p.getAttribute('data-preset') ?? '';
    const preset = (TAU_PRESET_BUTTONS as Record<string, { tau: number | 'auto'; title: string } | undefined>)[key];
    if (!preset) throw new Error(`The panel markup has an unknown τ preset '${key}'.`);
    setAttr(p, 'data-tau', String(preset.tau));
    setAttr(p, 'title', preset.title);
  }
}

export function mountPanel(doc: Document, controller: PanelController): () => void {
  const $ = <T extends HTMLElement = Widget>(id: string) => {
    const el = doc.getElementById(id);
    if (!el) throw new Error(`The panel markup lacks #${id}.`);
    return el as T & Widget;
  };
  const el = {
    status: $('status'),
    statusTitle: $('status-title'),
    statusDetail: $('status-detail'),
    command: $('status-command'),
    commandText: $('status-command-text'),
    pairing: $('pairing'),
    tokenField: $('token-field'),
    pairButton: $('pair-button'),
    portRow: $('port-row'),
    portField: $('port-field'),
    portButton: $('port-button'),
    settings: $('settings'),
    mode: $('mode'),
    modeHint: $('mode-hint'),
    pastedLabel: $('pasted-label'),
    pastedName: $('pasted-name'),
    paintingRow: $('painting-row'),
    painting: $('painting'),
    styleRow: $('style-row'),
    styleLayer: $('style-layer'),
    contentLabelsRow: $('content-labels-row'),
    contentLabels: $('content-labels'),
    styleLabelsRow: $('style-labels-row'),
    styleLabels: $('style-labels'),
    maskNote: $('mask-note'),
    strength: $('strength'),
    tauValue: $('tau-value'),
    tauNote: $('tau-note'),
    tau: $('tau'),
    quality: $('quality'),
    backbone: $('backbone'),
    backboneHint: $('backbone-hint'),
    backboneSpeed: $('backbone-speed'),
    backboneCommand: $('backbone-command'),
    install: $('install'),
    installTitle: $('install-title'),
    installDetail: $('install-detail'),
    installLicense: $('install-license'),
    installProgress: $('install-progress'),
    installBar: $('install-bar'),
    installBarLabel: $('install-bar-label'),
    installBarDetail: $('install-bar-detail'),
    installNote: $('install-note'),
    installButton: $('install-button'),
    installCancel: $('install-cancel'),
    installOutcome: $('install-outcome'),
    installOutcomeText: $('install-outcome-text'),
    postProcess: $('post-process'),
    harmonize: $('harmonize'),
    cancel: $('cancel'),
    blocker: $('blocker'),
    progress: $('progress'),
    progressBar: $('progress-bar'),
    progressLabel: $('progress-label'),
    progressDetail: $('progress-detail'),
    preview: $<HTMLImageElement>('preview'),
    outcome: $('outcome'),
    outcomeText: $('outcome-text'),
    notice: $('notice'),
    resultRow: $('result-row'),
    showResult: $('show-result'),
  };
  const presets = Array.from(doc.querySelectorAll<HTMLElement>('.preset'));
  const presetTau = (p: Element): number | 'auto' => {
    const v = p.getAttribute('data-tau');
    return v === 'auto' ? 'auto' : Number(v);
  };
  applyTauControls(el.tau, presets);

  // ---- events → controller ----------------------------------------------------------------
  const on = (target: EventTarget, type: string, fn: () => void) => target.addEventListener(type, fn);
  on(el.pairButton, 'click', () => {
    const token = String(el.tokenField.value ?? '');
    // Once tried, the token leaves the field: the panel never shows it whole again.
    if (token.trim()) el.tokenField.value = '';
    void controller.pair(token);
  });
  on(el.portButton, 'click', () => controller.setPort(Number(String(el.portField.value ?? '').trim())));
  on(el.mode, 'change', () => {
    const v = chosenValue(el.mode);
    if (v) controller.setMode(v as Mode);
  });
  const layerDropdown = (dd: Widget, role: LayerRole) =>
    on(dd, 'change', () => {
      const v = chosenValue(dd);
      controller.chooseLayer(role, v ? Number(v) : undefined);
    });
  layerDropdown(el.painting, 'painting');
  layerDropdown(el.styleLayer, 'style');
  layerDropdown(el.contentLabels, 'contentLabels');
  layerDropdown(el.styleLabels, 'styleLabels');
  for (const p of presets) on(p, 'click', () => controller.setTau(presetTau(p)));
  on(el.tau, 'input', () => controller.setTau(Number(el.tau.value)));
  on(el.tau, 'change', () => controller.setTau(Number(el.tau.value)));
  on(el.quality, 'change', () => {
    const v = chosenValue(el.quality);
    if (v) controller.setQuality(v as Quality);
  });
  on(el.backbone, 'change', () => {
    const v = chosenValue(el.backbone);
    if (v) controller.setBackbone(v as BackboneName);
  });
  on(el.postProcess, 'change', () => controller.setPostProcess(Boolean(el.postProcess.checked)));
  on(el.installButton, 'click', () => {
    const model = el.install.getAttribute('data-model');
    if (model) void controller.installModel(model as InstallableModel);
  });
  on(el.installCancel, 'click', () => controller.cancelInstall());
  on(el.harmonize, 'click', () => void controller.run());
  on(el.cancel, 'click', () => controller.cancel());
  on(el.showResult, 'change', () => void controller.setResultVisible(Boolean(el.showResult.checked)));
  // Photoshop has no "panel focused" event we can rely on: re-read the document when the pointer comes in.
  on(doc.body, 'mouseenter', () => {
    void controller.refreshDocument();
    void controller.refreshModels();
  });

  // ---- state → widgets --------------------------------------------------------------------
  const renderInstall = (s: PanelState) => {
    const iv = installView(s);
    show(el.install, iv !== undefined);
    if (iv) {
      setAttr(el.install, 'data-model', iv.model);
      setAttr(el.install, 'title', iv.hosts);
      setText(el.installTitle, iv.title);
      setText(el.installDetail, iv.detail);
      setText(el.installLicense, iv.license);
      show(el.installProgress, iv.progress !== undefined);
      if (iv.progress) {
        setText(el.installBarLabel, iv.progress.label);
        el.installBar.setAttribute('value', String(iv.progress.value));
        el.installBar.value = iv.progress.value;
        setText(el.installBarDetail, iv.progress.detail);
      }
      setText(el.installNote, iv.note ?? '');
      show(el.installNote, iv.note !== undefined);
      show(el.installButton, iv.canInstall);
      show(el.installCancel, !iv.canInstall);
      setFlag(el.installCancel, 'disabled', !iv.canCancel);
    }
    const outcome = s.installOutcome;
    show(el.installOutcome, outcome !== undefined && s.install === undefined);
    if (outcome) {
      setAttr(el.installOutcome, 'data-kind', outcome.kind);
      setText(el.installOutcomeText, outcome.message);
    }
  };

  const render = (s: PanelState) => {
    const cv = connectionView(s);
    setAttr(el.status, 'data-tone', cv.tone);
    setText(el.statusTitle, cv.title);
    setText(el.statusDetail, cv.detail);
    show(el.statusDetail, cv.detail !== '');
    setText(el.commandText, cv.command ?? '');
    show(el.command, cv.command !== undefined);
    show(el.pairing, cv.showPairing);
    show(el.portRow, cv.showPort === true);
    if (cv.showPort && doc.activeElement !== el.portField) el.portField.value = String(s.settings.port);

    const busy = s.job !== undefined;
    const mode = s.settings.mode;
    const harmonize = mode === 'harmonize';
    const offered = s.connection.companion?.modes ?? ['harmonize'];
    fillDropdown(
      el.mode,
      [
        { value: 'harmonize', label: 'Painterly' },
        { value: 'photo-style', label: 'Photo style', disabled: !offered.includes('photo-style') },
      ],
      mode,
    );
    setText(el.modeHint, harmonize ? 'Paints the pasted object into the painting below it.' : 'Restyles the photo after a reference photo, keeping it photographic.');

    const pasted = pastedLayer(s);
    setText(el.pastedLabel, harmonize ? 'Object' : 'Photo');
    setText(el.pastedName, pasted ? pasted.name : s.document ? 'Select a layer' : 'No document open');
    const choices = layerChoices(s).map((l) => ({ value: String(l.id), label: `${'  '.repeat(l.depth)}${l.name}` }));
    const withNone = [{ value: NONE, label: 'None' }, ...choices];
    show(el.paintingRow, harmonize);
    show(el.styleRow, !harmonize);
    show(el.contentLabelsRow, !harmonize);
    show(el.styleLabelsRow, !harmonize);
    if (harmonize) fillDropdown(el.painting, choices, layerFor(s, 'painting')?.id.toString());
    else {
      fillDropdown(el.styleLayer, choices, layerFor(s, 'style')?.id.toString());
      fillDropdown(el.contentLabels, withNone, layerFor(s, 'contentLabels')?.id.toString() ?? NONE);
      fillDropdown(el.styleLabels, withNone, layerFor(s, 'styleLabels')?.id.toString() ?? NONE);
    }
    const maskNote = !harmonize || !s.document ? '' : s.document.hasSelection ? 'Mask: the selection.' : 'Mask: no selection, so the object’s own shape.';
    setText(el.maskNote, maskNote);
    show(el.maskNote, maskNote !== '');

    show(el.strength, harmonize);
    const tv = tauView(s);
    setText(el.tauValue, tv.value);
    setText(el.tauNote, tv.note);
    show(el.tauNote, tv.note !== '');
    for (const p of presets) setFlag(p, 'quiet', presetTau(p) !== s.settings.tau);
    if (Number(el.tau.value) !== tv.slider) el.tau.value = tv.slider;

    fillDropdown(el.quality, qualityChoices(s.settings.mode), s.settings.quality);
    const bb = backboneChoices(s);
    const known = s.connection.companion !== undefined;
    // Until the companion says what it has, list the models plainly and let nothing be picked. A
    // missing one can be picked when the companion installs models (to offer its install).
    const installs = canInstallModels(s);
    const bbItems = bb.map((c) => ({ value: c.name, label: !known || c.available ? c.label : `${c.label}: not installed`, disabled: known && !c.available && !installs }));
    fillDropdown(el.backbone, bbItems, known ? chosenBackbone(s)?.name : bb[0].name);
    const missing = known && !installs ? bb.filter((c) => !c.available && c.fetchCommand) : [];
    const commands = [...new Set(missing.map((c) => splitCommand(c.fetchCommand!).command))];
    const notes = [...new Set(missing.map((c) => splitCommand(c.fetchCommand!).note).filter((n): n is string => n !== undefined))];
    const names = missing.map((c) => c.label.split(' ')[0]).join(' and ');
    const hint = missing.length ? `${names} ${missing.length === 1 ? 'is' : 'are'} not installed. Add ${missing.length === 1 ? 'it' : 'them'} with${notes.length ? ` (FILE is ${notes.join('; ')})` : ''}:` : '';
    const speed = known ? speedHint(s) : '';
    setText(el.backboneSpeed, speed);
    show(el.backboneSpeed, speed !== '');
    setText(el.backboneHint, hint);
    show(el.backboneHint, hint !== '');
    setText(el.backboneCommand, commands.join('\n'));
    show(el.backboneCommand, commands.length > 0);
    renderInstall(s);
    show(el.postProcess, harmonize);
    setChecked(el.postProcess, s.settings.postProcess);
    for (const w of [el.mode, el.painting, el.styleLayer, el.contentLabels, el.styleLabels, el.tau, el.quality, el.postProcess, ...presets]) setFlag(w, 'disabled', busy);
    setFlag(el.backbone, 'disabled', busy || !known);

    // Run area: Harmonize or Cancel, progress, outcome, the result toggle.
    setText(el.harmonize, harmonize ? 'Harmonize' : 'Apply photo style');
    show(el.harmonize, !busy);
    show(el.cancel, busy);
    const blocker = jobBlocker(s);
    setFlag(el.harmonize, 'disabled', blocker !== undefined);
    const showBlocker = !busy && blocker !== undefined && s.connection.status === 'connected';
    setText(el.blocker, showBlocker ? blocker! : '');
    show(el.blocker, showBlocker);
    setFlag(el.cancel, 'disabled', !s.job || s.job.cancelling || s.job.phase === 'writing');

    const pv = progressView(s);
    show(el.progress, pv !== undefined);
    if (pv) {
      setText(el.progressLabel, pv.label);
      el.progressBar.setAttribute('value', String(pv.value));
      el.progressBar.value = pv.value;
      setText(el.progressDetail, pv.detail);
      show(el.progressDetail, pv.detail !== '');
      const url = s.job?.previewUrl;
      if (url && el.preview.getAttribute('src') !== url) el.preview.setAttribute('src', url);
      show(el.preview, url !== undefined);
    }
    const outcome = s.outcome;
    show(el.outcome, outcome !== undefined && !busy);
    if (outcome) {
      setAttr(el.outcome, 'data-kind', outcome.kind);
      setText(el.outcomeText, outcome.message);
    }
    setText(el.notice, s.notice ?? '');
    show(el.notice, s.notice !== undefined);
    show(el.resultRow, s.result !== undefined);
    if (s.result) setChecked(el.showResult, s.result.visible);
    setFlag(el.showResult, 'disabled', busy);

    const device = s.job?.device ?? s.connection.companion?.device;
    setAttr(el.status, 'title', device ? `Runs on ${deviceName(device)}` : '');
  };
  return controller.subscribe(render);
}

