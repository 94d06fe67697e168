// Runs first in the test page (bundled by the e2e test, added as an init script): defines the
// widget stand-ins, builds the fake Photoshop with the test scene and hands it to the panel the
// way UXP does, through a global require('photoshop') / require('uxp').
import { createFakePhotoshop } from '../fake-photoshop.js';
import { addScene, type SceneOptions } from './scene.js';
import { defineSpectrumStubs } from './spectrum-stub.js';

export interface PageConfig {
  /** Where the panel's WebSocket goes. */
  url: string;
  /** Pre-paired: the token already in secure storage. */
  token?: string;
  /** The stand-ins' stylesheet. */
  css: string;
  scene: SceneOptions;
  /** Job size and iterations for the test (the panel honours `painterlyJobOverrides`). */
  jobOverrides?: { size?: number; pass1Iters?: number; pass2Iters?: number; stage1Iters?: number; stage2Iters?: number };
}

const w = window as unknown as Record<string, unknown>;
const config = w.__painterlyTest as PageConfig;

defineSpectrumStubs();
const fake = createFakePhotoshop();
const scene = addScene(fake, config.scene);
if (config.token) fake.secrets.set('painterly.pairingToken', new TextEncoder().encode(config.token));

w.require = (id: string) => {
  if (id === 'photoshop') return fake.photoshop;
  if (id === 'uxp') return fake.uxp;
  throw new Error(`Cannot find module '${id}'`);
};
w.painterlyCompanionUrl = config.url;
if (config.jobOverrides) w.painterlyJobOverrides = config.jobOverrides;

/** What the test reads back with page.evaluate. */
w.__probe = {
  layers: () => scene.doc.allLayers().map((l) => ({ id: l.id, name: l.name, visible: l.visible, bounds: l.bounds })),
  history: () => scene.doc.historyStates.map((h) => h.name),
  composite: () => Array.from(fake.composite(scene.doc)),
  modalActive: () => fake.modalActive(),
  modalLog: () => fake.modalLog.map((m) => m.commandName),
  liveImageData: () => fake.liveImageData(),
  scene: () => ({ width: scene.doc.width, height: scene.doc.height, object: scene.object, selection: scene.selection }),
};

const addStyle = () => {
  const style = document.createElement('style');
  style.textContent = config.css;
  document.head.prepend(style);
};
if (document.head) addStyle();
else document.addEventListener('DOMContentLoaded', addStyle, { once: true });
