import type { StageId } from '../../shared/stages.js';
import { describe, expect, it } from 'vitest';
import type { DocumentSummary, LayerSummary } from '../../plugin/photoshop/host.js';
import { initialState, reduce, type CompanionInfo, type PanelState } from '../../plugin/state.js';
import {
  backboneChoices,
  chosenBackbone,
  connectionView,
  jobBlocker,
  jobOptions,
  layerFor,
  pastedLayer,
  progressView,
  speedHint,
  qualityChoices,
  splitCommand,
  timeLeft,
} from '../../plugin/view-model.js';

const companion: CompanionInfo = {
  companionVersion: '0.1.0',
  device: 'cuda',
  modes: ['harmonize', 'photo-style'],
  backbones: { present: ['vgg19', 'squeezenet'], missing: [{ name: 'vgg19-shallow', fetchCommand: 'npx painterly models fetch vgg19' }] },
};

const layer = (id: number, name: string, extra: Partial<LayerSummary> = {}): LayerSummary => ({ id, name, kind: 'pixel', visible: true, isBackground: false, depth: 0, opacity: 100, fillOpacity: 100, blendMode: 'normal', locked: false, bounds: { left: 0, top: 0, right: 10, bottom: 10 }, ...extra });

function withDoc(layers: LayerSummary[], active: number[], extra: Partial<DocumentSummary> = {}): PanelState {
  const document: DocumentSummary = { id: 1, title: 't', width: 10, height: 10, bits: 8, mode: 'RGB', layers, activeLayerIds: active, hasSelection: true, ...extra };
  return reduce(reduce(initialState(), { type: 'connected', companion }), { type: 'document', document });
}

const scene = () => withDoc([layer(3, 'Object'), layer(2, 'Sky'), layer(1, 'Painting', { isBackground: true })], [3]);

describe('connectionView', () => {
  it('gives the command to start the companion when it is not running', () => {
    const v = connectionView(reduce(initialState(), { type: 'connectionFailed', code: 'COMPANION_UNREACHABLE', message: 'x' }));
    expect(v).toMatchObject({ tone: 'error', title: 'Companion not running', command: 'npx painterly serve', showPairing: false });
  });

  it('asks for the token when not paired, and says when one was refused', () => {
    const v = connectionView(reduce(initialState(), { type: 'connectionFailed', code: 'UNAUTHORIZED', message: 'x' }));
    expect(v).toMatchObject({ tone: 'warn', showPairing: true, command: 'npx painterly token' });
    expect(connectionView(reduce(initialState(), { type: 'connectionFailed', code: 'UNAUTHORIZED', message: 'x', triedToken: true })).title).toMatch(/not accepted/);
  });

  it('names the device when connected', () => {
    expect(connectionView(scene()).detail).toBe('Companion 0.1.0 · runs on GPU (CUDA)');
  });
});

describe('layers', () => {
  it('takes the active layer as the pasted one and the layer below as the painting', () => {
    const s = scene();
    expect(pastedLayer(s)!.name).toBe('Object');
    expect(layerFor(s, 'painting')!.name).toBe('Sky');
  });

  it('follows the painting the user chose while it exists', () => {
    let s = reduce(scene(), { type: 'chooseLayer', role: 'painting', layerId: 1 });
    expect(layerFor(s, 'painting')!.name).toBe('Painting');
    s = reduce(s, { type: 'document', document: { ...s.document!, layers: s.document!.layers.filter((l) => l.id !== 1) } });
    expect(layerFor(s, 'painting')!.name).toBe('Sky');
  });

  it('skips its own result layers when picking the pasted layer', () => {
    let s = withDoc([layer(9, 'Harmonized'), layer(3, 'Object'), layer(1, 'Painting')], [9]);
    s = reduce(s, { type: 'jobStarted', mode: 'harmonize' });
    s = reduce(s, { type: 'jobFinished', result: { documentId: 1, layerId: 9, visible: true }, message: '' });
    expect(pastedLayer(s)!.name).toBe('Object');
    expect(layerFor(s, 'painting')!.name).toBe('Painting');
  });
});

describe('jobBlocker', () => {
  it('is undefined when everything is in place', () => {
    expect(jobBlocker(scene())).toBeUndefined();
  });

  it('explains each missing piece in plain words', () => {
    expect(jobBlocker(initialState())).toBe('Connect to the companion first.');
    expect(jobBlocker(reduce(scene(), { type: 'document', document: undefined }))).toMatch(/Open a document/);
    expect(jobBlocker(withDoc([layer(1, 'P')], [1], { refusal: 'This document is in CMYK mode.' }))).toBe('This document is in CMYK mode.');
    expect(jobBlocker(withDoc([layer(3, 'Object'), layer(1, 'P')], [3, 1]))).toMatch(/Select only the layer/);
    expect(jobBlocker(withDoc([layer(3, 'Group', { kind: 'group' }), layer(1, 'P')], [3]))).toMatch(/not a pixel layer/);
    expect(jobBlocker(withDoc([layer(3, 'Object')], [3]))).toMatch(/no layer below/);
    expect(jobBlocker(reduce(scene(), { type: 'setBackbone', backbone: 'vgg19-shallow' }))).toBe('Faster (VGG-19, shallow) is not installed: run `npx painterly models fetch vgg19`.');
    expect(jobBlocker(reduce(scene(), { type: 'jobStarted', mode: 'harmonize' }))).toBe('A job is running.');
  });
});

describe('backbones and options', () => {
  it('splits a fetch command from its note', () => {
    expect(splitCommand('npx painterly models fetch vgg19')).toEqual({ command: 'npx painterly models fetch vgg19' });
    expect(splitCommand('npx painterly models import FILE (a squeezenet safetensors file)')).toEqual({ command: 'npx painterly models import FILE', note: 'a squeezenet safetensors file' });
  });

  it('lists Best, Faster and Draft with what is installed and how to get the rest', () => {
    expect(backboneChoices(scene())).toEqual([
      { name: 'vgg19', label: 'Best (VGG-19)', available: true, fetchCommand: undefined },
      { name: 'vgg19-shallow', label: 'Faster (VGG-19, shallow)', available: false, fetchCommand: 'npx painterly models fetch vgg19' },
      { name: 'squeezenet', label: 'Draft (SqueezeNet)', available: true, fetchCommand: undefined },
    ]);
  });

  it('labels Full as refined to the document\'s resolution and Preview as fast, from the option table\'s presets', () => {
    expect(qualityChoices('harmonize')).toEqual([
      { value: 'preview', label: 'Preview (fast)' },
      { value: 'full', label: 'Full (paper settings, sharp at document resolution)' },
    ]);
    // Photo style has no detail option: its labels say nothing about it.
    expect(qualityChoices('photo-style').map((c) => c.label)).toEqual(['Preview (fast)', 'Full (paper settings)']);
  });

  it('gives the chosen model\'s measured speed at the chosen quality', () => {
    const light = reduce(scene(), { type: 'setBackbone', backbone: 'squeezenet' });
    expect(speedHint(light)).toMatch(/^Draft: about 12 s at Preview quality \(measured on a 2-core CPU; much faster on this GPU\)\. A draft preview: .*less of its shape and shading than with VGG-19\.$/);
    const full = reduce(light, { type: 'setQuality', quality: 'full' });
    expect(speedHint(full)).toMatch(/^Draft: about 47 s at Full quality/);
    const cpu = reduce(full, { type: 'connected', companion: { ...companion, device: 'cpu' } });
    expect(speedHint(cpu)).toMatch(/\(on a 2-core CPU\)\. A draft preview/);
    const best = reduce(cpu, { type: 'setBackbone', backbone: 'vgg19' });
    expect(speedHint(best)).toMatch(/^Best: about .* \(on a 2-core CPU\)\.$/);
  });

  it('defaults to the best installed backbone', () => {
    const s = withDoc([layer(3, 'O'), layer(1, 'P')], [3]);
    const light = reduce(s, { type: 'connected', companion: { ...companion, backbones: { present: ['squeezenet'], missing: [] } } });
    expect(chosenBackbone(light)!.name).toBe('squeezenet');
  });

  it('sends the chosen settings', () => {
    let s = reduce(scene(), { type: 'setTau', tau: 10 });
    s = reduce(s, { type: 'setQuality', quality: 'full' });
    s = reduce(s, { type: 'setPostProcess', on: false });
    expect(jobOptions(s)).toEqual({ mode: 'harmonize', quality: 'full', tau: 10, schedule: 'auto', postProcess: false, backbone: 'vgg19' });
    expect(jobOptions(reduce(s, { type: 'setMode', mode: 'photo-style' }))).toEqual({ mode: 'photo-style', quality: 'full', backbone: 'vgg19' });
  });
});

describe('progress wording', () => {
  it('formats the time left', () => {
    expect(timeLeft(undefined)).toBe('');
    expect(timeLeft(Number.NaN)).toBe('');
    expect(timeLeft(0.2)).toBe('about 1 s left');
    expect(timeLeft(42)).toBe('about 42 s left');
    expect(timeLeft(150)).toBe('about 3 min left');
    expect(timeLeft(3 * 3600 + 5 * 60)).toBe('about 3 h 5 min left');
  });

  it('words each stage and places it on the bar by the companion\'s stage table', () => {
    const at = (stage: StageId, iteration: number, total: number) => {
      const s = reduce(reduce(scene(), { type: 'jobStarted', mode: 'harmonize' }), { type: 'jobEvent', event: { type: 'progress', jobId: 1, stage, iteration, total } });
      return progressView(s)!;
    };
    expect(at('pass-1', 20, 200)).toMatchObject({ label: 'Pass 1 of 2: painting', value: 5, detail: '20/200' });
    expect(at('matching-2', 0, 0)).toMatchObject({ label: 'Matching brush strokes', value: 50 });
    expect(at('post-processing', 2, 4)).toMatchObject({ label: 'Post-processing', value: 100 });
    // Native detail fills a bar of its own, level by level.
    expect(at('detail', 1, 2)).toMatchObject({ label: 'Refining detail to the document’s resolution', value: 50, detail: '1/2' });
    expect(at('smoothing', 1, 3)).toMatchObject({ label: 'Smoothing', value: 100 });
  });

  it('shows a stage it does not know (a newer companion) by its id, on an empty bar', () => {
    let s = reduce(scene(), { type: 'jobStarted', mode: 'harmonize' });
    s = reduce(s, { type: 'jobEvent', event: { type: 'progress', jobId: 1, stage: 'something-new' as StageId, iteration: 1, total: 2 } });
    expect(progressView(s)).toMatchObject({ label: 'something-new', value: 0 });
  });

  it('shows the whole job’s progress across both passes', () => {
    let s = reduce(scene(), { type: 'jobStarted', mode: 'harmonize' });
    s = reduce(s, { type: 'jobEvent', event: { type: 'progress', jobId: 1, stage: 'pass-2', iteration: 50, total: 100, etaSeconds: 30 } });
    expect(progressView(s)).toEqual({ label: 'Pass 2 of 2: refining', value: 75, detail: '50/100 · about 30 s left' });
    expect(progressView(reduce(s, { type: 'cancelRequested' }))!.label).toBe('Cancelling…');
  });
});

describe('through a studio queue (a gateway companion)', () => {
  const gateway = (workers: { name: string; device: string }[]) =>
    reduce(reduce(initialState(), { type: 'connected', companion: { ...companion, queue: { workers } } }), { type: 'document', document: scene().document! });

  it('says that jobs go to the studio queue, naming its workers and their devices', () => {
    expect(connectionView(gateway([{ name: 'gpu-box', device: 'cuda' }])).detail).toBe('Companion 0.1.0 · sends jobs to the studio queue: gpu-box (GPU (CUDA))');
    expect(connectionView(gateway([])).detail).toBe('Companion 0.1.0 · sends jobs to the studio queue (no worker yet)');
    const many = gateway(['a', 'b', 'c', 'd', 'e'].map((name) => ({ name, device: 'cpu' })));
    expect(connectionView(many).detail).toMatch(/: a \(CPU\), b \(CPU\), c \(CPU\) and 2 more$/);
  });

  it('waits for a studio worker, then names the worker running the job beside its progress', () => {
    let s = reduce(gateway([{ name: 'gpu-box', device: 'cuda' }]), { type: 'jobStarted', mode: 'harmonize' });
    s = reduce(s, { type: 'jobEvent', event: { type: 'queued', jobId: 1, place: 2 } });
    expect(progressView(s)).toMatchObject({ label: 'Waiting for a studio worker…', detail: '2 jobs ahead' });
    s = reduce(s, { type: 'jobEvent', event: { type: 'started', jobId: 1, device: 'cuda', worker: 'gpu-box', options: {} as never } });
    expect(progressView(s)).toMatchObject({ label: 'Starting…', detail: 'on gpu-box (GPU (CUDA))' });
    s = reduce(s, { type: 'jobEvent', event: { type: 'progress', jobId: 1, stage: 'pass-1', iteration: 3, total: 10, etaSeconds: 20 } });
    expect(progressView(s)).toMatchObject({ detail: '3/10 · about 20 s left · on gpu-box (GPU (CUDA))' });
  });

  it('keeps the local wording with a companion that runs jobs itself', () => {
    let s = reduce(scene(), { type: 'jobStarted', mode: 'harmonize' });
    s = reduce(s, { type: 'jobEvent', event: { type: 'queued', jobId: 1, place: 0 } });
    expect(progressView(s)).toMatchObject({ label: 'Waiting for the companion…', detail: 'starts next' });
  });
});
