// What the panel shows about models: the install offer, the progress wording, the preset chosen
// when nothing is installed, and what blocks Harmonize meanwhile. Pure functions of the state.
import { describe, expect, it } from 'vitest';
import type { ModelInfo } from '../../shared/catalogue.js';
import { initialState, reduce, type CompanionInfo, type PanelAction, type PanelState } from '../../plugin/state.js';
import { canInstallModels, chosenBackbone, installProgressText, installView, jobBlocker } from '../../plugin/view-model.js';

const MODELS: ModelInfo[] = [
  { name: 'vgg19', title: 'VGG-19', license: 'CC BY 4.0', downloadBytes: 80_134_624, installed: false, backbones: ['vgg19', 'vgg19-shallow'], presets: ['Best', 'Faster'], hosts: ['github.com'] },
  { name: 'squeezenet', title: 'SqueezeNet 1.1', license: 'BSD-2-Clause', downloadBytes: 4_950_080, installed: false, backbones: ['squeezenet'], presets: ['Draft'], hosts: ['github.com', 'raw.githubusercontent.com'] },
  { name: 'googlenet', title: 'GoogLeNet (BVLC)', license: 'unrestricted', downloadBytes: 53_533_754, installed: false, backbones: ['googlenet'], presets: [], hosts: ['dl.caffe.berkeleyvision.org'] },
];
const NONE = { present: [], missing: [] };

function connected(device: string, extra: Partial<CompanionInfo> = {}): PanelState {
  const companion: CompanionInfo = { companionVersion: '0.1.0', device, modes: ['harmonize'], backbones: NONE, models: MODELS, ...extra };
  const doc = {
    id: 1, title: 't', width: 10, height: 10, bits: 8 as const, mode: 'RGB', hasSelection: true, activeLayerIds: [2],
    layers: [2, 1].map((id) => ({ id, name: `L${id}`, kind: 'pixel', visible: true, isBackground: id === 1, depth: 0, opacity: 100, fillOpacity: 100, blendMode: 'normal', locked: false, bounds: { left: 0, top: 0, right: 10, bottom: 10 } })),
  };
  return reduce(reduce(initialState(), { type: 'connected', companion }), { type: 'document', document: doc });
}
const apply = (s: PanelState, ...actions: PanelAction[]) => actions.reduce(reduce, s);

describe('the preset and the install offer when nothing is installed', () => {
  it('on a CPU recommends Faster (VGG-19, shallow) and offers VGG-19 with size, licence and presets', () => {
    const s = connected('cpu');
    expect(chosenBackbone(s)?.name).toBe('vgg19-shallow');
    expect(installView(s)).toEqual({
      model: 'vgg19',
      title: 'VGG-19 is not installed',
      detail: '80.1 MB download · for Best and Faster',
      license: 'Licence: CC BY 4.0',
      hosts: 'Downloaded from github.com',
      canInstall: true,
      canCancel: false,
    });
    expect(jobBlocker(s)).toBe('Faster (VGG-19, shallow) is not installed yet: click Install above.');
  });

  it('with a GPU recommends Best (the full VGG-19), from the same download', () => {
    const s = connected('cuda');
    expect(chosenBackbone(s)?.name).toBe('vgg19');
    expect(installView(s)?.model).toBe('vgg19');
  });

  it('offers the model of a missing preset the user picks, and nothing for an installed one', () => {
    const s = apply(connected('cpu', { backbones: { present: ['vgg19', 'vgg19-shallow'], missing: [] } }), { type: 'setBackbone', backbone: 'squeezenet' });
    expect(installView(s)).toMatchObject({ model: 'squeezenet', detail: '4.95 MB download · for Draft', hosts: 'Downloaded from github.com, then raw.githubusercontent.com' });
    expect(installView(apply(s, { type: 'setBackbone', backbone: 'vgg19' }))).toBeUndefined();
  });

  it('offers nothing (and keeps the terminal command) with a companion that installs no models', () => {
    const s = connected('cpu', { models: undefined, backbones: { present: [], missing: [{ name: 'vgg19', fetchCommand: 'npx painterly models fetch vgg19' }] } });
    expect(canInstallModels(s)).toBe(false);
    expect(installView(s)).toBeUndefined();
    expect(jobBlocker(s)).toBe('The companion has no model installed: run `npx painterly models fetch vgg19`.');
  });
});

describe('an install in progress', () => {
  const started = () => apply(connected('cpu'), { type: 'setBackbone', backbone: 'squeezenet' }, { type: 'installStarted', model: 'squeezenet', title: 'SqueezeNet 1.1' });

  it('shows bytes of the total, speed and time left, and a Cancel in place of Install', () => {
    const s = apply(started(), { type: 'installProgress', progress: { type: 'installProgress', model: 'squeezenet', source: 'caffejs', bytesDone: 2_100_000, bytesTotal: 4_941_984, bytesPerSecond: 1_050_000, secondsLeft: 2.7 } });
    expect(installView(s)).toMatchObject({
      title: 'Installing SqueezeNet 1.1',
      progress: { label: 'Downloading', value: 42, detail: '2.10 MB of 4.94 MB · 1.05 MB/s · about 3 s left' },
      canInstall: false,
      canCancel: true,
    });
    expect(jobBlocker(s)).toBe('Draft (SqueezeNet) is being installed.');
  });

  it('says when the bytes are in and the model is being checked and installed', () => {
    const s = apply(started(), { type: 'installProgress', progress: { type: 'installProgress', model: 'squeezenet', source: 'caffejs', bytesDone: 4_941_984, bytesTotal: 4_941_984, bytesPerSecond: 1e6, secondsLeft: 0 } });
    expect(installView(s)?.progress).toMatchObject({ label: 'Checking and installing…', value: 100 });
  });

  it('shows a failed source as a note and starts the bar again for the next one', () => {
    const s = apply(
      started(),
      { type: 'installProgress', progress: { type: 'installProgress', model: 'squeezenet', source: 'a', bytesDone: 1000, bytesTotal: 4000, bytesPerSecond: 10 } },
      { type: 'installProgress', progress: { type: 'installProgress', model: 'squeezenet', source: 'a', bytesDone: 0, bytesPerSecond: 0, note: 'A failed: 404. Trying the next source.' } },
    );
    expect(installView(s)).toMatchObject({ note: 'A failed: 404. Trying the next source.', progress: { value: 0, detail: '0 B' } });
  });

  it('while cancelling, says so and offers no second cancel', () => {
    expect(installView(apply(started(), { type: 'installCancelRequested' }))).toMatchObject({ title: 'Stopping the download of SqueezeNet 1.1…', canCancel: false, canInstall: false });
  });

  it('when done, takes the companion’s new backbones and models: the preset is ready and the offer gone', () => {
    const models = MODELS.map((m) => (m.name === 'squeezenet' ? { ...m, installed: true } : m));
    const s = apply(started(), { type: 'installed', model: 'squeezenet', models, backbones: { present: ['squeezenet'], missing: [] }, message: 'SqueezeNet 1.1 is installed: Draft is ready.' });
    expect(s.install).toBeUndefined();
    expect(s.installOutcome).toEqual({ kind: 'done', model: 'squeezenet', message: 'SqueezeNet 1.1 is installed: Draft is ready.' });
    expect(chosenBackbone(s)).toMatchObject({ name: 'squeezenet', available: true });
    expect(installView(s)).toBeUndefined();
    expect(jobBlocker(s)).toBeUndefined();
  });

  it('when cancelled, offers Install again and keeps the outcome until another preset is picked', () => {
    const s = apply(started(), { type: 'installEnded', model: 'squeezenet', kind: 'cancelled', code: 'CANCELLED', message: 'Download stopped.' });
    expect(installView(s)).toMatchObject({ canInstall: true, title: 'SqueezeNet 1.1 is not installed' });
    expect(s.installOutcome?.kind).toBe('cancelled');
    expect(apply(s, { type: 'setBackbone', backbone: 'vgg19' }).installOutcome).toBeUndefined();
  });
});

describe('installProgressText', () => {
  it('leaves out what is not known yet', () => {
    expect(installProgressText({ bytesDone: 512, bytesPerSecond: 0 })).toBe('512 B');
    expect(installProgressText({ bytesDone: 80_134_624, bytesTotal: 80_134_624, bytesPerSecond: 2_400_000 })).toBe('80.1 MB of 80.1 MB · 2.40 MB/s');
  });
});
