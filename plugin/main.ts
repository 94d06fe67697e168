// Panel entry point (bundled into main.js): the real Photoshop host, the controller, the view.
import { PanelController, type ControllerOptions } from './controller.js';
import { createPhotoshopHost } from './photoshop/adapter.js';
import { mountPanel } from './view.js';

// In Photoshop the manifest only lets the panel reach the default address. The end-to-end test
// loads this same bundle in Chromium and points it at its own companion (and, with a real
// pipeline, asks for a tiny job) through these globals; Photoshop never sets them.
const test = globalThis as { painterlyCompanionUrl?: unknown; painterlyJobOverrides?: unknown };
const url = typeof test.painterlyCompanionUrl === 'string' ? test.painterlyCompanionUrl : undefined;
const jobOverrides = typeof test.painterlyJobOverrides === 'object' && test.painterlyJobOverrides !== null ? (test.painterlyJobOverrides as ControllerOptions['jobOverrides']) : undefined;

const controller = new PanelController({ host: createPhotoshopHost(), ...(url ? { url } : {}), ...(jobOverrides ? { jobOverrides } : {}) });
mountPanel(document, controller);
void controller.start();
