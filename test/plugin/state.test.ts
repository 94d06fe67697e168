import { describe, expect, it } from 'vitest';
import type { DocumentSummary } from '../../plugin/photoshop/host.js';
import { initialState, reduce, type CompanionInfo, type PanelAction, type PanelState } from '../../plugin/state.js';

const companion: CompanionInfo = { companionVersion: '0.1.0', device: 'cpu', modes: ['harmonize'], backbones: { present: ['vgg19'], missing: [] } };

function doc(layers: { id: number; name: string; visible?: boolean }[]): DocumentSummary {
  return {
    id: 1,
    title: 'a.psd',
    width: 10,
    height: 10,
    bits: 8,
    mode: 'RGB',
    layers: layers.map((l) => ({ kind: 'pixel', isBackground: false, depth: 0, visible: true, opacity: 100, fillOpacity: 100, blendMode: 'normal', locked: false, bounds: { left: 0, top: 0, right: 10, bottom: 10 }, ...l })),
    activeLayerIds: [layers[0].id],
    hasSelection: false,
  };
}

const run = (...actions: PanelAction[]): PanelState => actions.reduce(reduce, initialState());

describe('connection', () => {
  it('starts connecting and becomes connected with what the companion offers', () => {
    expect(initialState().connection.status).toBe('connecting');
    expect(run({ type: 'connected', companion }).connection).toEqual({ status: 'connected', companion });
  });

  it('tells unreachable, unpaired and incompatible apart by the error code', () => {
    expect(run({ type: 'connectionFailed', code: 'COMPANION_UNREACHABLE', message: 'x' }).connection.status).toBe('unreachable');
    expect(run({ type: 'connectionFailed', code: 'CONNECTION_LOST', message: 'x' }).connection.status).toBe('unreachable');
    expect(run({ type: 'connectionFailed', code: 'UNAUTHORIZED', message: 'x' }).connection).toMatchObject({ status: 'unpaired', tokenRefused: false });
    expect(run({ type: 'connectionFailed', code: 'UNAUTHORIZED', message: 'x', triedToken: true }).connection.tokenRefused).toBe(true);
    expect(run({ type: 'connectionFailed', code: 'PROTOCOL_MISMATCH', message: 'x' }).connection.status).toBe('incompatible');
  });

  it('falls back to harmonize when the companion does not offer the chosen mode', () => {
    expect(run({ type: 'setMode', mode: 'photo-style' }, { type: 'connected', companion }).settings.mode).toBe('harmonize');
  });
});

describe('jobs', () => {
  it('goes reading → uploading → queued → running with progress', () => {
    let s = run({ type: 'jobStarted', mode: 'harmonize' });
    expect(s.job).toMatchObject({ phase: 'reading', cancelling: false });
    s = reduce(s, { type: 'jobEvent', event: { type: 'accepted', jobId: 1 } });
    expect(s.job!.phase).toBe('uploading');
    s = reduce(s, { type: 'jobEvent', event: { type: 'queued', jobId: 1, place: 2 } });
    expect(s.job).toMatchObject({ phase: 'queued', queuePlace: 2 });
    s = reduce(s, { type: 'jobEvent', event: { type: 'started', jobId: 1, device: 'cuda', options: { mode: 'harmonize', quality: 'full', tau: 5, size: 700, pass1Iters: 1, pass2Iters: 1, schedule: 'auto', postProcess: true, detail: 'native', backbone: 'vgg19' } } });
    expect(s.job).toMatchObject({ phase: 'running', device: 'cuda' });
    s = reduce(s, { type: 'jobEvent', event: { type: 'progress', jobId: 1, stage: 'pass-1', iteration: 3, total: 10, etaSeconds: 12 } });
    expect(s.job).toMatchObject({ stage: 'pass-1', iteration: 3, total: 10, etaSeconds: 12 });
  });

  it('ends with a result layer that is remembered as ours', () => {
    const s = run({ type: 'jobStarted', mode: 'harmonize' }, { type: 'jobFinished', result: { documentId: 1, layerId: 7, visible: true }, message: 'done' });
    expect(s.job).toBeUndefined();
    expect(s.outcome).toEqual({ kind: 'done', message: 'done' });
    expect(s.result).toEqual({ documentId: 1, layerId: 7, visible: true });
    expect(s.resultLayerIds).toEqual([7]);
  });

  it('keeps the companion\'s notes apart from the stages and tells them with the result', () => {
    let s = run({ type: 'jobStarted', mode: 'photo-style' });
    s = reduce(s, { type: 'jobEvent', event: { type: 'progress', jobId: 1, stage: 'stage-1', iteration: 2, total: 10 } });
    s = reduce(s, { type: 'jobEvent', event: { type: 'note', jobId: 1, message: 'The label green is only in the reference; it is ignored.' } });
    expect(s.job).toMatchObject({ stage: 'stage-1', iteration: 2, notes: ['The label green is only in the reference; it is ignored.'] });
    s = reduce(s, { type: 'jobFinished', result: { documentId: 1, layerId: 9, visible: true }, message: 'Added “Photo style”.' });
    expect(s.outcome).toEqual({ kind: 'done', message: 'Added “Photo style”. The label green is only in the reference; it is ignored.' });
  });

  it('reports a cancel as leaving the document unchanged, and a failure with its code', () => {
    expect(run({ type: 'jobStarted', mode: 'harmonize' }, { type: 'cancelRequested' }).job!.cancelling).toBe(true);
    expect(run({ type: 'jobStarted', mode: 'harmonize' }, { type: 'jobCancelled' }).outcome).toEqual({ kind: 'cancelled', message: 'Cancelled. The document was not changed.' });
    expect(run({ type: 'jobStarted', mode: 'harmonize' }, { type: 'jobFailed', code: 'MODEL_MISSING', message: 'Run x.' }).outcome).toEqual({ kind: 'error', code: 'MODEL_MISSING', message: 'Run x.' });
  });

  it('ignores job events when no job runs', () => {
    const s = initialState();
    expect(reduce(s, { type: 'jobEvent', event: { type: 'accepted', jobId: 1 } })).toBe(s);
    expect(reduce(s, { type: 'preview', url: 'data:' })).toBe(s);
  });
});

describe('the result layer follows the document', () => {
  const finished = () => run({ type: 'jobStarted', mode: 'harmonize' }, { type: 'jobFinished', result: { documentId: 1, layerId: 7, visible: true }, message: 'done' });

  it('picks up a visibility change made in Photoshop', () => {
    const s = reduce(finished(), { type: 'document', document: doc([{ id: 7, name: 'Harmonized', visible: false }, { id: 3, name: 'Object' }]) });
    expect(s.result!.visible).toBe(false);
  });

  it('forgets the result when the layer is gone (undo)', () => {
    expect(reduce(finished(), { type: 'document', document: doc([{ id: 3, name: 'Object' }]) }).result).toBeUndefined();
  });

  it('keeps it while another document is active', () => {
    expect(reduce(finished(), { type: 'document', document: { ...doc([{ id: 3, name: 'Object' }]), id: 2 } }).result).toBeDefined();
  });
});
