// The panel's style-strength controls take their bounds and presets from the option table
// (shared/options.ts): the markup carries no numbers, the view writes the table's, and the
// controller takes only values the protocol would accept.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { isValidOption, JOB_OPTIONS, TAU_PRESETS } from '../../shared/options.js';
import { PanelController } from '../../plugin/controller.js';
import { createPhotoshopHost } from '../../plugin/photoshop/adapter.js';
import { initialState } from '../../plugin/state.js';
import { applyTauControls } from '../../plugin/view.js';
import { TAU_PRESET_BUTTONS, TAU_SLIDER } from '../../plugin/view-model.js';
import { createFakePhotoshop } from './fake-photoshop.js';

const html = readFileSync(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../plugin/index.html'), 'utf8');

/** Just enough of an element for the view's attribute writes. */
function element(attrs: Record<string, string> = {}) {
  const a = new Map(Object.entries(attrs));
  return {
    attrs: a,
    getAttribute: (n: string) => a.get(n) ?? null,
    setAttribute: (n: string, v: string) => void a.set(n, v),
  } as unknown as Element & { attrs: Map<string, string> };
}

describe('the τ slider and presets', () => {
  it('have the bounds of the τ option', () => {
    expect(TAU_SLIDER).toEqual({ min: JOB_OPTIONS.tau.min, max: JOB_OPTIONS.tau.max });
  });

  it('are written into the widgets from the table when the panel mounts', () => {
    const slider = element();
    const presets = (Object.keys(TAU_PRESET_BUTTONS) as (keyof typeof TAU_PRESET_BUTTONS)[]).map((key) => element({ 'data-preset': key }));
    applyTauControls(slider, presets);
    expect(slider.attrs.get('min')).toBe(String(JOB_OPTIONS.tau.min));
    expect(slider.attrs.get('max')).toBe(String(JOB_OPTIONS.tau.max));
    for (const p of presets) {
      const key = p.attrs.get('data-preset') as keyof typeof TAU_PRESET_BUTTONS;
      expect(p.attrs.get('data-tau')).toBe(String(key === 'auto' ? 'auto' : TAU_PRESETS[key]));
      expect(p.attrs.get('title')).toBe(TAU_PRESET_BUTTONS[key].title);
      expect(isValidOption('tau', TAU_PRESET_BUTTONS[key].tau)).toBe(true);
    }
    expect(() => applyTauControls(slider, [element({ 'data-preset': 'cubist' })])).toThrow(/unknown τ preset 'cubist'/);
  });

  it('are not written in the markup: one button per preset, no numbers on the slider', () => {
    const slider = /<sp-slider[^>]*id="tau"[^>]*>/.exec(html)?.[0];
    expect(slider).toBeDefined();
    expect(slider).not.toMatch(/\b(min|max|value)=/);
    const keys = [...html.matchAll(/data-preset="([^"]+)"/g)].map((m) => m[1]);
    expect(keys).toEqual(['auto', ...Object.keys(TAU_PRESETS)]); // Auto first
    expect(html.match(/class="preset"/g)).toHaveLength(keys.length);
    expect(html).not.toMatch(/data-tau=/);
  });

  it('start at the table\'s default τ', () => {
    expect(initialState().settings.tau).toBe(JOB_OPTIONS.tau.default);
  });

  it('let the controller take only τ values inside the option\'s range', () => {
    const fake = createFakePhotoshop();
    const controller = new PanelController({ host: createPhotoshopHost({ photoshop: fake.photoshop, uxp: fake.uxp }) });
    for (const [tau, taken] of [[JOB_OPTIONS.tau.max, true], [JOB_OPTIONS.tau.max + 0.5, false], ['auto', true], [JOB_OPTIONS.tau.min - 0.5, false], [Number.NaN, false], ['cubist', false], [JOB_OPTIONS.tau.min, true]] as const) {
      const before = controller.state.settings.tau;
      controller.setTau(tau as number | 'auto');
      expect(controller.state.settings.tau, String(tau)).toBe(taken ? tau : before);
    }
    controller.dispose();
  });
});
